/**
 * The vocabulary of attribution shared by every layer. Pure types and tiny helpers only.
 */

/** How AI text reached the document. */
export type OriginKind =
  | 'inline'
  | 'inline-partial'
  | 'next-edit'
  | 'chat'
  | 'agent'
  | 'external-write'
  | 'manual'
  | 'api';

export const ORIGIN_KINDS: readonly OriginKind[] = [
  'inline',
  'inline-partial',
  'next-edit',
  'chat',
  'agent',
  'external-write',
  'manual',
  'api',
];

export type Confidence = 'high' | 'medium' | 'low';

export interface Origin {
  readonly kind: OriginKind;
  /** The AI tool, e.g. `github-copilot`, `claude-code`, or `unknown-ai`. */
  readonly tool: string;
  readonly model?: string;
  readonly session?: string;
  /**
   * With tool `unknown-ai`: the AI tools that were active and may have made the edit. A hint for
   * people (hover, panel), never a claim: notes do not carry it.
   */
  readonly candidates?: readonly string[];
}

/** The tool name recorded when no signal names the tool. */
export const UNKNOWN_AI_TOOL = 'unknown-ai';

export type ReviewDecision = 'accepted' | 'rejected';

/** What a person may let a block of AI code touch. */
export type ScopeTag = 'files' | 'network' | 'secrets' | 'processes' | 'data' | 'none';

export const SCOPE_TAGS: readonly ScopeTag[] = ['files', 'network', 'secrets', 'processes', 'data', 'none'];

export interface Reviewer {
  readonly name: string;
  readonly email: string;
  /** The git signing key (user.signingkey) when one is configured. */
  readonly signingKey?: string;
}

/** A recorded human judgement about one span of AI text. */
export interface Review {
  readonly decision: ReviewDecision;
  /** What the code is for, in the reviewer's words. Required to accept; may be empty on a rejection. */
  readonly intent: string;
  readonly scope: readonly ScopeTag[];
  readonly scopeNote?: string;
  readonly reviewer: Reviewer;
  /** ISO-8601 time of the review. */
  readonly reviewedAt: string;
  /** sha256 (hex) of the exact text that was reviewed. */
  readonly textHash: string;
}

/** One attributed span as the ledger reports it: offsets are character offsets into the current text. */
export interface AttributedSpan {
  readonly id: string;
  readonly start: number;
  readonly end: number;
  readonly origin: Origin;
  readonly confidence: Confidence;
  /** Milliseconds since the epoch when the AI text was inserted. */
  readonly insertedAt: number;
  /** sha256 (hex) of the text as the AI inserted it. */
  readonly insertedTextHash: string;
  /** Characters the AI inserted into this span (the denominator of the human-changed share). */
  readonly insertedLength: number;
  /** How many of the span's inserted characters a human has since changed (replaced or deleted). */
  readonly humanChangedChars: number;
  readonly review?: Review;
}

/** Who made an edit. AI edits carry everything a new span needs. */
export type EditAuthor =
  | { readonly kind: 'human' }
  | {
      readonly kind: 'ai';
      readonly origin: Origin;
      readonly confidence: Confidence;
      /** Defaults to now. */
      readonly insertedAt?: number;
    };

/** One replacement, as VS Code reports a content change: offsets refer to the text BEFORE the event. */
export interface TextReplacement {
  readonly offset: number;
  readonly deletedLength: number;
  readonly insertedText: string;
}

export function humanChangedShare(span: Pick<AttributedSpan, 'humanChangedChars' | 'insertedLength'>): number {
  if (span.insertedLength <= 0) return 0;
  return Math.min(1, span.humanChangedChars / span.insertedLength);
}

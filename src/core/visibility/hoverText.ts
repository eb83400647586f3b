/**
 * The hover of an AI line, as Markdown. Everything that comes from spans or notes is hostile input
 * (a note can be written by anyone with push access): it is flattened to one line, shortened, and
 * every Markdown/HTML metacharacter is escaped, so it can neither inject links nor command URIs.
 * The only links are the command links built here, to the ids in HOVER_COMMAND_IDS.
 */
import { humanChangedShare, UNKNOWN_AI_TOOL, type AttributedSpan, type Confidence, type OriginKind, type Review } from '../attribution';
import type { NoteReview } from '../notes/noteRecord';
import type { SpanReviewStatus } from '../review/reviewModel';
import type { CommittedAiLine } from './committedLines';
import type { LineMarkState } from './lineMarks';

export const REVIEW_PANEL_COMMAND = 'vouch.openReviewPanel';
export const ACCEPT_BLOCK_COMMAND = 'vouch.acceptBlock';
export const REJECT_BLOCK_COMMAND = 'vouch.rejectBlock';
export const APPROVE_COMMITTED_COMMAND = 'vouch.approveCommittedLines';
/** The commands a hover may run: the host trusts exactly these (MarkdownString enabledCommands). */
export const HOVER_COMMAND_IDS: readonly string[] = [REVIEW_PANEL_COMMAND, ACCEPT_BLOCK_COMMAND, REJECT_BLOCK_COMMAND, APPROVE_COMMITTED_COMMAND];

/** Arguments of the committed-line hover command: the document and the hovered line (0-based). */
export interface CommittedLineCommandArgs {
  readonly uri: string;
  readonly line: number;
}

/** Arguments of every hover command: the document and the spans of the hovered line's block. */
export interface BlockCommandArgs {
  readonly uri: string;
  readonly spanIds: readonly string[];
}

export const STATE_LABELS: Readonly<Record<LineMarkState, string>> = {
  'ai-unreviewed': 'AI-written, not reviewed',
  'ai-accepted': 'AI-written, accepted by a reviewer',
  'ai-human-changed': 'AI-written, since changed by a human',
  'ai-committed': 'AI-written in an earlier commit',
};

const KIND_LABELS: Readonly<Record<OriginKind, string>> = {
  inline: 'inline completion',
  'inline-partial': 'inline completion (partly accepted)',
  'next-edit': 'next-edit suggestion',
  chat: 'chat edit',
  agent: 'agent edit',
  'external-write': 'file rewritten outside the editor',
  manual: 'marked as AI by hand',
  api: 'reported by an extension',
};

const MAX_SHOWN_TEXT = 300;
const MAX_SHOWN_SPANS = 3;

/** Escapes text for Markdown: one line, bounded, every ASCII punctuation that Markdown or HTML reads escaped. */
export function escapeMarkdownText(value: unknown, maxLength = MAX_SHOWN_TEXT): string {
  let text = typeof value === 'string' ? value : String(value);
  // Control characters (newlines included) and bidirectional overrides could break the layout or disguise text.
  text = text.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]+/g, ' ');
  if (text.length > maxLength) text = `${text.slice(0, maxLength - 1)}…`;
  return text.replace(/[\\`*_{}[\]()<>#+\-.!|~&"'$:=^%@/]/g, (char) => `\\${char}`);
}

/**
 * Where on a line Vouch's hover answers: the indentation and the first character (next to the
 * gutter mark), and the end of the line (where the current-line annotation is). Elsewhere the
 * line's code keeps the language's own hover to itself. Columns are 0-based, end exclusive.
 */
export function hoverAnchorColumns(lineText: string, character: number): { readonly start: number; readonly end: number } | undefined {
  const firstNonBlank = lineText.search(/\S/);
  const startEnd = firstNonBlank < 0 ? lineText.length : firstNonBlank + 1;
  if (character <= startEnd) return { start: 0, end: startEnd };
  if (character >= lineText.length) return { start: lineText.length, end: lineText.length };
  return undefined;
}

/** `2026-05-01 14:03 UTC`, or "unknown time" for a value that is not a time. */
export function formatTime(value: number | string | undefined): string {
  if (value === undefined) return 'unknown time';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return 'unknown time';
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function formatShare(share: number): string {
  if (!Number.isFinite(share) || share <= 0) return '0%';
  const percent = share * 100;
  return percent < 1 ? '<1%' : `${Math.round(percent)}%`;
}

function commandLink(label: string, command: string, args: BlockCommandArgs | CommittedLineCommandArgs): string {
  return `[${label}](command:${command}?${encodeURIComponent(JSON.stringify([args]))} "${label}")`;
}

function originLine(origin: { readonly kind?: OriginKind; readonly tool: string; readonly model?: string; readonly candidates?: readonly string[] }, confidence: Confidence | undefined): string {
  // Unknown is said as such: the candidates were active, none is claimed.
  const tool =
    origin.tool === UNKNOWN_AI_TOOL
      ? `tool **${UNKNOWN_AI_TOOL}** (no signal named it${origin.candidates && origin.candidates.length > 0 ? `; active AI tools then: ${origin.candidates.slice(0, 5).map((name) => escapeMarkdownText(name, 200)).join(', ')}` : ''})`
      : `tool **${escapeMarkdownText(origin.tool, 200)}**`;
  const parts = [tool];
  if (origin.kind) parts.push(escapeMarkdownText(KIND_LABELS[origin.kind] ?? origin.kind));
  if (origin.model) parts.push(`model ${escapeMarkdownText(origin.model, 200)}`);
  if (confidence) parts.push(`${confidence} confidence`);
  return `Origin: ${parts.join(' · ')}`;
}

function reviewLine(review: Review | NoteReview | null | undefined, status?: SpanReviewStatus): string {
  if (!review) return 'Review: **not reviewed**';
  const who = `${escapeMarkdownText(review.reviewer.name, 200)} \\<${escapeMarkdownText(review.reviewer.email, 200)}\\>`;
  const decision = review.decision === 'accepted' ? 'accepted' : 'rejected';
  const after = status === 'accepted-changed-after-review' ? ' — **the text changed after this review**' : status === 'rejected-still-present' ? ' — **the rejected text is back; it needs a new decision**' : '';
  const scope = review.scope.length > 0 ? review.scope.map((tag) => escapeMarkdownText(tag)).join(', ') : 'not stated';
  const scopeNote = review.scopeNote ? ` (${escapeMarkdownText(review.scopeNote)})` : '';
  return [
    `Review: **${decision}** by ${who} on ${formatTime(review.reviewedAt)}${after}`,
    `Intent: ${escapeMarkdownText(review.intent)}`,
    `Scope: ${scope}${scopeNote}`,
  ].join('  \n');
}

/** How the hover explains "changed by a human", so people know what the share measures. */
export const HUMAN_CHANGED_EXPLANATION = 'share of the characters the AI inserted that a person has since replaced or deleted';

/** The short form of one span: origin and time on one line, the human share only when there is one, then the review. */
function spanSection(span: AttributedSpan, status: SpanReviewStatus): string {
  const share = humanChangedShare(span);
  const lines = [`${originLine(span.origin, span.confidence)} · ${formatTime(span.insertedAt)}`];
  if (share > 0) lines.push(`Changed by a human: ${formatShare(share)} of the AI's characters`);
  lines.push(reviewLine(span.review, status));
  return lines.join('  \n');
}

export interface UncommittedHoverInput {
  readonly documentUri: string;
  readonly state: Exclude<LineMarkState, 'ai-committed'>;
  /** The hovered line mixes human and AI characters. */
  readonly mixedLine: boolean;
  /** The spans on the hovered line with their review status. */
  readonly spans: ReadonlyArray<{ readonly span: AttributedSpan; readonly status: SpanReviewStatus }>;
  /** The spans of the whole block around the line: what the command links act on. */
  readonly blockSpanIds: readonly string[];
}

/** The hover of an uncommitted AI line: what it is, where it came from, its review, and one line of actions. */
export function uncommittedHoverMarkdown(input: UncommittedHoverInput): string {
  const title = `**Vouch** · ${STATE_LABELS[input.state]}${input.mixedLine ? ' (a person also typed on this line)' : ''}`;
  const sections = [title];
  for (const { span, status } of input.spans.slice(0, MAX_SHOWN_SPANS)) sections.push(spanSection(span, status));
  if (input.spans.length > MAX_SHOWN_SPANS) sections.push(`and ${input.spans.length - MAX_SHOWN_SPANS} more AI span(s) on this line`);
  const args: BlockCommandArgs = { uri: input.documentUri, spanIds: input.blockSpanIds };
  // "Review" opens the panel at this block: the one way to it (it used to be there twice).
  const links = [commandLink('Review', REVIEW_PANEL_COMMAND, args), commandLink('Accept...', ACCEPT_BLOCK_COMMAND, args), commandLink('Reject', REJECT_BLOCK_COMMAND, args)];
  sections.push(links.join(' · '));
  return sections.join('\n\n');
}

/** `documentUri`: with it, a Vouch-recorded line gets the link that approves it (a forgotten review, or a second approver). */
export function committedHoverMarkdown(line: CommittedAiLine, documentUri?: string): string {
  const source = line.source === 'vouch' ? 'recorded in a Vouch note (refs/notes/vouch)' : 'recorded by git-ai (refs/notes/ai)';
  const info = line.commitInfo;
  const commitParts = [`Commit: \`${line.commit.slice(0, 12)}\``];
  if (info?.summary) commitParts.push(`“${escapeMarkdownText(info.summary, 120)}”`);
  if (info?.author) commitParts.push(`by ${escapeMarkdownText(info.author, 200)}`);
  if (info?.authorTime !== undefined) commitParts.push(`on ${formatTime(info.authorTime * 1000)}`);
  const details = [
    originLine(line.origin, line.confidence),
    commitParts.join(' '),
    `Line ${line.originalLine} of ${escapeMarkdownText(line.path, 500)} in that commit`,
  ];
  if (line.gitAi) {
    const session = line.gitAi.conversationId ?? line.gitAi.key;
    details.push(`Session: ${escapeMarkdownText(session, 200)} (${line.gitAi.keyKind === 'session' ? 'git-ai session' : 'git-ai legacy prompt'})`);
    if (line.gitAi.humanAuthor) details.push(`Directed by: ${escapeMarkdownText(line.gitAi.humanAuthor, 200)}`);
  }
  if (line.aiShare !== undefined && line.aiShare < 1) details.push(`AI wrote ${formatShare(line.aiShare)} of the characters of these lines; a person wrote the rest`);
  if (line.humanChangedShare !== undefined) details.push(`Changed by a human before the commit: ${formatShare(line.humanChangedShare)} (${HUMAN_CHANGED_EXPLANATION})`);
  details.push(line.review === undefined ? 'Review: git-ai records no review' : reviewLine(line.review));
  if (line.record) details.push(line.record.signatures > 0 ? `Record: signature present, not verified here (${line.record.signatures}; \`vouch verify --allowed-signers\` checks it)` : 'Record: **unsigned**');
  const parts = [`**Vouch** · ${STATE_LABELS['ai-committed']}, ${source}`, details.join('  \n')];
  if (documentUri !== undefined && line.source === 'vouch') {
    const label = line.review?.decision === 'accepted' ? 'Approve as another reviewer…' : 'Approve these AI lines…';
    parts.push(commandLink(label, APPROVE_COMMITTED_COMMAND, { uri: documentUri, line: line.line }));
  }
  return parts.join('\n\n---\n\n');
}

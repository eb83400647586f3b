/**
 * Vouch records as Agent Trace records (https://agent-trace.dev, specification version 0.1.0), one
 * per Vouch record. The record's lines are positions in the blobs of the commit it was written for
 * (`vcs.revision`). Ranges are grouped into one conversation per tool, model and contributor type,
 * since Vouch notes hold no conversation URL. Everything Agent Trace has no field for (review,
 * origin kind, confidence, signatures) goes under `metadata["dev.vouch"]`. Schema:
 * docs/agent-trace-record.schema.json.
 */
import { rangeAiShare, type NoteRange, type NoteRecord } from '../notes/noteRecord';

export const AGENT_TRACE_VERSION = '0.1.0';
export const AGENT_TRACE_VENDOR_KEY = 'dev.vouch';
const MAX_MODEL_ID = 250;

/**
 * A UUID derived from the record id (a sha256 hex): its first 128 bits with the version set to 8
 * (RFC 9562 custom UUID) and the RFC variant, so the same record always exports with the same id.
 */
export function agentTraceId(recordId: string): string {
  if (!/^[0-9a-f]{32,}$/.test(recordId)) throw new Error(`not a record id: ${recordId.slice(0, 80)}`);
  const hex = recordId.slice(0, 32).split('');
  hex[12] = '8';
  hex[16] = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  const text = hex.join('');
  return `${text.slice(0, 8)}-${text.slice(8, 12)}-${text.slice(12, 16)}-${text.slice(16, 20)}-${text.slice(20, 32)}`;
}

/** Model-name prefixes whose provider is known, in models.dev's provider ids. */
const PROVIDERS: readonly (readonly [RegExp, string])[] = [
  [/^claude/i, 'anthropic'],
  [/^(?:gpt|chatgpt|o[1-9](?:-|$)|codex|text-embedding)/i, 'openai'],
  [/^(?:gemini|gemma)/i, 'google'],
  [/^grok/i, 'xai'],
  [/^(?:mistral|codestral|devstral|magistral)/i, 'mistral'],
  [/^deepseek/i, 'deepseek'],
];

/** `provider/model` where the provider is known (or the model already names one), else undefined. */
export function agentTraceModelId(model: string | undefined): string | undefined {
  if (!model) return undefined;
  const trimmed = model.trim();
  if (/^[\w.-]+\/[\w.:@-]+$/.test(trimmed)) return trimmed.slice(0, MAX_MODEL_ID);
  const provider = PROVIDERS.find(([pattern]) => pattern.test(trimmed))?.[1];
  return provider ? `${provider}/${trimmed}`.slice(0, MAX_MODEL_ID) : undefined;
}

export type ContributorType = 'human' | 'ai' | 'mixed' | 'unknown';

export interface AgentTraceContributor {
  readonly type: ContributorType;
  readonly model_id?: string;
}

export interface AgentTraceRange {
  readonly start_line: number;
  readonly end_line: number;
  readonly content_hash?: string;
}

export interface AgentTraceRecord {
  readonly version: string;
  readonly id: string;
  readonly timestamp: string;
  readonly vcs: { readonly type: 'git'; readonly revision: string };
  readonly tool: { readonly name: string; readonly version: string };
  readonly files: readonly {
    readonly path: string;
    readonly conversations: readonly { readonly contributor: AgentTraceContributor; readonly ranges: readonly AgentTraceRange[] }[];
  }[];
  readonly metadata: Readonly<Record<string, unknown>>;
}

/** AI text a person changed before the commit, or lines a person and the AI wrote together (aiShare < 1), are `mixed`; untouched AI text is `ai`. */
function contributorOf(range: NoteRange): AgentTraceContributor {
  const modelId = agentTraceModelId(range.origin.model);
  return { type: range.humanChangedShare > 0 || rangeAiShare(range) < 1 ? 'mixed' : 'ai', ...(modelId ? { model_id: modelId } : {}) };
}

export interface AgentTraceContext {
  /** The commit the note is attached to. */
  readonly annotatedCommit: string;
  /** RFC 3339 time of the record (the annotated commit's committer time). */
  readonly timestamp: string;
  readonly toolVersion: string;
}

export function toAgentTrace(record: NoteRecord, context: AgentTraceContext): AgentTraceRecord {
  const predicate = record.statement.predicate;
  const files = predicate.files.map((file) => {
    const groups = new Map<string, { contributor: AgentTraceContributor; ranges: AgentTraceRange[] }>();
    for (const range of file.ranges) {
      const contributor = contributorOf(range);
      const key = JSON.stringify([range.origin.tool, range.origin.model ?? null, contributor.type]);
      let group = groups.get(key);
      if (!group) groups.set(key, (group = { contributor, ranges: [] }));
      group.ranges.push({ start_line: range.start, end_line: range.end, content_hash: `sha256:${range.sha256}` });
    }
    return { path: file.path, conversations: [...groups.values()] };
  });
  const ranges = predicate.files.flatMap((file) =>
    file.ranges.map((range) => ({
      path: file.path,
      start_line: range.start,
      end_line: range.end,
      tool: range.origin.tool,
      kind: range.origin.kind,
      ...(range.origin.model ? { model: range.origin.model } : {}),
      confidence: range.confidence,
      human_changed_share: range.humanChangedShare,
      ai_share: rangeAiShare(range),
      review: range.review
        ? {
            decision: range.review.decision,
            reviewer: { name: range.review.reviewer.name, email: range.review.reviewer.email },
            reviewed_at: range.review.reviewedAt,
            intent: range.review.intent,
            scope: range.review.scope,
            ...(range.review.scopeNote ? { scope_note: range.review.scopeNote } : {}),
            text_hash: `sha256:${range.review.textHash}`,
          }
        : null,
    })),
  );
  return {
    version: AGENT_TRACE_VERSION,
    id: agentTraceId(record.recordId),
    timestamp: context.timestamp,
    vcs: { type: 'git', revision: predicate.commit },
    tool: { name: 'vouch', version: context.toolVersion },
    files,
    metadata: {
      [AGENT_TRACE_VENDOR_KEY]: {
        record_id: record.recordId,
        annotated_commit: context.annotatedCommit,
        tree: predicate.tree,
        patch_id: predicate.patchId,
        signatures: record.envelope.signatures.length,
        content_hash: 'sha256 of the range\'s lines, each followed by "\\n"',
        ...(predicate.carriedFrom ? { carried_from: { record_id: predicate.carriedFrom.recordId, commit: predicate.carriedFrom.commit, match: predicate.carriedFrom.match } } : {}),
        ranges,
      },
    },
  };
}

/**
 * The review model: turns a file's text and attributed spans into the blocks a person reviews,
 * validates a decision, and builds the Review records the ledger stores on each span. Pure.
 *
 * Rules (issue 6, issue 11 item 10, issue 13 item 5):
 * - A block is one AI insertion, or one contiguous run of AI text, on whole lines: the runs of
 *   contiguous AI lines (the ledger's line rule, shared with the gutter and the notes) are split
 *   between insertions (issue 15: two marks a blank line apart get their own scopes; the panel can
 *   still review them together). Blocks needing review are built from the spans needing review; the accepted blocks
 *   from the accepted spans, on the lines left over. `buildFileBlocks` is the one block builder of
 *   the editor (panel, status bar, staging gate) and the CLI (`check`, `status`, `review`).
 * - A block's state (`blockState`) is one of: 'unreviewed', 'accepted', 'rejected-but-present'
 *   (rejected, but its text is back, e.g. after undoing the removal) and 'changed-after-review'
 *   (accepted, but its text is no longer the text that was reviewed: a person or a tool changed it
 *   since). Every state but 'accepted' needs review: a review vouches for the exact text read.
 * - A decision is only applied to the exact text the person saw: the page sends each block's
 *   textHash back and the host decides against freshly built blocks; a mismatch is refused.
 * - Each span's Review carries the sha256 of that span's exact text. AI edits arrive as new,
 *   unreviewed spans.
 */
import {
  SCOPE_TAGS,
  humanChangedShare,
  type AttributedSpan,
  type Origin,
  type Review,
  type ReviewDecision,
  type Reviewer,
  type ScopeTag,
  type TextReplacement,
} from '../attribution';
import { sha256Hex } from '../textHash';
import { deriveLineAttribution, groupAiLines, type AiLineBlock, type LineAttribution } from '../ledger/lineAttribution';
import { findRiskHints, type RiskCategory, type RiskHint } from './riskHints';
import { lineStartOffsets } from '../text/lines';
import { english, type Translate } from '../text/translate';
import { DISPLAY_SAFE_NAME } from '../text/displayText';

export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

export const MAX_INTENT_LENGTH = 2000;
export const MAX_SCOPE_NOTE_LENGTH = 500;

export interface ReviewFileInput {
  /** Workspace-relative path, as shown to the reviewer. */
  readonly path: string;
  readonly text: string;
  readonly spans: readonly AttributedSpan[];
}

export interface ReviewBlockSpan {
  readonly id: string;
  readonly start: number;
  readonly end: number;
  /** sha256 of the span's current text: what its Review's textHash will be. */
  readonly textHash: string;
}

export interface ReviewBlock {
  /** Stable while the block's spans are the same spans (drafts on the page survive refreshes). */
  readonly id: string;
  readonly path: string;
  readonly spanIds: readonly string[];
  readonly spans: readonly ReviewBlockSpan[];
  /** 1-based, inclusive. */
  readonly startLine: number;
  readonly endLine: number;
  /** The block's whole lines, without line terminators. */
  readonly lines: readonly string[];
  /** sha256 of the block's exact text (its lines joined as in the document). */
  readonly textHash: string;
  /** Distinct origins of the block's spans, in order of appearance. */
  readonly origins: readonly Origin[];
  readonly firstInsertedAt: number;
  readonly lastInsertedAt: number;
  /** 0..1: how much of the AI-inserted text a human has changed since. */
  readonly humanChangedShare: number;
  readonly riskHints: readonly RiskHint[];
  /** Scope tags the risk hints suggest the reviewer considers. */
  readonly suggestedScope: readonly ScopeTag[];
  /** True when a span in the block was rejected but its text is back (undo), so it needs a new decision. */
  readonly previouslyRejected: boolean;
  /** The block's review state (blockState of its spans); every state but 'accepted' needs review. */
  readonly state: BlockState;
  /**
   * True when a line of the block also holds a person's characters (e.g. a typed `function greet(`
   * the AI completed): removing only the AI text would leave them, so a rejection may take the
   * block's whole lines instead (wholeLineRemovals).
   */
  readonly personTextOnLines: boolean;
  /** Where the block sits: up to CONTEXT_LINES lines of the file just above and below it. */
  readonly contextBefore: readonly string[];
  readonly contextAfter: readonly string[];
}

/** Lines of context a block carries above and below it. */
export const CONTEXT_LINES = 2;

export interface ReviewFile {
  readonly path: string;
  readonly blocks: readonly ReviewBlock[];
}

export type SpanReviewStatus = 'unreviewed' | 'accepted' | 'accepted-changed-after-review' | 'rejected-still-present';

const SUGGESTED_SCOPE: Record<RiskCategory, ScopeTag | undefined> = {
  secret: 'secrets',
  network: 'network',
  process: 'processes',
  'file-deletion': 'files',
  'dynamic-eval': 'processes',
  'sql-from-strings': 'data',
  dependency: undefined,
  'auth-crypto': 'secrets',
};

/** The review state of one span given the document's current text. */
export function spanReviewStatus(span: AttributedSpan, documentText: string): SpanReviewStatus {
  const review = span.review;
  if (!review) return 'unreviewed';
  if (review.decision === 'rejected') return 'rejected-still-present';
  return sha256Hex(documentText.slice(span.start, span.end)) === review.textHash ? 'accepted' : 'accepted-changed-after-review';
}

/** Only AI text whose accepted review covers exactly its current text is done; everything else waits for a person. */
export function needsReview(status: SpanReviewStatus): boolean {
  return status !== 'accepted';
}

export type BlockState = 'unreviewed' | 'accepted' | 'rejected-but-present' | 'changed-after-review';

/**
 * The state of a block from the review states of its spans: 'unreviewed' when any span has no
 * review, else 'rejected-but-present' when any rejected span's text is there, else
 * 'changed-after-review' when any accepted span's text changed since, else 'accepted'.
 */
export function blockState(statuses: Iterable<SpanReviewStatus>): BlockState {
  let rejected = false;
  let changed = false;
  for (const status of statuses) {
    if (status === 'unreviewed') return 'unreviewed';
    if (status === 'rejected-still-present') rejected = true;
    else if (status === 'accepted-changed-after-review') changed = true;
  }
  return rejected ? 'rejected-but-present' : changed ? 'changed-after-review' : 'accepted';
}

export function blockNeedsReview(state: BlockState): boolean {
  return state !== 'accepted';
}

/** Files that have blocks to review, sorted by path; files with none are left out. */
export function buildReviewFiles(inputs: readonly ReviewFileInput[]): ReviewFile[] {
  return inputs
    .map((input) => ({ path: input.path, blocks: buildReviewBlocks(input) }))
    .filter((file) => file.blocks.length > 0)
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * The scope tags the blocks' risk hints suggest that `scope` leaves out: what the panel and
 * `vouch review` warn about before an accept ("none" leaves out every suggestion).
 */
export function uncoveredScope(blocks: readonly Pick<ReviewBlock, 'suggestedScope'>[], scope: readonly string[]): ScopeTag[] {
  const suggested = new Set(blocks.flatMap((block) => block.suggestedScope));
  return SCOPE_TAGS.filter((tag) => tag !== 'none' && suggested.has(tag) && !scope.includes(tag));
}

/** "Next AI block": the first line of the first block that starts below `line` (1-based), wrapping to the first block. */
export function nextBlockStartLine(blocks: readonly Pick<ReviewBlock, 'startLine'>[], line: number): number | undefined {
  const starts = blocks.map((block) => block.startLine).sort((a, b) => a - b);
  return starts.find((start) => start > line) ?? starts[0];
}

/**
 * The blocks of a file that need review (every state but 'accepted'), by line: the same blocks as
 * buildFileBlocks filtered by state, without building the accepted blocks (their risk hints and
 * hashes are most of the pre-commit check's work when every block is reviewed).
 */
export function buildReviewBlocks(input: ReviewFileInput): ReviewBlock[] {
  return buildBlocks(input, false).filter((block) => blockNeedsReview(block.state));
}

/**
 * Every AI block of a file with its state, sorted by line: the one block builder. Blocks follow
 * the project's one line rule (ledger/lineAttribution.ts, also used by the gutter and the notes):
 * the lines of the spans that need review, grouped into runs of contiguous lines and split between
 * insertions (insertionBlocks), then the lines of the accepted spans that are in none of those
 * blocks, grouped the same way. A span of only
 * whitespace has no AI line of its own; it joins the block whose lines hold it, or is shown
 * nowhere (as in the gutter and the notes).
 */
export function buildFileBlocks(input: ReviewFileInput): ReviewBlock[] {
  return buildBlocks(input, true);
}

/**
 * How many blocks of a file need review: buildReviewBlocks(input).length without building them
 * (no risk hints, no hashes of block text), for the status bar and the CodeLens, which recount
 * after typing pauses.
 */
export function countReviewBlocks(input: ReviewFileInput): number {
  if (input.spans.length === 0) return 0;
  const { pending } = spansByReviewStatus(input);
  return insertionBlocks(deriveLineAttribution(input.text, pending), pending).length;
}

/** The spans of a file clamped to its text and split by whether they need review, each sorted by start. */
function spansByReviewStatus(input: ReviewFileInput): { pending: AttributedSpan[]; accepted: AttributedSpan[]; statusById: Map<string, SpanReviewStatus> } {
  const { text } = input;
  const pending: AttributedSpan[] = [];
  const accepted: AttributedSpan[] = [];
  const statusById = new Map<string, SpanReviewStatus>();
  for (const span of input.spans) {
    const start = clamp(span.start, 0, text.length);
    const end = clamp(span.end, start, text.length);
    if (end === start) continue;
    const clamped = start === span.start && end === span.end ? span : { ...span, start, end };
    const status = spanReviewStatus(clamped, text);
    statusById.set(span.id, status);
    (needsReview(status) ? pending : accepted).push(clamped);
  }
  const byStart = (a: AttributedSpan, b: AttributedSpan) => a.start - b.start || a.end - b.end;
  pending.sort(byStart);
  accepted.sort(byStart);
  return { pending, accepted, statusById };
}

function buildBlocks(input: ReviewFileInput, withAccepted: boolean): ReviewBlock[] {
  const { text } = input;
  const { pending, accepted, statusById } = spansByReviewStatus(input);
  const lineStarts = lineStartOffsets(text);
  const pendingBlocks = blocksOfSpans(input, pending, insertionBlocks(deriveLineAttribution(text, pending), pending), statusById, lineStarts);
  if (accepted.length === 0 || !withAccepted) return pendingBlocks;
  const taken = new Uint8Array(lineStarts.length);
  for (const block of pendingBlocks) taken.fill(1, block.startLine - 1, block.endLine);
  const acceptedLines = deriveLineAttribution(text, accepted).filter((line) => taken[line.line] !== 1);
  const acceptedBlocks = blocksOfSpans(input, accepted, insertionBlocks(acceptedLines, accepted), statusById, lineStarts);
  return [...pendingBlocks, ...acceptedBlocks].sort((a, b) => a.startLine - b.startLine);
}

/**
 * What makes two spans one AI insertion: the same origin and insertion time. The parts of a span a
 * person split keep both, and so do the spans one AI edit event made in several places.
 */
export function insertionKey(span: AttributedSpan): string {
  const { kind, tool, model, session } = span.origin;
  return JSON.stringify([kind, tool, model ?? '', session ?? '', span.insertedAt]);
}

/**
 * Splits the runs of contiguous AI lines (groupAiLines) into review blocks, one per AI insertion
 * or contiguous run of AI text: two spans are in one block when a line holds both, when they come
 * from one insertion, or when they touch (no character between them). A blank line between two
 * blocks belongs to neither. A block is still whole lines: blocks whose lines would interleave are
 * one block. `spans` must be sorted by start.
 */
interface LineGroup extends AiLineBlock {
  /** A line of the group is 'mixed': it holds a person's characters too. */
  readonly mixed: boolean;
}

function insertionBlocks(lines: readonly LineAttribution[], spans: readonly AttributedSpan[]): LineGroup[] {
  const parent = new Map<string, string>();
  const find = (id: string): string => {
    let root = id;
    while (parent.has(root) && parent.get(root) !== root) root = parent.get(root)!;
    parent.set(id, root);
    return root;
  };
  const union = (a: string, b: string): void => {
    const rootA = find(a);
    const rootB = find(b);
    if (rootA !== rootB) parent.set(rootB, rootA);
  };
  const byKey = new Map<string, string>();
  for (let index = 0; index < spans.length; index++) {
    const span = spans[index];
    find(span.id);
    const key = insertionKey(span);
    const first = byKey.get(key);
    if (first === undefined) byKey.set(key, span.id);
    else union(first, span.id);
    if (index > 0 && spans[index - 1].end >= span.start) union(spans[index - 1].id, span.id);
  }
  const isBlank = (line: LineAttribution): boolean => line.nonWhitespaceChars === 0;
  for (const line of lines) if (!isBlank(line)) for (const id of line.spanIds.slice(1)) union(line.spanIds[0], id);

  const result: LineGroup[] = [];
  let lineIndex = 0;
  for (const run of groupAiLines(lines)) {
    // Each line of the run joins its insertion group; a blank line between two groups joins none.
    const groups = new Map<string, { startLine: number; endLine: number; spanIds: Set<string>; mixed: boolean }>();
    for (; lineIndex < lines.length && lines[lineIndex].line <= run.endLine; lineIndex++) {
      const line = lines[lineIndex];
      if (line.kind === 'human' || line.line < run.startLine) continue;
      const roots = new Set(line.spanIds.map(find));
      if (roots.size !== 1) continue;
      const root = roots.values().next().value as string;
      const group = groups.get(root) ?? { startLine: line.line, endLine: line.line, spanIds: new Set<string>(), mixed: false };
      group.endLine = line.line;
      if (line.kind === 'mixed') group.mixed = true;
      for (const id of line.spanIds) group.spanIds.add(id);
      groups.set(root, group);
    }
    // Lines are whole: groups whose line ranges overlap form one block.
    let current: { startLine: number; endLine: number; spanIds: Set<string>; mixed: boolean } | undefined;
    const flush = () => {
      if (current) result.push({ startLine: current.startLine, endLine: current.endLine, spanIds: [...current.spanIds], mixed: current.mixed });
    };
    for (const group of [...groups.values()].sort((a, b) => a.startLine - b.startLine)) {
      if (current && group.startLine <= current.endLine) {
        current.endLine = Math.max(current.endLine, group.endLine);
        current.mixed ||= group.mixed;
        for (const id of group.spanIds) current.spanIds.add(id);
      } else {
        flush();
        current = group;
      }
    }
    flush();
  }
  return result;
}

function blocksOfSpans(
  input: ReviewFileInput,
  spansByStart: readonly AttributedSpan[],
  lineBlocks: readonly LineGroup[],
  statusById: ReadonlyMap<string, SpanReviewStatus>,
  lineStarts: readonly number[],
): ReviewBlock[] {
  const { path, text } = input;
  const assigned = new Set<string>();
  let cursor = 0;
  return lineBlocks.map((lineBlock) => {
    const startLine = lineBlock.startLine + 1;
    const endLine = lineBlock.endLine + 1;
    const startOffset = lineStarts[startLine - 1];
    const endOffset = endLine < lineStarts.length ? lineStarts[endLine] - 1 : text.length;
    // The block's spans: those the line rule names, plus whitespace-only spans lying in its lines.
    const named = new Set(lineBlock.spanIds);
    const group: AttributedSpan[] = [];
    while (cursor < spansByStart.length && spansByStart[cursor].end <= startOffset) cursor++;
    for (let index = cursor; index < spansByStart.length && spansByStart[index].start <= endOffset; index++) {
      const span = spansByStart[index];
      // The line rule keeps a span's lines contiguous, so a named span is in one block; a
      // whitespace-only span joins the first block whose lines hold it.
      if (named.has(span.id) || (!assigned.has(span.id) && span.start >= startOffset && span.end <= endOffset + 1)) {
        group.push(span);
        assigned.add(span.id);
      }
    }
    const code = text.slice(startOffset, endOffset);
    const spans = group.map((span) => ({ id: span.id, start: span.start, end: span.end, textHash: sha256Hex(text.slice(span.start, span.end)) }));
    const spanIds = spans.map((s) => s.id);
    const riskHints = findRiskHints(code, path, { textBefore: text.slice(0, startOffset) });
    const statuses = group.map((span) => statusById.get(span.id) ?? 'unreviewed');
    return {
      id: blockId(path, spanIds),
      path,
      spanIds,
      spans,
      startLine,
      endLine,
      lines: code.split('\n').map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line)),
      textHash: sha256Hex(code),
      origins: distinctOrigins(group.map((span) => span.origin)),
      firstInsertedAt: Math.min(...group.map((span) => span.insertedAt)),
      lastInsertedAt: Math.max(...group.map((span) => span.insertedAt)),
      humanChangedShare: combinedHumanChangedShare(group),
      riskHints,
      suggestedScope: SCOPE_TAGS.filter((tag) => riskHints.some((hint) => SUGGESTED_SCOPE[hint.category] === tag)),
      previouslyRejected: statuses.includes('rejected-still-present'),
      state: blockState(statuses),
      personTextOnLines: lineBlock.mixed,
      contextBefore: linesOf(text, lineStarts, Math.max(0, startLine - 1 - CONTEXT_LINES), startLine - 1),
      contextAfter: linesOf(text, lineStarts, endLine, Math.min(lineStarts.length, endLine + CONTEXT_LINES)),
    };
  });
}

export function blockId(path: string, spanIds: readonly string[]): string {
  return `blk-${sha256Hex(`${path}\u0000${[...spanIds].sort().join('\u0000')}`).slice(0, 20)}`;
}

function combinedHumanChangedShare(spans: readonly AttributedSpan[]): number {
  const inserted = spans.reduce((sum, s) => sum + Math.max(0, s.insertedLength), 0);
  if (inserted === 0) return 0;
  const changed = spans.reduce((sum, s) => sum + humanChangedShare(s) * Math.max(0, s.insertedLength), 0);
  return Math.min(1, changed / inserted);
}

function distinctOrigins(origins: readonly Origin[]): Origin[] {
  const seen = new Set<string>();
  const result: Origin[] = [];
  for (const origin of origins) {
    const key = JSON.stringify([origin.kind, origin.tool, origin.model ?? '']);
    if (seen.has(key)) continue;
    seen.add(key);
    result.push(origin.model === undefined ? { kind: origin.kind, tool: origin.tool } : { kind: origin.kind, tool: origin.tool, model: origin.model });
  }
  return result;
}

// ---- Decisions ----

export interface ReviewRequest {
  readonly decision: ReviewDecision;
  readonly intent: string;
  /** Checked against SCOPE_TAGS here; typed loosely because it arrives from the page and the CLI. */
  readonly scope: readonly string[];
  readonly scopeNote?: string;
  readonly reviewer: Reviewer;
  readonly now: Date | number;
}

/** A decision as it is recorded: a Review before the hash of the text it applies to is known. */
export type ValidReviewRequest = Omit<Review, 'textHash'>;

/** Validates and normalises a decision (trims, CRLF to LF, canonical scope order). */
export function validateReviewRequest(request: ReviewRequest, t: Translate = english): Result<ValidReviewRequest> {
  if (request.decision !== 'accepted' && request.decision !== 'rejected') return fail(t('Unknown decision "{0}".', String(request.decision)));
  const intent = normalizeText(request.intent);
  if (typeof intent !== 'string') return fail(t('Intent must be text.'));
  // A rejection removes the code; asking why would only slow the person down (it is recorded when given).
  if (intent.length === 0 && request.decision === 'accepted') return fail(t('Intent is required: say what this code is for.'));
  if (intent.length > MAX_INTENT_LENGTH) return fail(t('Intent is too long ({0} characters, at most {1}).', intent.length, MAX_INTENT_LENGTH));
  const intentProblem = unsafeCharacterProblem(intent, t('Intent'), t);
  if (intentProblem) return fail(intentProblem);

  const scopeNote = request.scopeNote === undefined ? '' : normalizeText(request.scopeNote);
  if (typeof scopeNote !== 'string') return fail(t('Scope note must be text.'));
  if (scopeNote.length > MAX_SCOPE_NOTE_LENGTH) return fail(t('Scope note is too long ({0} characters, at most {1}).', scopeNote.length, MAX_SCOPE_NOTE_LENGTH));
  const noteProblem = unsafeCharacterProblem(scopeNote, t('Scope note'), t);
  if (noteProblem) return fail(noteProblem);

  if (!Array.isArray(request.scope)) return fail(t('Scope must be a list of tags.'));
  const unknown = request.scope.filter((tag) => !(SCOPE_TAGS as readonly string[]).includes(tag));
  if (unknown.length > 0) return fail(t('Unknown scope tag(s): {0}. Known: {1}.', unknown.map((tag) => JSON.stringify(tag)).join(', '), SCOPE_TAGS.join(', ')));
  const scope = SCOPE_TAGS.filter((tag) => request.scope.includes(tag));
  if (scope.includes('none') && scope.length > 1) return fail(t('Scope "none" cannot be combined with other scope tags.'));
  if (request.decision === 'accepted' && scope.length === 0 && scopeNote.length === 0) {
    return fail(t('Scope is required to accept: choose what this code may touch, or "none".'));
  }

  const reviewer = request.reviewer;
  const name = typeof reviewer?.name === 'string' ? reviewer.name.trim() : '';
  const email = typeof reviewer?.email === 'string' ? reviewer.email.trim() : '';
  if (!name || !email) return fail(t('The reviewer needs a name and an email (git user.name and user.email).'));
  // The note parser refuses such names; refusing them here stops a review that could never be recorded.
  if (!DISPLAY_SAFE_NAME.test(name) || !DISPLAY_SAFE_NAME.test(email)) return fail(t('The reviewer name and email (git user.name and user.email) must not hold control, invisible or bidi characters, or start like a CI workflow command.'));
  const signingKey = typeof reviewer.signingKey === 'string' && reviewer.signingKey.trim() ? reviewer.signingKey.trim() : undefined;

  const time = request.now instanceof Date ? request.now.getTime() : request.now;
  if (typeof time !== 'number' || !Number.isFinite(time)) return fail(t('The review time is not a valid time.'));

  return {
    ok: true,
    value: {
      decision: request.decision,
      intent,
      scope,
      ...(scopeNote ? { scopeNote } : {}),
      reviewer: signingKey ? { name, email, signingKey } : { name, email },
      reviewedAt: new Date(time).toISOString(),
    },
  };
}

/** The Review of one exact text (a span's text); used by the panel, the hover and `vouch review`. */
export function createReview(request: ReviewRequest & { readonly text: string }, t: Translate = english): Result<Review> {
  if (typeof request.text !== 'string') return fail(t('The reviewed text is missing.'));
  const valid = validateReviewRequest(request, t);
  if (!valid.ok) return valid;
  return { ok: true, value: reviewOf(valid.value, sha256Hex(request.text)) };
}

export interface BlockSelection {
  readonly blockId: string;
  /** The block textHash the reviewer saw. */
  readonly textHash: string;
}

export interface SpanReview {
  readonly path: string;
  readonly spanId: string;
  readonly review: Review;
}

/**
 * The Reviews to set, one per span, for a decision on blocks the reviewer saw. `currentBlocks` must
 * be built from the current text; a block that is gone or changed since it was shown is refused,
 * so a review always covers exactly the text that was read.
 */
export function reviewBlocks(currentBlocks: readonly ReviewBlock[], selection: readonly BlockSelection[], request: ReviewRequest, t: Translate = english): Result<SpanReview[]> {
  if (selection.length === 0) return fail(t('No block was chosen.'));
  const valid = validateReviewRequest(request, t);
  if (!valid.ok) return valid;
  const byId = new Map(currentBlocks.map((block) => [block.id, block]));
  const result: SpanReview[] = [];
  const seen = new Set<string>();
  for (const { blockId: id, textHash } of selection) {
    if (seen.has(id)) continue;
    seen.add(id);
    const block = byId.get(id);
    if (!block) return fail(t('A chosen block is no longer waiting for review (it was reviewed or changed elsewhere). Read it again.'));
    if (block.textHash !== textHash) return fail(t('{0} lines {1}-{2} changed since it was shown. Read it again before deciding.', block.path, block.startLine, block.endLine));
    for (const span of block.spans) result.push({ path: block.path, spanId: span.id, review: reviewOf(valid.value, span.textHash) });
  }
  return { ok: true, value: result };
}

/**
 * The deletions that remove rejected AI text (offsets into `text`, sorted, not overlapping). A
 * span that held whole lines takes those lines with it, so no blank line is left where the AI
 * code was; a span inside a line removes just its characters.
 */
export function rejectionRemovals(text: string, spans: readonly Pick<AttributedSpan, 'start' | 'end'>[]): TextReplacement[] {
  const ranges = spans
    .map((span) => ({ start: clamp(span.start, 0, text.length), end: clamp(span.end, 0, text.length) }))
    .filter((range) => range.end > range.start)
    .sort((a, b) => a.start - b.start);
  const merged: Array<{ start: number; end: number }> = [];
  for (const range of ranges) {
    const last = merged[merged.length - 1];
    if (last && range.start <= last.end) last.end = Math.max(last.end, range.end);
    else merged.push({ ...range });
  }
  const widened = merged.map(({ start, end }) => {
    const lineStart = text.lastIndexOf('\n', start - 1) + 1;
    const newline = text.indexOf('\n', text[end - 1] === '\n' ? end - 1 : end);
    const lineEnd = newline < 0 ? text.length : newline;
    const blankBefore = /^[ \t]*$/.test(text.slice(lineStart, start));
    const blankAfter = /^[ \t\r]*$/.test(text.slice(Math.max(end, lineStart), lineEnd));
    if (!blankBefore || !blankAfter) return { start, end };
    if (newline >= 0) return { start: lineStart, end: newline + 1 };
    // The last line of the file: take the line break before it instead.
    return { start: lineStart > 0 ? lineStart - 1 : 0, end: text.length };
  });
  return mergedDeletions(widened);
}

/** Deletions of `ranges` (sorted by start), touching or overlapping ones merged. */
function mergedDeletions(ranges: ReadonlyArray<{ readonly start: number; readonly end: number }>): TextReplacement[] {
  const result: TextReplacement[] = [];
  for (const range of ranges) {
    const last = result[result.length - 1];
    if (last && range.start <= last.offset + last.deletedLength) {
      const end = Math.max(last.offset + last.deletedLength, range.end);
      result[result.length - 1] = { offset: last.offset, deletedLength: end - last.offset, insertedText: '' };
    } else {
      result.push({ offset: range.start, deletedLength: range.end - range.start, insertedText: '' });
    }
  }
  return result;
}

/**
 * The deletions that remove the whole lines of rejected blocks (1-based, inclusive), line breaks
 * included: what a person asks for when a block's lines also hold their half-typed text, which
 * would not compile without the AI's part. Sorted, merged; the last line of the file takes the
 * line break before it.
 */
export function wholeLineRemovals(text: string, blocks: readonly Pick<ReviewBlock, 'startLine' | 'endLine'>[]): TextReplacement[] {
  const lineStarts = lineStartOffsets(text);
  const ranges = blocks
    .filter((block) => Number.isInteger(block.startLine) && Number.isInteger(block.endLine) && block.startLine >= 1 && block.endLine >= block.startLine && block.startLine <= lineStarts.length)
    .map((block) => {
      const start = lineStarts[block.startLine - 1];
      if (block.endLine < lineStarts.length) return { start, end: lineStarts[block.endLine] };
      // The block ends on the last line: take the line break before it instead.
      return { start: start > 0 ? start - 1 : 0, end: text.length };
    })
    .sort((a, b) => a.start - b.start);
  return mergedDeletions(ranges);
}

function reviewOf(request: ValidReviewRequest, textHash: string): Review {
  return {
    decision: request.decision,
    intent: request.intent,
    scope: request.scope,
    ...(request.scopeNote ? { scopeNote: request.scopeNote } : {}),
    reviewer: request.reviewer,
    reviewedAt: request.reviewedAt,
    textHash,
  };
}

function normalizeText(value: unknown): string | undefined {
  return typeof value === 'string' ? value.replace(/\r\n?/g, '\n').trim() : undefined;
}

/** Control characters and bidirectional overrides would make the recorded text read differently than it is. */
function unsafeCharacterProblem(value: string, label: string, t: Translate): string | undefined {
  if (/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/.test(value)) return t('{0} contains control characters.', label);
  if (/[\u202a-\u202e\u2066-\u2069]/.test(value)) return t('{0} contains bidirectional override characters.', label);
  return undefined;
}

function fail<T>(reason: string): Result<T> {
  return { ok: false, reason };
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, Number.isFinite(value) ? value : low));
}

/** Lines [from, to) (0-based) of the text, without line terminators. */
function linesOf(text: string, lineStarts: readonly number[], from: number, to: number): string[] {
  const lines: string[] = [];
  for (let line = from; line < to; line++) {
    const end = line + 1 < lineStarts.length ? lineStarts[line + 1] - 1 : text.length;
    const content = text.slice(lineStarts[line], end);
    lines.push(content.endsWith('\r') ? content.slice(0, -1) : content);
  }
  return lines;
}

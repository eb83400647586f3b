/**
 * Which lines of a document get a gutter mark, and which look: derived from the ledger's spans by
 * the ledger's own line rule (`deriveLineAttribution`), from each span's review state, and from
 * the committed AI lines that blame + notes found. Pure and fast: it runs on every attribution
 * change of a visible editor.
 *
 * States of an AI line (uncommitted lines win over committed ones):
 * - 'ai-accepted': every span on the line has an accepted review whose text hash still equals the
 *   span's current text.
 * - 'ai-human-changed': otherwise, when a human changed this AI text: a span on the line has
 *   humanChangedChars > 0 (a person replaced or deleted some of what the AI inserted), or a span
 *   was accepted and its text changed after the review, or a person typed inside the AI text on
 *   this line (human non-whitespace text between AI characters). Human text only before or after
 *   the AI text on a line (the prefix typed before accepting a completion) is not a change.
 * - 'ai-unreviewed': any other AI line (no review yet, or a rejected span whose text is back).
 * - 'ai-committed': a line that git blame assigns to an earlier commit whose note says AI wrote it,
 *   and that holds no uncommitted AI text.
 */
import type { AttributedSpan } from '../attribution';
import { deriveLineAttribution, type LineAttribution } from '../ledger/lineAttribution';
import { spanReviewStatus, type SpanReviewStatus } from '../review/reviewModel';
import { sha256Hex } from '../textHash';
import { spanExcerpt, type LineSource } from '../text/spanExcerpt';
import type { LineWithSpans } from '../review/blocksKept';

export type LineMarkState = 'ai-unreviewed' | 'ai-accepted' | 'ai-human-changed' | 'ai-committed';

export const LINE_MARK_STATES: readonly LineMarkState[] = ['ai-unreviewed', 'ai-accepted', 'ai-human-changed', 'ai-committed'];

/** Consecutive lines with the same state; 0-based, inclusive. */
export interface LineRun {
  readonly startLine: number;
  readonly endLine: number;
}

export interface UncommittedLineMark {
  readonly line: number;
  readonly state: Exclude<LineMarkState, 'ai-committed'>;
  readonly lineKind: LineAttribution['kind'];
  readonly spanIds: readonly string[];
}

export interface LineMarks {
  /** Runs of lines per state, sorted; the decorations of one editor. */
  readonly runs: Readonly<Record<LineMarkState, readonly LineRun[]>>;
  /** Uncommitted AI lines, sorted by line. */
  readonly uncommitted: readonly UncommittedLineMark[];
  /** Committed AI lines shown (those without uncommitted AI text), sorted. */
  readonly committedLines: readonly number[];
  /** Lines of the text ('\n'-separated, so a trailing newline adds an empty last line). */
  readonly lineCount: number;
}

/**
 * Remembers each span's review status between computations: a status needs a sha256 of the span's
 * text only when the span is reviewed, and only again when that text changed.
 */
export class SpanStatusCache {
  private entries = new Map<string, { readonly reviewHash: string; readonly text: string; readonly status: SpanReviewStatus }>();

  /**
   * @param sha256Of sha256 (hex) of UTF-8 text; must equal `sha256Hex`. The host passes node's
   * native hash, several times faster on short texts than the pure one core uses by default.
   */
  constructor(private readonly sha256Of: (text: string) => string = sha256Hex) {}

  statusOf(span: AttributedSpan, documentText: string): SpanReviewStatus {
    const review = span.review;
    if (!review || review.decision === 'rejected') return spanReviewStatus(span, documentText);
    const text = documentText.slice(span.start, span.end);
    const cached = this.entries.get(span.id);
    if (cached && cached.reviewHash === review.textHash && cached.text === text) return cached.status;
    // spanReviewStatus's rule for an accepted review, with the injected hash.
    const status: SpanReviewStatus = this.sha256Of(text) === review.textHash ? 'accepted' : 'accepted-changed-after-review';
    this.entries.set(span.id, { reviewHash: review.textHash, text, status });
    return status;
  }

  /** Drops entries of spans that are gone (call after a computation with the live spans by id). */
  retain(liveSpans: ReadonlyMap<string, unknown>): void {
    for (const id of this.entries.keys()) if (!liveSpans.has(id)) this.entries.delete(id);
  }
}

export function countLines(text: string): number {
  let count = 1;
  for (let index = text.indexOf('\n'); index >= 0; index = text.indexOf('\n', index + 1)) count++;
  return count;
}

function isWhitespaceCode(code: number): boolean {
  return code === 32 || (code >= 9 && code <= 13) || (code >= 128 && /\s/.test(String.fromCharCode(code)));
}

/** True when the line holds human non-whitespace text between two AI characters of the given spans. */
function hasHumanTextInsideAi(text: string, lineStart: number, spanIds: readonly string[], spansById: ReadonlyMap<string, AttributedSpan>): boolean {
  let lineEnd = text.indexOf('\n', lineStart);
  if (lineEnd < 0) lineEnd = text.length;
  const spans = spanIds.flatMap((id) => spansById.get(id) ?? []).sort((a, b) => a.start - b.start);
  const inAi = (offset: number) => spans.some((span) => span.start <= offset && offset < span.end);
  let seenAi = false;
  let humanAfterAi = false;
  for (let offset = lineStart; offset < lineEnd; offset++) {
    if (isWhitespaceCode(text.charCodeAt(offset))) continue;
    if (inAi(offset)) {
      if (humanAfterAi) return true;
      seenAi = true;
    } else if (seenAi) {
      humanAfterAi = true;
    }
  }
  return false;
}

/** The state of one uncommitted AI line (see the rules at the top of this file). */
export function uncommittedLineState(
  line: LineAttribution,
  spansById: ReadonlyMap<string, AttributedSpan>,
  documentText: string,
  cache: Pick<SpanStatusCache, 'statusOf'>,
  lineStart?: number,
): UncommittedLineMark['state'] {
  let allAccepted = true;
  let humanChanged = line.kind === 'mixed' && lineStart !== undefined && hasHumanTextInsideAi(documentText, lineStart, line.spanIds, spansById);
  for (const id of line.spanIds) {
    const span = spansById.get(id);
    if (!span) continue;
    const status = cache.statusOf(span, documentText);
    if (status !== 'accepted') allAccepted = false;
    if (status === 'accepted-changed-after-review' || span.humanChangedChars > 0) humanChanged = true;
  }
  if (allAccepted && line.spanIds.length > 0) return 'ai-accepted';
  return humanChanged ? 'ai-human-changed' : 'ai-unreviewed';
}

/**
 * Line marks of a document. `committedLines` (0-based, any order) are the lines blame + notes found
 * AI-written in earlier commits; pass none when the gutter shows uncommitted lines only.
 */
export function computeLineMarks(
  text: string,
  spans: readonly AttributedSpan[],
  committedLines: readonly number[] = [],
  cache: SpanStatusCache = new SpanStatusCache(),
): LineMarks {
  return assembleLineMarks(uncommittedLineMarks(text, spans, cache), committedLines, countLines(text));
}

/**
 * computeLineMarks of a text read by lines (an editor document): the same marks, from the lines
 * around the spans only (spanExcerpt), never the whole text.
 */
export function computeLineMarksOfSource(
  source: LineSource,
  spans: readonly AttributedSpan[],
  committedLines: readonly number[] = [],
  cache: SpanStatusCache = new SpanStatusCache(),
): LineMarks {
  const excerpt = spanExcerpt(source, spans);
  const uncommitted = uncommittedLineMarks(excerpt.text, excerpt.spans, cache).map((mark) => ({ ...mark, line: excerpt.documentLine(mark.line) }));
  return assembleLineMarks(uncommitted, committedLines, source.lineCount);
}

/**
 * An edit in lines: lines [firstLine, oldLastLine] of the text before it are lines [firstLine,
 * newLastLine] after it; the inserted text is [start, end) of the text after it.
 */
export interface LineEdit {
  readonly firstLine: number;
  readonly oldLastLine: number;
  readonly newLastLine: number;
  readonly start: number;
  readonly end: number;
}

export interface UncommittedMarksUpdate {
  /** The uncommitted AI lines of the text after the edit, sorted by line (`previous` itself when unchanged). */
  readonly uncommitted: readonly UncommittedLineMark[];
  /** No line moved and every mark is as it was: what the editor shows needs no update. */
  readonly unchanged: boolean;
  /** Lines whose marks were derived again (the others were kept or moved): the update's cost in lines. */
  readonly linesDerived: number;
  /**
   * A line's mark differs from the one it had before the edit (moved with its line when the edit
   * added or removed lines above it): what an editor, which moves its decorations with the text,
   * does not show by itself.
   */
  readonly marksChanged: boolean;
}

/**
 * The uncommitted marks after one edit, from those before it: only the lines the edit can change
 * are derived again, from the spans on them (`spansInRange`, sorted by start, as the ledger gives
 * them); the others are kept, moved by the lines the edit added or removed. The same marks as
 * computeLineMarks over the whole text after the edit (property-tested), for the cost of the lines
 * around the edit, not of every span. Those lines: the edit's, every line of a span on them or
 * next to the edit (a span the edit split or cut shows it on all its lines), and the blank lines next to them (a
 * blank line takes its state from the nearest non-blank lines), grown until no span crosses out;
 * the non-blank line on each side is read for context and kept.
 */
export function updateUncommittedMarks(
  previous: readonly UncommittedLineMark[],
  edit: LineEdit,
  source: LineSource,
  spansInRange: (start: number, end: number) => readonly AttributedSpan[],
  cache: Pick<SpanStatusCache, 'statusOf'>,
): UncommittedMarksUpdate {
  const lineCount = source.lineCount;
  const lineEnd = (line: number) => (line + 1 < lineCount ? source.lineStart(line + 1) : source.length);
  const isBlankLine = (line: number) => isBlankText(source.slice(source.lineStart(line), lineEnd(line)));
  const lineOf = (offset: number) => source.lineAt(Math.max(0, Math.min(source.length, offset)));
  const singleLine = edit.firstLine === edit.newLastLine && edit.oldLastLine === edit.newLastLine;
  if (singleLine && edit.firstLine < lineCount) {
    const start = source.lineStart(edit.firstLine);
    const end = lineEnd(edit.firstLine);
    const line = { line: edit.firstLine, start, end, text: source.slice(start, end) };
    if (editKeepsEveryMark(previous, edit, line, spansInRange)) return { uncommitted: previous, unchanged: true, linesDerived: 0, marksChanged: false };
  }
  const delta = edit.newLastLine - edit.oldLastLine;
  if (delta === 1 && edit.firstLine === edit.oldLastLine && edit.newLastLine < lineCount) {
    // A line break typed in a person's line (Enter while writing code beside AI code): when the
    // line had no mark, is not blank after it and no span is on or next to its two lines, each
    // line keeps its mark and those below move down one. The two lines are a person's, and a
    // blank line near them takes no AI state from a person's line, as before.
    const line = edit.firstLine;
    const from = firstMarkAtOrAfter(previous, line);
    if (previous[from]?.line !== line && !isBlankLine(line) && spansInRange(Math.max(0, source.lineStart(line) - 1), lineEnd(line + 1) + 1).length === 0) {
      return { uncommitted: movedMarks(previous.slice(0, from), previous, from, delta), unchanged: false, linesDerived: 0, marksChanged: false };
    }
  }
  let first = Math.max(0, Math.min(edit.firstLine, lineCount - 1));
  let last = Math.max(first, Math.min(edit.newLastLine, lineCount - 1));
  for (const span of spansInRange(Math.max(0, edit.start - 1), edit.end + 1)) {
    first = Math.min(first, lineOf(span.start));
    last = Math.max(last, lineOf(Math.max(span.start, span.end - 1)));
  }
  for (;;) {
    while (first > 0 && isBlankLine(first - 1)) first--;
    while (last + 1 < lineCount && isBlankLine(last + 1)) last++;
    let grown = false;
    for (const span of spansInRange(source.lineStart(first), lineEnd(last))) {
      const spanFirst = lineOf(span.start);
      const spanLast = lineOf(Math.max(span.start, span.end - 1));
      if (spanFirst < first) [first, grown] = [spanFirst, true];
      if (spanLast > last) [last, grown] = [spanLast, true];
    }
    if (!grown) break;
  }
  // The non-blank line on each side (or none) decides the blank lines at the window's edges.
  const contextFirst = Math.max(0, first - 1);
  const contextLast = Math.min(lineCount - 1, last + 1);
  const excerpt = spanExcerpt(source, spansInRange(source.lineStart(contextFirst), lineEnd(contextLast)));
  const derived = uncommittedLineMarks(excerpt.text, excerpt.spans, cache, false)
    .map((mark) => ({ ...mark, line: excerpt.documentLine(mark.line) }))
    .filter((mark) => mark.line >= first && mark.line <= last);
  // The previous marks of the window's lines in the text before the edit: [first, last - delta].
  const from = firstMarkAtOrAfter(previous, first);
  const to = firstMarkAtOrAfter(previous, last - delta + 1);
  const linesDerived = contextLast - contextFirst + 1;
  // The window's marks before the edit, each on the line it moved to (lines below the edit moved by delta).
  const sameAsMoved =
    to - from === derived.length &&
    derived.every((mark, index) => {
      const was = previous[from + index];
      return sameMark(mark, was.line > edit.oldLastLine ? { ...was, line: was.line + delta } : was);
    });
  if (delta === 0 && sameAsMoved) return { uncommitted: previous, unchanged: true, linesDerived, marksChanged: false };
  const head: UncommittedLineMark[] = previous.slice(0, from);
  for (const mark of derived) head.push(mark);
  return { uncommitted: movedMarks(head, previous, to, delta), unchanged: false, linesDerived, marksChanged: !sameAsMoved };
}

/** `head` followed by the marks of `previous` from index `from` on, moved by `delta` lines: one array, filled in a loop (a line break moves every mark below it, thousands in a big file). */
function movedMarks(head: UncommittedLineMark[], previous: readonly UncommittedLineMark[], from: number, delta: number): UncommittedLineMark[] {
  for (let index = from; index < previous.length; index++) {
    const mark = previous[index];
    head.push(delta === 0 ? mark : { line: mark.line + delta, state: mark.state, lineKind: mark.lineKind, spanIds: mark.spanIds });
  }
  return head;
}

/** One line of a text: its number, where it starts and where the next one starts (or the text ends), and its text (with or without its line break). */
export interface TextLineAt {
  readonly line: number;
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/**
 * The typing fast path: an edit inside one line that had no mark and that no span touches now, and
 * that is not blank before or after it (what is left of the line outside the inserted text is not
 * blank, and it was there before too), changes no mark. The line has none, as before, and the blank
 * lines near it take their state from it as before. Costs two lookups: `line` is the edited line
 * after the edit, which the caller may already hold (the editor's attribution service reads it for
 * every keystroke near spans), so the text is not read again.
 */
export function editKeepsEveryMark(
  previous: readonly UncommittedLineMark[],
  edit: LineEdit,
  line: TextLineAt,
  spansInRange: (start: number, end: number) => readonly AttributedSpan[],
): boolean {
  if (edit.firstLine !== edit.newLastLine || edit.oldLastLine !== edit.newLastLine || line.line !== edit.firstLine) return false;
  if (previous[firstMarkAtOrAfter(previous, edit.firstLine)]?.line === edit.firstLine) return false;
  if (edit.start < line.start || edit.end > line.end || spansInRange(line.start, line.end).length > 0) return false;
  return !isBlankText(line.text.slice(0, edit.start - line.start)) || !isBlankText(line.text.slice(edit.end - line.start));
}

/**
 * The fast path of a person's edit inside one line that holds AI text (typing inside AI code):
 * every mark stays when the spans on the line and next to it (`before` and `after`, as the
 * attribution service gathers them for the review blocks) are the same spans in the same order,
 * all inside the line (none reaches another line or the line break), each with the same review
 * status and the same "changed by a person" fact, and the line, not blank before or after, gets
 * the same mark (kind, spans, state). Lines elsewhere see nothing of it then: their own spans and
 * text did not change, and a blank line takes its state from this line's kind, first and last
 * span and their states, which are the same. Costs the line's characters, not a look at the
 * lines around it.
 */
export function lineEditKeepsMarks(before: LineWithSpans, after: LineWithSpans, cache: Pick<SpanStatusCache, 'statusOf'>): boolean {
  if (before.lineStart !== after.lineStart || before.spans.length !== after.spans.length || before.spans.length === 0) return false;
  const factsBefore = lineMarkFactsOf(before, cache);
  const factsAfter = lineMarkFactsOf(after, cache);
  if (!factsBefore || !factsAfter) return false;
  for (let index = 0; index < after.spans.length; index++) {
    if (before.spans[index].id !== after.spans[index].id || factsBefore.spanFacts[index] !== factsAfter.spanFacts[index]) return false;
  }
  return factsBefore.mark !== undefined && factsAfter.mark !== undefined && sameMark(factsBefore.mark, factsAfter.mark);
}

/**
 * What lineEditKeepsMarks compares of one line: per span, whether a person changed it and its
 * review status; and the line's mark. Undefined when the line is blank or a span reaches past it.
 */
interface LineMarkFacts {
  readonly spanFacts: readonly string[];
  readonly mark: UncommittedLineMark | undefined;
}

/**
 * The facts of a line, kept per line object: the attribution service gives a keystroke's line
 * after it as the line before the next keystroke (the same object when nothing else changed), so
 * typing in a line works each line state out once, not twice.
 */
const lineMarkFactsCache = new WeakMap<LineWithSpans, { readonly cache: object; readonly facts: LineMarkFacts | undefined }>();

function lineMarkFactsOf(line: LineWithSpans, cache: Pick<SpanStatusCache, 'statusOf'>): LineMarkFacts | undefined {
  const known = lineMarkFactsCache.get(line);
  if (known && known.cache === cache) return known.facts;
  const facts = computeLineMarkFacts(line, cache);
  lineMarkFactsCache.set(line, { cache, facts });
  return facts;
}

function computeLineMarkFacts(line: LineWithSpans, cache: Pick<SpanStatusCache, 'statusOf'>): LineMarkFacts | undefined {
  if (line.lineText.includes('\n') || isBlankText(line.lineText)) return undefined;
  const spans = line.spans.map((span) => ({ ...span, start: span.start - line.lineStart, end: span.end - line.lineStart }));
  const spanFacts: string[] = [];
  for (const span of spans) {
    if (span.start < 0 || span.end > line.lineText.length) return undefined;
    spanFacts.push(`${span.humanChangedChars > 0}:${cache.statusOf(span, line.lineText)}`);
  }
  const [mark] = uncommittedLineMarks(line.lineText, spans, cache, false);
  return { spanFacts, mark };
}

function firstMarkAtOrAfter(marks: readonly UncommittedLineMark[], line: number): number {
  let low = 0;
  let high = marks.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (marks[middle].line < line) low = middle + 1;
    else high = middle;
  }
  return low;
}

function sameMark(a: UncommittedLineMark, b: UncommittedLineMark): boolean {
  return a.line === b.line && a.state === b.state && a.lineKind === b.lineKind && a.spanIds.length === b.spanIds.length && a.spanIds.every((id, index) => id === b.spanIds[index]);
}

function isBlankText(text: string): boolean {
  for (let index = 0; index < text.length; index++) if (!isWhitespaceCode(text.charCodeAt(index))) return false;
  return true;
}

/** The uncommitted AI lines of a text, sorted by line. `retain`: forget the cached statuses of spans not given (a whole text's spans). */
function uncommittedLineMarks(text: string, spans: readonly AttributedSpan[], cache: Pick<SpanStatusCache, 'statusOf'> & Partial<Pick<SpanStatusCache, 'retain'>>, retain = true): UncommittedLineMark[] {
  const lines = spans.length > 0 ? deriveLineAttribution(text, spans) : [];
  const spansById = new Map<string, AttributedSpan>();
  for (const span of spans) spansById.set(span.id, span);
  const uncommitted: UncommittedLineMark[] = [];
  // Line start offsets, found by walking forward (lines come sorted); only mixed lines need them.
  let walkedLine = 0;
  let walkedOffset = 0;
  const lineStartOf = (target: number) => {
    while (walkedLine < target) {
      walkedOffset = text.indexOf('\n', walkedOffset) + 1;
      walkedLine++;
    }
    return walkedOffset;
  };
  // A span usually covers several lines: its status is found once per computation.
  const statusById = new Map<string, SpanReviewStatus>();
  const memo = {
    statusOf: (span: AttributedSpan, documentText: string): SpanReviewStatus => {
      let status = statusById.get(span.id);
      if (status === undefined) statusById.set(span.id, (status = cache.statusOf(span, documentText)));
      return status;
    },
  };
  for (const line of lines) {
    if (line.kind === 'human') continue;
    const state = uncommittedLineState(line, spansById, text, memo, line.kind === 'mixed' ? lineStartOf(line.line) : undefined);
    uncommitted.push({ line: line.line, state, lineKind: line.kind, spanIds: line.spanIds });
  }
  if (retain) cache.retain?.(spansById);
  return uncommitted;
}

/**
 * Runs of marks from the uncommitted AI lines (sorted) and the committed ones (uncommitted lines
 * win). The runs and the committed lines shown are put together when first read: a line break
 * typed while the marks follow the text moves every mark below it, and the runs are wanted only
 * when the editor's decorations are set again (after typing pauses), not for each keystroke.
 */
export function assembleLineMarks(uncommitted: readonly UncommittedLineMark[], committedLines: readonly number[], lineCount: number): LineMarks {
  let assembled: Pick<LineMarks, 'runs' | 'committedLines'> | undefined;
  const assemble = () => (assembled ??= assembleRuns(uncommitted, committedLines, lineCount));
  return {
    uncommitted,
    lineCount,
    get runs() {
      return assemble().runs;
    },
    get committedLines() {
      return assemble().committedLines;
    },
  };
}

function assembleRuns(uncommitted: readonly UncommittedLineMark[], committedLines: readonly number[], lineCount: number): Pick<LineMarks, 'runs' | 'committedLines'> {
  const runs: Record<LineMarkState, LineRun[]> = { 'ai-unreviewed': [], 'ai-accepted': [], 'ai-human-changed': [], 'ai-committed': [] };
  let runState: LineMarkState | undefined;
  let runStart = -1;
  let runEnd = -2;
  const add = (line: number, state: LineMarkState) => {
    if (state === runState && line === runEnd + 1) {
      runEnd = line;
      return;
    }
    if (runState !== undefined) runs[runState].push({ startLine: runStart, endLine: runEnd });
    runState = state;
    runStart = line;
    runEnd = line;
  };
  const committed = committedLines.length > 0 ? [...new Set(committedLines)].filter((line) => line >= 0 && line < lineCount).sort((a, b) => a - b) : [];
  const shownCommitted: number[] = [];
  let committedIndex = 0;
  const addCommittedBefore = (limit: number) => {
    while (committedIndex < committed.length && committed[committedIndex] < limit) {
      const line = committed[committedIndex++];
      shownCommitted.push(line);
      add(line, 'ai-committed');
    }
  };
  for (const mark of uncommitted) {
    addCommittedBefore(mark.line);
    if (committedIndex < committed.length && committed[committedIndex] === mark.line) committedIndex++;
    add(mark.line, mark.state);
  }
  addCommittedBefore(Number.POSITIVE_INFINITY);
  if (runState !== undefined) runs[runState].push({ startLine: runStart, endLine: runEnd });
  return { runs, committedLines: shownCommitted };
}

/** The uncommitted mark of `line`, by binary search; undefined for a line without one. */
export function uncommittedMarkAt(marks: LineMarks, line: number): UncommittedLineMark | undefined {
  let low = 0;
  let high = marks.uncommitted.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const candidate = marks.uncommitted[middle];
    if (candidate.line === line) return candidate;
    if (candidate.line < line) low = middle + 1;
    else high = middle - 1;
  }
  return undefined;
}

/**
 * The committed AI line shown at `line` (the entry of `committed`, the lines the marks were
 * assembled with), or undefined where an uncommitted AI line wins or the text has no such line.
 * The same answer as `marks.committedLines.includes(line)` without assembling the runs: a cursor
 * stop after a typed line break must not cost a pass over every mark of the file.
 */
export function committedLineShownAt<T extends { readonly line: number }>(marks: LineMarks, committed: readonly T[], line: number): T | undefined {
  if (line < 0 || line >= marks.lineCount || uncommittedMarkAt(marks, line) !== undefined) return undefined;
  return committed.find((entry) => entry.line === line);
}

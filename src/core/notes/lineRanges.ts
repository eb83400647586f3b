/**
 * Line arithmetic for notes: which lines of a text are AI-written, how working-copy attribution
 * maps into the committed blob, the grouping of AI lines into ranges, and the line hashes that
 * let a range be recognised again in another blob.
 */
import type { AttributedSpan } from '../attribution';
import { deriveLineAttribution } from '../ledger/lineAttribution';
import { needsReview, spanReviewStatus, type SpanReviewStatus } from '../review/reviewModel';
import { sha256Hex } from '../textHash';
import { canonicalJson, type JsonValue } from './canonicalJson';
import type { NoteOrigin, NoteRange, NoteReview } from './noteRecord';
import { unchangedLineTargets } from '../text/lineDiff';
import { committedTextInWorkingLineEnds, lineIndexAt, lineStartOffsets } from '../text/lines';

/** The lines of a text, split on "\n" (a "\r" stays part of its line); a final newline ends the last line. */
export function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (text.endsWith('\n')) lines.pop();
  return lines;
}

/** sha256 of lines `start..end` (1-based, inclusive), each followed by "\n". */
export function hashLines(lines: readonly string[], start: number, end: number): string {
  let text = '';
  for (let index = start - 1; index < end; index++) text += `${lines[index]}\n`;
  return sha256Hex(text);
}

/** One AI line of a text, by the project's one line rule (`deriveLineAttribution`). */
export interface AiLine {
  /** The span that names the line's attribution: the first span on it that needs review, else the first span. */
  readonly span: AttributedSpan;
  /** That span's review state on the text (a review is recorded only when it covers the span's current text). */
  readonly status: SpanReviewStatus;
  /** AI non-whitespace characters on the line (0 for a blank line inside an AI block). */
  readonly aiChars: number;
  readonly nonWhitespaceChars: number;
}

/**
 * For each line of `text`, how it is AI, or undefined for a human line. The rule is the ledger's
 * (`deriveLineAttribution`), so gutter, review blocks and notes agree: a line with any AI
 * non-whitespace character is an AI line (with its AI character counts), and a blank line inside
 * an AI block is one too.
 */
export function attributeLines(text: string, spans: readonly AttributedSpan[]): (AiLine | undefined)[] {
  const lineCount = splitLines(text).length;
  const result: (AiLine | undefined)[] = new Array<AiLine | undefined>(lineCount).fill(undefined);
  const sorted = [...spans].filter((span) => span.end > span.start).sort((a, b) => a.start - b.start || a.end - b.end);
  const byId = new Map(sorted.map((span) => [span.id, span]));
  const statuses = new Map<string, SpanReviewStatus>();
  const statusOf = (span: AttributedSpan): SpanReviewStatus => {
    let status = statuses.get(span.id);
    if (status === undefined) statuses.set(span.id, (status = spanReviewStatus(span, text)));
    return status;
  };
  for (const entry of deriveLineAttribution(text, sorted)) {
    if (entry.kind === 'human' || entry.line >= lineCount) continue;
    const onLine = entry.spanIds.map((id) => byId.get(id)).filter((span): span is AttributedSpan => span !== undefined);
    if (onLine.length === 0) continue;
    const span = onLine.find((candidate) => needsReview(statusOf(candidate))) ?? onLine[0];
    result[entry.line] = { span, status: statusOf(span), aiChars: entry.aiChars, nonWhitespaceChars: entry.nonWhitespaceChars };
  }
  return result;
}

/** Characters [start, end) of a span (offsets into the working text) that reached a commit. */
export interface CommittedPiece {
  readonly spanId: string;
  readonly start: number;
  readonly end: number;
}

export interface BlobAttribution {
  /** Per line of the blob, how it is AI. */
  readonly lines: (AiLine | undefined)[];
  /**
   * The characters of each span on working lines that reached the blob unchanged: recorded by this
   * commit, so the caller removes exactly them from the working state (a span committed in part
   * keeps only its uncommitted remainder pending).
   */
  readonly committedPieces: CommittedPiece[];
  /** Spans all of whose characters reached the blob. */
  readonly committedSpanIds: string[];
  /** Spans some of whose characters are not in the blob (unstaged parts): that remainder stays pending. */
  readonly pendingSpanIds: string[];
  /**
   * The working AI lines found nowhere unchanged in the blob (not staged, changed since, or changed
   * by git's filters on add), each as the blob would hold it unchanged: without its CR when git
   * converted the line breaks. What aiLinesChangedByFilters asks git about.
   */
  readonly missingAiLines: string[];
}

/**
 * Maps the attribution of the working text into the committed blob: lines identical on both
 * sides (by a line diff) keep their AI attribution; lines only in the blob are not AI.
 * Returns undefined when the diff gives up (pathological input), so nothing is claimed.
 */
export function mapAttributionToBlob(workingText: string, spans: readonly AttributedSpan[], blobText: string): BlobAttribution | undefined {
  const workingLines = splitLines(workingText);
  // Line breaks git converted on add are not a change: the blob's lines as the working tree holds them (same line numbers).
  const blobInWorkingForm = committedTextInWorkingLineEnds(blobText, workingText);
  const blobLines = splitLines(blobInWorkingForm);
  const workingAttribution = attributeLines(workingText, spans);
  const workingToBlob = workingText === blobInWorkingForm ? Int32Array.from(workingLines, (_, index) => index) : unchangedLineTargets(workingLines, blobLines, { timeout: 5000 });
  if (!workingToBlob) return undefined;
  const lines: (AiLine | undefined)[] = new Array<AiLine | undefined>(blobLines.length).fill(undefined);
  workingAttribution.forEach((line, workingIndex) => {
    const blobIndex = workingToBlob[workingIndex];
    if (line && blobIndex >= 0) lines[blobIndex] = line;
  });
  const lineEndsConverted = blobInWorkingForm !== blobText;
  const missingAiLines: string[] = [];
  workingAttribution.forEach((line, workingIndex) => {
    if (line && workingToBlob[workingIndex] < 0) missingAiLines.push(lineEndsConverted ? workingLines[workingIndex].replace(/\r$/, '') : workingLines[workingIndex]);
  });
  const lineStarts = lineStartOffsets(workingText);
  const lineEnd = (line: number) => (line + 1 < lineStarts.length ? lineStarts[line + 1] : workingText.length);
  const committedPieces: CommittedPiece[] = [];
  const committedSpanIds: string[] = [];
  const pendingSpanIds: string[] = [];
  for (const span of spans) {
    const start = Math.max(0, Math.min(span.start, workingText.length));
    const end = Math.max(start, Math.min(span.end, workingText.length));
    if (end === start) continue;
    const first = lineIndexAt(lineStarts, start);
    const last = lineIndexAt(lineStarts, end - 1);
    let committed = 0;
    let pieceStart = -1;
    let pieceEnd = -1;
    for (let line = first; line <= last; line++) {
      if (line >= workingLines.length || workingToBlob[line] < 0) continue;
      const from = Math.max(start, lineStarts[line]);
      const to = Math.min(end, lineEnd(line));
      if (to <= from) continue;
      committed += to - from;
      if (from === pieceEnd) pieceEnd = to;
      else {
        if (pieceStart >= 0) committedPieces.push({ spanId: span.id, start: pieceStart, end: pieceEnd });
        pieceStart = from;
        pieceEnd = to;
      }
    }
    if (pieceStart >= 0) committedPieces.push({ spanId: span.id, start: pieceStart, end: pieceEnd });
    if (committed === end - start) committedSpanIds.push(span.id);
    else pendingSpanIds.push(span.id);
  }
  return { lines, committedPieces, committedSpanIds, pendingSpanIds, missingAiLines };
}

/**
 * The AI lines of `workingText` that do not reach `blobText` unchanged (mapAttributionToBlob's
 * missingAiLines: the one rule for the gate and the record); none when the texts are the same.
 */
export function aiLinesMissingFromBlob(workingText: string, spans: readonly AttributedSpan[], blobText: string): string[] {
  if (spans.length === 0 || committedTextInWorkingLineEnds(blobText, workingText) === workingText) return [];
  return mapAttributionToBlob(workingText, spans, blobText)?.missingAiLines ?? [];
}

function roundShare(value: number): number {
  return Math.round(Math.min(1, Math.max(0, value)) * 10_000) / 10_000;
}

/** The AI share of mixed lines, kept strictly between 0 and 1 after rounding so that 1 always means wholly AI. */
function mixedShare(aiChars: number, nonWhitespaceChars: number): number {
  return Math.min(0.9999, Math.max(0.0001, roundShare(aiChars / nonWhitespaceChars)));
}

function noteOriginOf(span: AttributedSpan): NoteOrigin {
  return { kind: span.origin.kind, tool: span.origin.tool, ...(span.origin.model !== undefined ? { model: span.origin.model } : {}) };
}

/**
 * The review a note records for a line: the span's decision when it covers the span's current
 * text (accepted, or rejected with the text still there); null when there is none or the text
 * changed after it, so `verify` asks for a review exactly when the editor and `check` do.
 */
function noteReviewOf(span: AttributedSpan, status: SpanReviewStatus): NoteReview | null {
  const review = span.review;
  if (!review || status === 'unreviewed' || status === 'accepted-changed-after-review') return null;
  return {
    decision: review.decision,
    intent: review.intent,
    scope: [...review.scope],
    ...(review.scopeNote !== undefined ? { scopeNote: review.scopeNote } : {}),
    reviewer: {
      name: review.reviewer.name,
      email: review.reviewer.email,
      ...(review.reviewer.signingKey !== undefined ? { signingKey: review.reviewer.signingKey } : {}),
    },
    reviewedAt: review.reviewedAt,
    textHash: review.textHash,
  };
}

/**
 * Groups the AI lines of a blob into ranges: consecutive lines whose origin, confidence and
 * recorded review are equal, and which are all wholly AI or all mixed, form one range. Mixed lines
 * get ranges of their own so that `aiShare` 1 always means "every line wholly AI" (what records
 * without the field held); a typical completion (one mixed first line, then whole lines) gives two
 * ranges. The range's aiShare is its AI non-whitespace characters over all its non-whitespace
 * characters; its human-changed share is pooled over the spans in it.
 */
export function buildNoteRanges(blobLines: readonly string[], lineAttribution: readonly (AiLine | undefined)[]): NoteRange[] {
  const ranges: NoteRange[] = [];
  const keys = new Map<string, string>();
  const keyOf = (line: AiLine): string => {
    const memo = `${line.span.id}\0${line.status}`;
    let key = keys.get(memo);
    if (key === undefined) {
      key = canonicalJson({ origin: noteOriginOf(line.span), confidence: line.span.confidence, review: noteReviewOf(line.span, line.status) } as unknown as JsonValue);
      keys.set(memo, key);
    }
    return `${isWhollyAi(line) ? 'whole' : 'mixed'}\0${key}`;
  };
  let index = 0;
  while (index < lineAttribution.length) {
    const first = lineAttribution[index];
    if (!first) {
      index++;
      continue;
    }
    const key = keyOf(first);
    const spansInRange = new Map<string, AttributedSpan>([[first.span.id, first.span]]);
    let aiChars = first.aiChars;
    let nonWhitespaceChars = first.nonWhitespaceChars;
    let end = index + 1;
    while (end < lineAttribution.length) {
      const line = lineAttribution[end];
      if (!line || keyOf(line) !== key) break;
      spansInRange.set(line.span.id, line.span);
      aiChars += line.aiChars;
      nonWhitespaceChars += line.nonWhitespaceChars;
      end++;
    }
    let inserted = 0;
    let changed = 0;
    for (const span of spansInRange.values()) {
      inserted += Math.max(0, span.insertedLength);
      changed += Math.max(0, Math.min(span.humanChangedChars, span.insertedLength));
    }
    ranges.push({
      start: index + 1,
      end,
      sha256: hashLines(blobLines, index + 1, end),
      origin: noteOriginOf(first.span),
      confidence: first.span.confidence,
      humanChangedShare: inserted > 0 ? roundShare(changed / inserted) : 0,
      aiShare: isWhollyAi(first) ? 1 : mixedShare(aiChars, nonWhitespaceChars),
      review: noteReviewOf(first.span, first.status),
    });
    index = end;
  }
  return ranges;
}

function isWhollyAi(line: AiLine): boolean {
  return line.aiChars === line.nonWhitespaceChars;
}

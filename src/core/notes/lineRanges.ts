/**
 * Line arithmetic for notes: which lines of a text are AI-written, how working-copy attribution
 * maps into the committed blob, the grouping of AI lines into ranges, and the line hashes that
 * let a range be recognised again in another blob.
 */
import { diffArrays } from 'diff';
import type { AttributedSpan } from '../attribution';
import { deriveLineAttribution } from '../ledger/lineAttribution';
import { sha256Hex } from '../textHash';
import { canonicalJson, type JsonValue } from './canonicalJson';
import type { NoteOrigin, NoteRange, NoteReview } from './noteRecord';

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

/**
 * For each line of `text`, the AI span it belongs to, or undefined. The rule is the ledger's
 * (`deriveLineAttribution`), so gutter and notes agree: a line is AI when it has non-whitespace
 * characters and all of them are AI, or when it is blank and lies inside an AI block. The first
 * span on the line names its attribution.
 */
export function attributeLines(text: string, spans: readonly AttributedSpan[]): (AttributedSpan | undefined)[] {
  const lineCount = splitLines(text).length;
  const result: (AttributedSpan | undefined)[] = new Array<AttributedSpan | undefined>(lineCount).fill(undefined);
  const sorted = [...spans].filter((span) => span.end > span.start).sort((a, b) => a.start - b.start || a.end - b.end);
  const byId = new Map(sorted.map((span) => [span.id, span]));
  for (const entry of deriveLineAttribution(text, sorted)) {
    if (entry.kind !== 'ai' || entry.line >= lineCount) continue;
    result[entry.line] = byId.get(entry.spanIds[0]);
  }
  return result;
}

export interface BlobAttribution {
  /** Per line of the blob, the AI span it came from. */
  readonly lines: (AttributedSpan | undefined)[];
  /** Spans all of whose lines reached the blob unchanged: the caller removes them from the working state. */
  readonly committedSpanIds: string[];
  /** Spans some of whose lines are not in the blob (unstaged parts): they stay pending. */
  readonly pendingSpanIds: string[];
}

function lineIndexOfOffset(lineStarts: readonly number[], offset: number): number {
  let low = 0;
  let high = lineStarts.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (lineStarts[middle] <= offset) low = middle;
    else high = middle - 1;
  }
  return low;
}

/**
 * Maps the attribution of the working text into the committed blob: lines identical on both
 * sides (by a line diff) keep their AI attribution; lines only in the blob are not AI.
 * Returns undefined when the diff gives up (pathological input), so nothing is claimed.
 */
export function mapAttributionToBlob(workingText: string, spans: readonly AttributedSpan[], blobText: string): BlobAttribution | undefined {
  const workingLines = splitLines(workingText);
  const blobLines = splitLines(blobText);
  const workingAttribution = attributeLines(workingText, spans);
  const workingToBlob = new Int32Array(workingLines.length).fill(-1);
  if (workingText === blobText) {
    for (let index = 0; index < workingLines.length; index++) workingToBlob[index] = index;
  } else {
    const changes = diffArrays(workingLines, blobLines, { timeout: 5000 });
    if (!changes) return undefined;
    let workingIndex = 0;
    let blobIndex = 0;
    for (const change of changes) {
      const count = change.value.length;
      if (change.added) blobIndex += count;
      else if (change.removed) workingIndex += count;
      else {
        for (let offset = 0; offset < count; offset++) workingToBlob[workingIndex + offset] = blobIndex + offset;
        workingIndex += count;
        blobIndex += count;
      }
    }
  }
  const lines: (AttributedSpan | undefined)[] = new Array<AttributedSpan | undefined>(blobLines.length).fill(undefined);
  workingAttribution.forEach((span, workingIndex) => {
    const blobIndex = workingToBlob[workingIndex];
    if (span && blobIndex >= 0) lines[blobIndex] = span;
  });
  const lineStarts = [0];
  for (let index = 0; index < workingText.length; index++) if (workingText.charCodeAt(index) === 10) lineStarts.push(index + 1);
  const committedSpanIds: string[] = [];
  const pendingSpanIds: string[] = [];
  for (const span of spans) {
    const first = lineIndexOfOffset(lineStarts, Math.max(0, Math.min(span.start, workingText.length)));
    const lastOffset = Math.max(span.start, span.end - 1);
    const last = lineIndexOfOffset(lineStarts, Math.max(0, Math.min(lastOffset, workingText.length)));
    let allCommitted = true;
    for (let line = first; line <= last && line < workingLines.length; line++) {
      if (workingToBlob[line] < 0) allCommitted = false;
    }
    if (first >= workingLines.length) allCommitted = false;
    (allCommitted ? committedSpanIds : pendingSpanIds).push(span.id);
  }
  return { lines, committedSpanIds, pendingSpanIds };
}

function roundShare(value: number): number {
  return Math.round(Math.min(1, Math.max(0, value)) * 10_000) / 10_000;
}

function noteOriginOf(span: AttributedSpan): NoteOrigin {
  return { kind: span.origin.kind, tool: span.origin.tool, ...(span.origin.model !== undefined ? { model: span.origin.model } : {}) };
}

function noteReviewOf(span: AttributedSpan): NoteReview | null {
  const review = span.review;
  if (!review) return null;
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
 * review are equal form one range; its human-changed share is pooled over the spans in it.
 */
export function buildNoteRanges(blobLines: readonly string[], lineSpans: readonly (AttributedSpan | undefined)[]): NoteRange[] {
  const ranges: NoteRange[] = [];
  const keys = new Map<AttributedSpan, string>();
  const keyOf = (span: AttributedSpan): string => {
    let key = keys.get(span);
    if (key === undefined) {
      key = canonicalJson({ origin: noteOriginOf(span), confidence: span.confidence, review: noteReviewOf(span) } as unknown as JsonValue);
      keys.set(span, key);
    }
    return key;
  };
  let index = 0;
  while (index < lineSpans.length) {
    const first = lineSpans[index];
    if (!first) {
      index++;
      continue;
    }
    const origin = noteOriginOf(first);
    const review = noteReviewOf(first);
    const key = keyOf(first);
    const spansInRange = new Map<string, AttributedSpan>([[first.id, first]]);
    let end = index + 1;
    while (end < lineSpans.length) {
      const span = lineSpans[end];
      if (!span) break;
      if (!spansInRange.has(span.id)) {
        if (keyOf(span) !== key) break;
        spansInRange.set(span.id, span);
      }
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
      origin,
      confidence: first.confidence,
      humanChangedShare: inserted > 0 ? roundShare(changed / inserted) : 0,
      review,
    });
    index = end;
  }
  return ranges;
}

/**
 * Where a range of `length` lines with hash `hash` occurs in `lines`: 1-based start lines, nearest
 * to `preferredStart` first. `allowed` restricts the search to windows whose every line is allowed.
 */
export function findLineWindows(lines: readonly string[], length: number, hash: string, preferredStart: number, allowed?: (lineNumber: number) => boolean): number[] {
  const found: number[] = [];
  if (length <= 0 || length > lines.length) return found;
  let run = 0;
  for (let start = 1; start + length - 1 <= lines.length; start++) {
    if (allowed) {
      // `run` counts allowed lines ending at the window's last line, so a window is checked in O(1).
      if (start === 1) {
        run = 0;
        for (let line = 1; line <= length; line++) run = allowed(line) ? run + 1 : 0;
      } else {
        run = allowed(start + length - 1) ? run + 1 : 0;
      }
      if (run < length) continue;
    }
    if (hashLines(lines, start, start + length - 1) === hash) found.push(start);
  }
  return found.sort((a, b) => Math.abs(a - preferredStart) - Math.abs(b - preferredStart) || a - b);
}

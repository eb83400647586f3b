// Notes records built without the recorder, for tests and benchmarks that write a note by hand
// (large histories through git fast-import, stale or moved ranges).
import { hashLines } from '../../src/core/notes/lineRanges';
import type { NoteOrigin, NoteRange, NoteReviewer } from '../../src/core/notes/noteRecord';

/** Lines `start..end` (1-based, inclusive) of `lines` as an AI range written by `origin` and accepted by `reviewer`. */
export function acceptedAiRange(lines: readonly string[], start: number, end: number, origin: NoteOrigin, reviewer: NoteReviewer): NoteRange {
  const sha256 = hashLines(lines, start, end);
  return {
    start,
    end,
    sha256,
    origin,
    confidence: 'high',
    humanChangedShare: 0,
    review: { decision: 'accepted', intent: 'test', scope: [], reviewer, reviewedAt: '2026-01-01T00:00:00.000Z', textHash: sha256 },
  };
}

/** How long the stale-range file is, and which of its lines a record says AI wrote. */
export const STALE_RANGE = { fileLines: 100_000, start: 25_001, end: 75_000 } as const;

/**
 * A 100,000-line file whose lines 25,001-75,000 a record calls AI-written, and the same file after
 * a person changed one line inside that range: the record, carried onto the second, is stale
 * (verify must say so in seconds, not search for the range for hours).
 */
export function staleRangeTexts(): { readonly lines: readonly string[]; readonly original: string; readonly changed: string } {
  const lines = Array.from({ length: STALE_RANGE.fileLines }, (_, index) => `  const value${index} = lookup(table, ${index});`);
  const changedLines = [...lines];
  changedLines[50_000] = '  // a human changed this line';
  return { lines, original: `${lines.join('\n')}\n`, changed: `${changedLines.join('\n')}\n` };
}

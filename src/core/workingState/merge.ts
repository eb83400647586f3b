/**
 * Merging two writers' spans for one document, so that two windows (or a window and the CLI)
 * never overwrite each other's spans.
 *
 * A writer remembers the spans it last read or wrote (the base). When it saves and finds that the
 * file on disk moved on since then, it re-anchors the disk spans ("theirs") onto its own text and
 * merges them with its spans ("ours") by span id:
 *
 * 1. Id in ours and theirs: the position comes from ours (ours is anchored in the text being
 *    saved). Every other field comes from the side that changed it since the base; when only
 *    theirs changed it (a review recorded in another window), theirs wins; when both changed it,
 *    ours wins. `humanChangedChars` takes the larger count, since changes only accumulate.
 * 2. Id only in ours: kept if it is new since the base; dropped if the base had it, because then
 *    the other writer removed it (marked human, rejected).
 * 3. Id only in theirs: kept if new since the base (e.g. `vouch mark` from a terminal); dropped if
 *    the base had it, because then we removed it.
 * 4. Spans must not overlap. Where two kept spans claim the same characters, the one of higher
 *    confidence keeps them (an exact report such as `vouch mark` from an agent hook over a
 *    detector's medium-confidence guess, whichever a busy machine saw first), then the more
 *    recently inserted one (`insertedAt`); on a tie ours wins. The other is trimmed around it. Of
 *    two claims as sure, the later one (an agent hook marking lines) is the newer fact about the text.
 */
import type { AttributedSpan } from '../attribution';
import { randomId } from '../randomId';

export interface SpanMergeInput {
  /** Spans the writer last read or wrote (any coordinates: only ids and non-position fields are used). */
  readonly base: readonly AttributedSpan[];
  /** The writer's spans, over the text being saved. */
  readonly ours: readonly AttributedSpan[];
  /** The spans on disk, already re-anchored onto the text being saved. */
  readonly theirs: readonly AttributedSpan[];
}

type MutableSpan = { -readonly [K in keyof AttributedSpan]: AttributedSpan[K] };

export function mergeSpans(input: SpanMergeInput, newId: () => string = randomId): AttributedSpan[] {
  const baseById = new Map(input.base.map((span) => [span.id, span]));
  const theirsById = new Map(input.theirs.map((span) => [span.id, span]));
  const oursIds = new Set(input.ours.map((span) => span.id));
  const candidates: { span: AttributedSpan; ours: boolean }[] = [];
  for (const ours of input.ours) {
    const base = baseById.get(ours.id);
    const theirs = theirsById.get(ours.id);
    if (theirs) candidates.push({ span: mergeFields(base, ours, theirs), ours: true });
    else if (!base) candidates.push({ span: ours, ours: true });
  }
  for (const theirs of input.theirs) {
    if (!oursIds.has(theirs.id) && !baseById.has(theirs.id)) candidates.push({ span: theirs, ours: false });
  }
  return resolveOverlaps(candidates, newId);
}

const MERGED_FIELDS = ['origin', 'confidence', 'insertedAt', 'insertedTextHash', 'insertedLength', 'review'] as const;

function mergeFields(base: AttributedSpan | undefined, ours: AttributedSpan, theirs: AttributedSpan): AttributedSpan {
  const merged: MutableSpan = { ...ours };
  for (const field of MERGED_FIELDS) {
    const oursChanged = !base || !sameValue(base[field], ours[field]);
    const theirsChanged = !base || !sameValue(base[field], theirs[field]);
    if (theirsChanged && !oursChanged) (merged as Record<string, unknown>)[field] = theirs[field];
  }
  if (merged.review === undefined) delete merged.review;
  merged.humanChangedChars = Math.max(ours.humanChangedChars, theirs.humanChangedChars);
  return merged;
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

const CONFIDENCE_RANK: Readonly<Record<AttributedSpan['confidence'], number>> = { high: 2, medium: 1, low: 0 };

/**
 * Gives each character to at most one span: candidates claim characters surest first, then newest
 * first (ours first on equal times); a candidate keeps the pieces nobody before it claimed. The
 * first piece of a trimmed span keeps its id.
 */
function resolveOverlaps(candidates: { span: AttributedSpan; ours: boolean }[], newId: () => string): AttributedSpan[] {
  const ordered = candidates
    .map((candidate, index) => ({ ...candidate, index }))
    .sort((a, b) => CONFIDENCE_RANK[b.span.confidence] - CONFIDENCE_RANK[a.span.confidence] || b.span.insertedAt - a.span.insertedAt || Number(b.ours) - Number(a.ours) || a.index - b.index);
  const claimed: [number, number][] = []; // sorted, disjoint
  const result: AttributedSpan[] = [];
  for (const { span } of ordered) {
    const pieces = uncoveredPieces(claimed, span.start, span.end);
    pieces.forEach(([start, end], pieceIndex) => {
      result.push(pieceIndex === 0 && start === span.start && end === span.end ? span : { ...span, id: pieceIndex === 0 ? span.id : newId(), start, end });
      insertInterval(claimed, start, end);
    });
  }
  return result.sort((a, b) => a.start - b.start);
}

function firstIntervalEndingAfter(intervals: readonly [number, number][], position: number): number {
  let low = 0;
  let high = intervals.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (intervals[middle][1] > position) high = middle;
    else low = middle + 1;
  }
  return low;
}

function uncoveredPieces(claimed: readonly [number, number][], start: number, end: number): [number, number][] {
  const pieces: [number, number][] = [];
  let position = start;
  for (let i = firstIntervalEndingAfter(claimed, start); i < claimed.length && claimed[i][0] < end; i++) {
    if (claimed[i][0] > position) pieces.push([position, claimed[i][0]]);
    position = Math.max(position, claimed[i][1]);
  }
  if (position < end) pieces.push([position, end]);
  return pieces;
}

function insertInterval(claimed: [number, number][], start: number, end: number): void {
  const index = firstIntervalEndingAfter(claimed, start);
  claimed.splice(index, 0, [start, end]);
}

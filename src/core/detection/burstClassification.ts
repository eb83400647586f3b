/**
 * Streamed edits, decided as a whole. An agent that writes into a document no editor shows often
 * does it in many small edits (a line at a time, tens of milliseconds apart, each far below the
 * size threshold), or deletes a body and streams a new one in. The host collects every edit such a
 * document receives until a quiet gap or a save (a burst) and this module decides the burst:
 * - what is left of the text the counted edits inserted, followed through every later edit of the
 *   burst (text replaced afterwards is no longer the inserted text);
 * - its size, in characters besides whitespace, counted over the whole burst;
 * - rename-like bursts (every change inserts the same short single-line text) and
 *   format-like bursts (the text besides whitespace is what it was before the burst) are a
 *   person's tools at work, never AI; so is every change that only re-lays out the text it
 *   replaces (a formatter's edit), told when the text before the burst is known.
 * Pure: the host gathers the events and the texts.
 */
import type { TextReplacement } from '../attribution';
import { insertedContentChars, insertedRangesAfter, looksLikeRename, mapRangeThroughChanges, type OffsetRange } from './changeClassification';

export interface BurstEvent {
  /** The event's changes, offsets into the text before it (VS Code's content changes). */
  readonly changes: readonly TextReplacement[];
  /**
   * The event's text does not count (an undo, a paste, a save participant, an edit already
   * recorded as AI, one that came with an edit to a visible document, a git operation...); it still
   * moves and cuts what counted before it.
   */
  readonly excluded: boolean;
}

export interface BurstInput {
  readonly events: readonly BurstEvent[];
  /** The document's text before the burst, when known (for the format-like rule). */
  readonly textBefore: string | undefined;
  /** The document's text after the burst. */
  readonly textAfter: string;
  /** Text that counts besides the events', already in the coordinates of `textAfter` (an edit decided late). */
  readonly alsoInserted?: readonly OffsetRange[];
  readonly minimumContentChars: number;
}

export type BurstVerdict =
  | { readonly author: 'ai'; readonly ranges: readonly OffsetRange[]; readonly contentChars: number }
  | { readonly author: 'human'; readonly reason: 'nothing-inserted' | 'rename-like' | 'format-like' }
  /** Too small alone; the host may carry `ranges` into the document's next burst (a stream with a long pause). */
  | { readonly author: 'human'; readonly reason: 'below-threshold'; readonly ranges: readonly OffsetRange[] };

/**
 * One event of a formatter or a codemod rather than an agent: several changes at once, each of at
 * most two characters besides whitespace (minimal formatting edits), or one that only re-inserts
 * the same text in several places (a rename).
 */
export function looksLikeToolEvent(changes: readonly TextReplacement[]): boolean {
  if (changes.length < 2) return false;
  return looksLikeRename(changes) || changes.every((change) => insertedContentChars([change]) <= 2);
}

/** Sorted, overlapping or touching ranges joined. */
export function normaliseRanges(ranges: readonly OffsetRange[]): OffsetRange[] {
  const sorted = ranges.filter((range) => range.end > range.start).sort((a, b) => a.start - b.start);
  const joined: OffsetRange[] = [];
  for (const range of sorted) {
    const last = joined[joined.length - 1];
    if (last && range.start <= last.end) joined[joined.length - 1] = { start: last.start, end: Math.max(last.end, range.end) };
    else joined.push(range);
  }
  return joined;
}

function withoutWhitespace(text: string): string {
  return text.replace(/[ \t\r\n]+/g, '');
}

function applyChanges(text: string, changes: readonly TextReplacement[]): string {
  let result = text;
  for (const change of [...changes].sort((a, b) => b.offset - a.offset)) {
    result = result.slice(0, change.offset) + change.insertedText + result.slice(change.offset + change.deletedLength);
  }
  return result;
}

/**
 * The texts each event of the burst started from, replayed from the text before the burst; none
 * when that text is unknown or does not lead to the text after (an edit the burst did not see).
 */
function textsBeforeEvents(input: BurstInput): string[] | undefined {
  if (input.textBefore === undefined) return undefined;
  const texts: string[] = [];
  let text = input.textBefore;
  for (const event of input.events) {
    texts.push(text);
    text = applyChanges(text, event.changes);
  }
  return text === input.textAfter ? texts : undefined;
}

/** Where each counted change's inserted text lies after its event; a change that only re-lays out what it replaced does not count. */
function countedRangesAfter(changes: readonly TextReplacement[], textBeforeEvent: string | undefined): OffsetRange[] {
  if (textBeforeEvent === undefined) return insertedRangesAfter(changes);
  return insertedRangesAfter(changes, (change) => withoutWhitespace(textBeforeEvent.slice(change.offset, change.offset + change.deletedLength)) !== withoutWhitespace(change.insertedText));
}

function contentCharsIn(text: string, ranges: readonly OffsetRange[]): number {
  let count = 0;
  for (const range of ranges) {
    for (let index = range.start; index < range.end && index < text.length; index++) {
      const code = text.charCodeAt(index);
      if (code !== 32 && code !== 9 && code !== 10 && code !== 13) count++;
    }
  }
  return count;
}

/** Decides one burst of edits to a document that no person was typing in. */
export function classifyBurst(input: BurstInput): BurstVerdict {
  let ranges: OffsetRange[] = [];
  /** Insertions of every event not excluded: a rename that goes on over several events is still a rename. */
  const inserts: TextReplacement[] = [];
  const texts = textsBeforeEvents(input);
  input.events.forEach((event, index) => {
    if (ranges.length > 0) ranges = ranges.flatMap((range) => mapRangeThroughChanges(range, event.changes));
    if (event.excluded) return;
    inserts.push(...event.changes.filter((change) => change.insertedText.length > 0));
    if (!looksLikeToolEvent(event.changes)) ranges.push(...countedRangesAfter(event.changes, texts?.[index]));
  });
  ranges = normaliseRanges([...ranges, ...(input.alsoInserted ?? [])].filter((range) => range.end <= input.textAfter.length));
  if (ranges.length === 0) return { author: 'human', reason: 'nothing-inserted' };
  if (inserts.length >= 2 && looksLikeRename(inserts)) return { author: 'human', reason: 'rename-like' };
  if (input.textBefore !== undefined && withoutWhitespace(input.textBefore) === withoutWhitespace(input.textAfter)) return { author: 'human', reason: 'format-like' };
  const contentChars = contentCharsIn(input.textAfter, ranges);
  if (contentChars < input.minimumContentChars) return { author: 'human', reason: 'below-threshold', ranges };
  return { author: 'ai', ranges, contentChars };
}

/**
 * Whether one edit inside a line leaves the blocks of a file that wait for review as they were
 * (their number and lines; a whitespace-only span may join or leave one): the status bar and the CodeLens then keep their
 * count instead of building the blocks of every span again after each typing pause.
 *
 * The blocks (reviewModel.ts) are built from: the spans needing review (their ids, order and
 * insertion), which of them touch, and each line's attribution (AI or not, blank or not, which
 * spans). An edit inside one line (no line break added or removed) changes only that line's text
 * and the spans on it or next to it. So the blocks stay when, around the edit: the same spans in
 * the same order, none with an accepted review (whose status follows its text), the same pairs
 * touching, and the line's attribution the same: AI or not, blank or not, and its spans; whether it
 * is wholly AI or mixed only when a blank line is next to it (only then does it decide whether those
 * blank lines join a block). A line break typed inside an AI line (two lines after it, one before)
 * keeps them too when both new lines are AI lines, the spans of the line all come from one
 * insertion (so the two lines stay in one block), and no blank line is beside it; or when the line
 * was a person's (no AI character on it): its two lines hold none either, and a person's line still
 * stands between the AI lines above and below; or when the line held AI text and the break leaves a
 * person's line (not blank, no AI character) on one side and every span of the line on the other,
 * and the line beyond the person's side holds none (so no run of AI lines is cut in two: the AI line
 * keeps its run and its blocks, the person's line joins none). Property-tested against counting again.
 */
import type { AttributedSpan } from '../attribution';
import { deriveLineAttribution, type LineAttribution } from '../ledger/lineAttribution';
import { insertionKey } from './reviewModel';
import { lineBreaksIn } from '../text/lines';

/** One line of a text with the spans on it or next to it (sorted by start, offsets into the whole text). */
export interface LineWithSpans {
  /** The line, without its line break; after a typed line break, the two lines it became, joined by '\n'. */
  readonly lineText: string;
  readonly lineStart: number;
  readonly spans: readonly AttributedSpan[];
  /** A blank line (only whitespace, or none at all) is right above or below it. */
  readonly besideBlankLine: boolean;
  /**
   * After a typed line break: whether the line right above the two lines, and the one right below
   * them, have a span on them (their line break included). Without it a break that leaves a
   * person's line beside an AI line is not known to keep the blocks.
   */
  readonly spansBeside?: { readonly above: boolean; readonly below: boolean };
}

/** Whether a line holds only whitespace (the line rule's whitespace: JavaScript's \s). */
export function isBlankLine(text: string): boolean {
  return !/\S/u.test(text);
}

/** Whether an edit inside one line keeps the review blocks: its line and nearby spans before and after it (see the file header). */
export function editKeepsReviewBlocks(before: LineWithSpans, after: LineWithSpans): boolean {
  if (before.spans.length !== after.spans.length) return false;
  for (let index = 0; index < after.spans.length; index++) {
    const [was, is] = [before.spans[index], after.spans[index]];
    if (was.id !== is.id || was.review?.decision === 'accepted' || is.review?.decision === 'accepted') return false;
    if (index > 0 && before.spans[index - 1].end >= was.start !== after.spans[index - 1].end >= is.start) return false;
  }
  if (before.besideBlankLine !== after.besideBlankLine) return false;
  const breaks = lineBreaksIn(after.lineText);
  if (breaks === 0) return lineFacts(before) === lineFacts(after);
  return breaks === 1 && (splitKeepsHumanLine(before, after) || (!before.besideBlankLine && (splitKeepsBlock(before, after) || splitLeavesPersonsLine(before, after))));
}

/**
 * A line break typed in an AI line that leaves a person's line (not blank, no AI character) on one
 * side and the line's spans on the other, with no span on the line beyond the person's side.
 */
function splitLeavesPersonsLine(before: LineWithSpans, after: LineWithSpans): boolean {
  if (!after.spansBeside) return false;
  const old = attributionOf(before.lineText, before.lineStart, before.spans);
  if (!old) return false;
  const firstText = after.lineText.slice(0, after.lineText.indexOf('\n'));
  const secondText = after.lineText.slice(firstText.length + 1);
  const first = attributionOf(firstText, after.lineStart, after.spans);
  const second = attributionOf(secondText, after.lineStart + firstText.length + 1, after.spans);
  const keepsSpans = (attribution: LineAttribution | undefined) => attribution !== undefined && sameIds(attribution.spanIds, old.spanIds);
  if (!first && !isBlankLine(firstText)) return keepsSpans(second) && !after.spansBeside.above;
  if (!second && !isBlankLine(secondText)) return keepsSpans(first) && !after.spansBeside.below;
  return false;
}

function sameIds(a: readonly string[], b: readonly string[]): boolean {
  const [left, right] = [new Set(a), new Set(b)];
  return left.size === right.size && [...left].every((id) => right.has(id));
}

/** A line break typed in a person's line (non-blank, no AI character): neither new line holds an AI character. */
function splitKeepsHumanLine(before: LineWithSpans, after: LineWithSpans): boolean {
  if (isBlankLine(before.lineText) || attributionOf(before.lineText, before.lineStart, before.spans)) return false;
  const firstText = after.lineText.slice(0, after.lineText.indexOf('\n'));
  return !attributionOf(firstText, after.lineStart, after.spans) && !attributionOf(after.lineText.slice(firstText.length + 1), after.lineStart + firstText.length + 1, after.spans);
}

/** A line break typed inside an AI line: both lines AI, their spans those of the line before, all of one insertion. */
function splitKeepsBlock(before: LineWithSpans, after: LineWithSpans): boolean {
  const old = attributionOf(before.lineText, before.lineStart, before.spans);
  const firstText = after.lineText.slice(0, after.lineText.indexOf('\n'));
  const first = attributionOf(firstText, after.lineStart, after.spans);
  const second = attributionOf(after.lineText.slice(firstText.length + 1), after.lineStart + firstText.length + 1, after.spans);
  if (!old || !first || !second) return false;
  const ids = new Set(old.spanIds);
  const split = new Set([...first.spanIds, ...second.spanIds]);
  if (split.size !== ids.size || [...split].some((id) => !ids.has(id))) return false;
  const keys = new Set(before.spans.filter((span) => ids.has(span.id)).map(insertionKey));
  return keys.size === 1;
}

/** The line rule's attribution of one line (undefined for a blank or human line). */
function attributionOf(lineText: string, lineStart: number, spans: readonly AttributedSpan[]): LineAttribution | undefined {
  const lineEnd = lineStart + lineText.length;
  const onLine = spans
    .filter((span) => span.end > lineStart && span.start < lineEnd)
    .map((span) => ({ ...span, start: Math.max(span.start, lineStart) - lineStart, end: Math.min(span.end, lineEnd) - lineStart }));
  return deriveLineAttribution(lineText, onLine)[0];
}

/**
 * Kept per line object: the attribution service gives a keystroke's line after it as the line
 * before the next keystroke (the same object when nothing else changed), so typing in a line works
 * each line state out once.
 */
const lineFactsCache = new WeakMap<LineWithSpans, string>();

/** What the block builder sees of a line: blank, human, or its kind and spans. */
function lineFacts(line: LineWithSpans): string {
  let facts = lineFactsCache.get(line);
  if (facts === undefined) lineFactsCache.set(line, (facts = computeLineFacts(line)));
  return facts;
}

function computeLineFacts(line: LineWithSpans): string {
  const attribution = attributionOf(line.lineText, line.lineStart, line.spans);
  if (attribution) return JSON.stringify([line.besideBlankLine ? attribution.kind : 'ai', attribution.spanIds]);
  return isBlankLine(line.lineText) ? 'blank' : 'human';
}

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
 * blank lines join a block). Property-tested against counting again.
 */
import type { AttributedSpan } from '../attribution';
import { deriveLineAttribution } from '../ledger/lineAttribution';

/** One line of a text with the spans on it or next to it (sorted by start, offsets into the whole text). */
export interface LineWithSpans {
  readonly lineText: string;
  readonly lineStart: number;
  readonly spans: readonly AttributedSpan[];
  /** A blank line (only whitespace, or none at all) is right above or below it. */
  readonly besideBlankLine: boolean;
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
  return before.besideBlankLine === after.besideBlankLine && lineFacts(before) === lineFacts(after);
}

/** What the block builder sees of a line: blank, human, or its kind and spans. */
function lineFacts(line: LineWithSpans): string {
  const lineEnd = line.lineStart + line.lineText.length;
  const onLine = line.spans
    .filter((span) => span.end > line.lineStart && span.start < lineEnd)
    .map((span) => ({ ...span, start: Math.max(span.start, line.lineStart) - line.lineStart, end: Math.min(span.end, lineEnd) - line.lineStart }));
  const [attribution] = deriveLineAttribution(line.lineText, onLine);
  if (attribution) return JSON.stringify([line.besideBlankLine ? attribution.kind : 'ai', attribution.spanIds]);
  return isBlankLine(line.lineText) ? 'blank' : 'human';
}

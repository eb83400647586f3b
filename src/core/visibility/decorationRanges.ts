/**
 * Which line runs an editor is sent, so that the cost of setting decorations follows what a person
 * can see, not the number of AI spans in the file. The gutter shows icons only on the lines on
 * screen: an editor is sent the runs near its visible lines (a window a few screens tall, sent again
 * when scrolling leaves it). The overview ruler shows the whole file at a few pixels per many lines:
 * it is sent every run, with gaps too small to show on any ruler closed.
 */
import type { LineRun } from './lineMarks';

/** Lines (0-based, inclusive) whose runs an editor's gutter was given. */
export interface LineWindow {
  readonly first: number;
  readonly last: number;
}

/** At least this many lines above and below the visible ones, whatever the editor's height. */
const MIN_WINDOW_MARGIN_LINES = 200;
/** And at least this many screens above and below (a page-down or a scroll flick stays inside). */
const WINDOW_MARGIN_SCREENS = 3;

/**
 * The lines whose runs an editor is sent, around its visible ranges (0-based, inclusive; in any
 * order, folded regions make several). Undefined when nothing is visible (the editor is sent no gutter runs).
 */
export function gutterWindowAround(visible: readonly LineWindow[], lineCount: number): LineWindow | undefined {
  if (visible.length === 0 || lineCount <= 0) return undefined;
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  let shown = 0;
  for (const range of visible) {
    first = Math.min(first, range.first);
    last = Math.max(last, range.last);
    shown += range.last - range.first + 1;
  }
  const margin = Math.max(MIN_WINDOW_MARGIN_LINES, WINDOW_MARGIN_SCREENS * shown);
  return { first: Math.max(0, first - margin), last: Math.min(lineCount - 1, last + margin) };
}

/**
 * Whether the visible ranges lie inside the window an editor was sent, after edits that changed the
 * line count by `lineDelta` since (the editor moved its decorations with the text; the window's
 * edges are trusted only as far as the change could not have moved them).
 */
export function windowStillCovers(window: LineWindow, visible: readonly LineWindow[], lineDelta: number, lineCount: number): boolean {
  const slack = Math.abs(lineDelta);
  const first = window.first === 0 ? 0 : window.first + slack;
  const last = window.last >= lineCount - 1 - slack ? Number.POSITIVE_INFINITY : window.last - slack;
  return visible.every((range) => range.first >= first && range.last <= last);
}

/** The runs (sorted, not overlapping) that share a line with the window, by binary search. */
export function runsOverlapping(runs: readonly LineRun[], window: LineWindow): readonly LineRun[] {
  let low = 0;
  let high = runs.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (runs[middle].endLine < window.first) low = middle + 1;
    else high = middle;
  }
  let end = low;
  while (end < runs.length && runs[end].startLine <= window.last) end++;
  return low === 0 && end === runs.length ? runs : runs.slice(low, end);
}

/**
 * The tallest overview ruler assumed, in CSS pixels (a 4K screen in portrait is 2160 at 100% zoom):
 * the ruler maps the whole file onto its height, so the taller it is, the more lines a pixel holds.
 */
const TALLEST_RULER_PX = 3_000;
/**
 * VS Code draws every overview-ruler mark at least this tall (its decorations' minimum height), centred
 * on its lines: two marks whose gap is shorter than this are drawn touching.
 */
const RULER_MARK_MIN_HEIGHT_PX = 6;

/**
 * The runs for the overview ruler: the same lines, with every gap that no ruler up to TALLEST_RULER_PX
 * tall could show closed (a gap of fewer lines than a minimum-height mark covers). Dense AI code
 * becomes a few long runs instead of thousands of one-line ones, which look the same on the ruler.
 */
export function overviewRulerRuns(runs: readonly LineRun[], lineCount: number): readonly LineRun[] {
  const widestHiddenGap = Math.floor((lineCount * RULER_MARK_MIN_HEIGHT_PX) / TALLEST_RULER_PX);
  if (widestHiddenGap < 1 || runs.length < 2) return runs;
  const merged: LineRun[] = [];
  let current = runs[0];
  for (let index = 1; index < runs.length; index++) {
    const next = runs[index];
    if (next.startLine - current.endLine - 1 <= widestHiddenGap) current = { startLine: current.startLine, endLine: Math.max(current.endLine, next.endLine) };
    else {
      merged.push(current);
      current = next;
    }
  }
  merged.push(current);
  return merged.length === runs.length ? runs : merged;
}

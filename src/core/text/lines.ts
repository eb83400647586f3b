import type { Translate } from './translate';

/** Offsets at which the lines of `text` start: 0, then one after each '\n' (a final '\n' starts an empty last line). */
export function lineStartOffsets(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** The last index in [0, count) whose value is <= target (0 when none is): a binary search over ascending values. */
export function lastAtOrBelow(count: number, valueAt: (index: number) => number, target: number): number {
  let low = 0;
  let high = count - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (valueAt(middle) <= target) low = middle;
    else high = middle - 1;
  }
  return low;
}

/** The 0-based line holding `offset`, given the lines' start offsets (lineStartOffsets). */
export function lineIndexAt(lineStarts: readonly number[], offset: number): number {
  return lastAtOrBelow(lineStarts.length, (index) => lineStarts[index], offset);
}

/** How many '\n' a text holds: the lines it adds when inserted (a '\r\n' counts once). */
export function lineBreaksIn(text: string): number {
  let count = 0;
  for (let index = text.indexOf('\n'); index !== -1; index = text.indexOf('\n', index + 1)) count++;
  return count;
}

/** "line 7" or "lines 3-9", for 1-based inclusive line numbers. */
export function lineRangeLabel(range: { readonly startLine: number; readonly endLine: number }, t: Translate): string {
  return range.startLine === range.endLine ? t('line {0}', range.startLine) : t('lines {0}-{1}', range.startLine, range.endLine);
}

/**
 * The line holding `offset` (the last line starting at or before it), found from `hint` by steps
 * that double, then halving: its cost grows with the distance from the hint, not the line count.
 */
export function lineHolding(offset: number, hint: number, lineCount: number, lineStart: (line: number) => number): number {
  // Invariant once bracketed: lineStart(low) <= offset < lineStart(high), with lineStart(lineCount) = infinity.
  let low: number;
  let high: number;
  if (lineStart(hint) <= offset) {
    low = hint;
    for (let step = 1; ; step *= 2) {
      const probe = hint + step;
      if (probe >= lineCount) {
        high = lineCount;
        break;
      }
      if (lineStart(probe) > offset) {
        high = probe;
        break;
      }
      low = probe;
    }
  } else {
    high = hint;
    for (let step = 1; ; step *= 2) {
      const probe = hint - step;
      if (probe <= 0) {
        low = 0;
        break;
      }
      if (lineStart(probe) <= offset) {
        low = probe;
        break;
      }
      high = probe;
    }
  }
  while (high - low > 1) {
    const middle = (low + high) >> 1;
    if (lineStart(middle) <= offset) low = middle;
    else high = middle;
  }
  return low;
}

/**
 * The committed text with the working text's line breaks, when git converted them (core.autocrlf,
 * `eol=crlf` in .gitattributes): every line of the working text ends in CRLF and the committed text
 * holds no CR, as git writes it on add and gives it back with CRLF on checkout. Otherwise the
 * committed text as it is. Lines keep their numbers, so line ranges found in the result hold for
 * the committed text, while the working text's spans and reviews (taken over CRLF) map onto it unchanged.
 */
export function committedTextInWorkingLineEnds(committed: string, working: string): string {
  if (committed.includes('\r') || !committed.includes('\n') || !endsEveryLineWithCrlf(working)) return committed;
  return committed.replaceAll('\n', '\r\n');
}

function endsEveryLineWithCrlf(text: string): boolean {
  let breaks = 0;
  for (let index = text.indexOf('\n'); index !== -1; index = text.indexOf('\n', index + 1)) {
    if (index === 0 || text.charCodeAt(index - 1) !== 13) return false;
    breaks++;
  }
  return breaks > 0;
}

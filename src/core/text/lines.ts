import type { Translate } from './translate';

/** Offsets at which the lines of `text` start: 0, then one after each '\n' (a final '\n' starts an empty last line). */
export function lineStartOffsets(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** "line 7" or "lines 3-9", for 1-based inclusive line numbers. */
export function lineRangeLabel(range: { readonly startLine: number; readonly endLine: number }, t: Translate): string {
  return range.startLine === range.endLine ? t('line {0}', range.startLine) : t('lines {0}-{1}', range.startLine, range.endLine);
}

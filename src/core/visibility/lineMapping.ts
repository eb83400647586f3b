import { unchangedLineTargets } from '../text/lineDiff';

/** Beyond this many changed lines, mapping is not worth it (callers fall back to blaming the text). */
const MAX_CHANGED_LINES = 500;

/**
 * Where each line of `before` stands in `after` (0-based), for lines the edit left unchanged;
 * changed and deleted lines map to undefined. Returns undefined when the texts differ in more than
 * a bounded number of lines, so the diff stays cheap.
 */
export function mapUnchangedLines(before: string, after: string): ((line: number) => number | undefined) | undefined {
  if (before === after) return (line) => line;
  const beforeLines = before.split('\n');
  const afterLines = after.split('\n');
  const target = unchangedLineTargets(beforeLines, afterLines, { maxEditLength: MAX_CHANGED_LINES });
  if (!target) return undefined;
  return (line) => (line >= 0 && line < target.length && target[line] >= 0 ? target[line] : undefined);
}

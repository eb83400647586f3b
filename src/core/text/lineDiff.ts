/** Which lines a line diff keeps unchanged between two versions of a text. Pure. */
import { diffArrays, type DiffArraysOptionsAbortable } from 'diff';

/**
 * For each line of `before`, its 0-based index in `after` when a line diff of the two leaves it
 * unchanged, else -1. Undefined when the diff gives up at its limits (`timeout` ms, or more than
 * `maxEditLength` changed lines), so a caller claims nothing about lines it could not match.
 */
export function unchangedLineTargets(before: string[], after: string[], limits: DiffArraysOptionsAbortable<string>): Int32Array | undefined {
  const targets = new Int32Array(before.length).fill(-1);
  const parts = diffArrays(before, after, limits);
  if (!parts) return undefined;
  let beforeIndex = 0;
  let afterIndex = 0;
  for (const part of parts) {
    const count = part.value.length;
    if (part.added) afterIndex += count;
    else if (part.removed) beforeIndex += count;
    else {
      for (let offset = 0; offset < count; offset++) targets[beforeIndex + offset] = afterIndex + offset;
      beforeIndex += count;
      afterIndex += count;
    }
  }
  return targets;
}

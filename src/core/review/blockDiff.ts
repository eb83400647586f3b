/**
 * What an AI block replaced: a line diff of the file's last committed text against its text now
 * puts each block in a hunk, and the hunk's removed lines are what the block took the place of.
 * Shown in the review panel next to the block (issue 15: "the AI code as a diff"). Pure.
 */
import { diffArrays } from 'diff';
import type { ReviewBlock } from './reviewModel';

/** Beyond this many changed lines the diff is not worth its cost; blocks then show no replaced lines. */
const MAX_EDIT_LENGTH = 2_000;

interface Hunk {
  /** Lines of the current text the hunk added, 0-based, [start, end). A pure deletion has start === end. */
  readonly start: number;
  readonly end: number;
  readonly removed: readonly string[];
}

function splitLines(text: string): string[] {
  return text.split('\n').map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
}

/**
 * The lines of `baseText` each block replaced, by block id (blocks with none are left out):
 * the removed lines of every hunk whose added lines meet the block, and of deletions inside it.
 * Empty when the texts differ too much to diff cheaply.
 */
export function replacedLinesOfBlocks(baseText: string, text: string, blocks: readonly Pick<ReviewBlock, 'id' | 'startLine' | 'endLine'>[]): Map<string, string[]> {
  const result = new Map<string, string[]>();
  if (blocks.length === 0 || baseText === text) return result;
  const parts = diffArrays(splitLines(baseText), splitLines(text), { maxEditLength: MAX_EDIT_LENGTH });
  if (!parts) return result;
  const hunks: Hunk[] = [];
  let line = 0;
  let open: { start: number; end: number; removed: string[] } | undefined;
  for (const part of parts) {
    const count = part.count ?? part.value.length;
    if (!part.added && !part.removed) {
      if (open) hunks.push(open);
      open = undefined;
      line += count;
      continue;
    }
    open ??= { start: line, end: line, removed: [] };
    if (part.added) {
      line += count;
      open.end = line;
    } else {
      open.removed.push(...part.value);
    }
  }
  if (open) hunks.push(open);
  for (const block of blocks) {
    const first = block.startLine - 1;
    const last = block.endLine - 1;
    const removed = hunks
      .filter((hunk) => hunk.removed.length > 0 && (hunk.end > hunk.start ? hunk.end > first && hunk.start <= last : hunk.start > first && hunk.start <= last))
      .flatMap((hunk) => hunk.removed);
    if (removed.length > 0) result.set(block.id, removed);
  }
  return result;
}

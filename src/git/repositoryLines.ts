/** Line counts of a repository's tracked text files, from one `git grep` (the AI Share view's denominator). */
import type { GitRunner } from './gitRunner';

/** Output bound: one short line per tracked file. */
const MAX_OUTPUT_BYTES = 32 * 1024 * 1024;

/**
 * Lines per tracked text file of the working tree (binary files skipped, empty files absent):
 * `git grep -c` of the empty pattern, which every line matches. Paths are repository-relative.
 */
export async function trackedLineCounts(git: GitRunner, topLevel: string): Promise<Map<string, number>> {
  const result = await git.run(['grep', '-z', '-c', '-I', '-e', '', '--'], { cwd: topLevel, okExitCodes: [1], maxOutputBytes: MAX_OUTPUT_BYTES, timeoutMs: 60_000 });
  const counts = new Map<string, number>();
  for (const line of result.stdout.split('\n')) {
    const separator = line.lastIndexOf('\0');
    if (separator <= 0) continue;
    const count = Number(line.slice(separator + 1));
    if (Number.isSafeInteger(count) && count >= 0) counts.set(line.slice(0, separator), count);
  }
  return counts;
}

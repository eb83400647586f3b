import { assertObjectId, type GitRunner } from './gitRunner';
import { readRef } from './revisions';

/** The commits a pull or a merge brought onto HEAD: `before..after`. */
export interface PulledRange {
  readonly before: string;
  readonly after: string;
}

/**
 * When HEAD's newest move (its reflog) was a pull or a merge, the commits it brought in: from
 * ORIG_HEAD, where git left the branch's tip from before it, to HEAD. Undefined otherwise (a
 * commit, checkout, reset, or no reflog).
 */
export async function lastPulledRange(git: GitRunner, cwd: string): Promise<PulledRange | undefined> {
  const result = await git.run(['log', '--walk-reflogs', '--max-count=1', '--format=%H%x00%gs', 'HEAD', '--'], { cwd, okExitCodes: [128], maxOutputBytes: 64 * 1024 });
  if (result.exitCode !== 0) return undefined;
  const [after, subject] = result.stdout.trim().split('\0');
  if (!after || subject === undefined || !/^(pull|merge)\b/.test(subject)) return undefined;
  const before = await readRef(git, cwd, 'ORIG_HEAD');
  if (!before || before === after) return undefined;
  return { before, after: assertObjectId(after) };
}

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

/** Reflog subjects of a commit made on top of HEAD (`git commit`, the first commit, a merge commit); not amend, cherry-pick, rebase. */
const NEW_COMMIT_SUBJECT = /^commit(?: \((?:initial|merge)\))?: /;

/**
 * The commits made on top of `previous` that took HEAD to `head`, oldest first, when HEAD's
 * reflog shows only such commits between the two (at most `max`): two terminal commits made
 * between two looks at HEAD. Undefined when anything else moved HEAD (a pull, a reset, an amend),
 * when `previous` is further back, or without a reflog (core.logAllRefUpdates off).
 */
export async function commitsMadeSince(git: GitRunner, cwd: string, previous: string, head: string, max = 16): Promise<string[] | undefined> {
  const result = await git.run(['log', '--walk-reflogs', `--max-count=${max + 1}`, '--format=%H%x00%gs', 'HEAD', '--'], { cwd, okExitCodes: [128], maxOutputBytes: 256 * 1024 });
  if (result.exitCode !== 0) return undefined;
  const moves = result.stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const [commit, subject = ''] = line.split('\0');
      return { commit, subject };
    });
  // HEAD may have moved again since it was resolved: start from the move that left it at `head`.
  const start = moves.findIndex((move) => move.commit === head);
  if (start < 0) return undefined;
  const made: string[] = [];
  for (const move of moves.slice(start)) {
    if (move.commit === previous) return made.length > 0 ? made.reverse().map(assertObjectId) : undefined;
    if (!NEW_COMMIT_SUBJECT.test(move.subject)) return undefined;
    made.push(move.commit);
  }
  return undefined;
}

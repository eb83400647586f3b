/** Revisions by name: the commit a revision names, the id a ref points at, a commit's tree. */
import { GitError, assertObjectId, type GitRunner } from './gitRunner';

export const ZERO_OID = '0000000000000000000000000000000000000000';

/** Full id of `revision` as a commit; throws a GitError when it names no commit. */
export async function resolveCommit(git: GitRunner, cwd: string, revision: string): Promise<string> {
  if (revision.startsWith('-')) throw new GitError('bad-revision', `not a revision: ${JSON.stringify(revision)}`, []);
  const result = await git.run(['rev-parse', '--verify', '--quiet', '--end-of-options', `${revision}^{commit}`], { cwd, okExitCodes: [1] });
  const id = result.stdout.trim();
  if (result.exitCode !== 0 || !id) throw new GitError('bad-revision', `no such commit: ${revision}`, []);
  return assertObjectId(id);
}

/** The id `ref` points at, or undefined when it does not exist. */
export async function readRef(git: GitRunner, cwd: string, ref: string): Promise<string | undefined> {
  const result = await git.run(['rev-parse', '--verify', '--quiet', '--end-of-options', ref], { cwd, okExitCodes: [1] });
  const id = result.stdout.trim();
  return result.exitCode === 0 && id ? assertObjectId(id) : undefined;
}

export async function treeOfCommit(git: GitRunner, cwd: string, commit: string): Promise<string> {
  const result = await git.run(['rev-parse', '--verify', '--end-of-options', `${assertObjectId(commit)}^{tree}`], { cwd });
  return assertObjectId(result.stdout.trim());
}


/** The commit HEAD points at, or null before the first commit (or on a detached HEAD at no commit). */
export async function headCommit(git: GitRunner, cwd: string): Promise<string | null> {
  const result = await git.run(['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'], { cwd, okExitCodes: [1] });
  const id = result.stdout.trim();
  return result.exitCode === 0 && id ? assertObjectId(id) : null;
}

/** The parents of a commit, first parent first. */
export async function parentsOfCommit(git: GitRunner, cwd: string, commit: string): Promise<string[]> {
  const result = await git.run(['rev-list', '--parents', '-n', '1', assertObjectId(commit)], { cwd });
  return result.stdout.trim().split(' ').slice(1).map(assertObjectId);
}

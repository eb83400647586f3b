import type { GitRunner } from './gitRunner';
import { GitError } from './gitRunner';

/** Where a repository lives: its working tree's top level and its (per-worktree) git directory. */
export interface RepositoryLocation {
  /** Absolute path of the working tree's top level. */
  readonly topLevel: string;
  /** Absolute path of the git directory; for a linked worktree, that worktree's own directory. */
  readonly gitDir: string;
}

/**
 * Finds the repository that contains `cwd`. Throws GitError kind 'not-a-repository' outside one
 * (also for a bare repository, which has no working tree to attribute).
 */
export async function findRepository(git: GitRunner, cwd: string): Promise<RepositoryLocation> {
  let stdout: string;
  try {
    ({ stdout } = await git.run(['rev-parse', '--show-toplevel', '--absolute-git-dir'], { cwd }));
  } catch (error) {
    if (error instanceof GitError && error.kind === 'exit-code' && /work tree/i.test(error.stderr)) {
      throw new GitError('not-a-repository', `not inside a working tree: ${cwd}`, error.args, error.exitCode, error.stderr);
    }
    throw error;
  }
  const lines = stdout.split('\n').filter((line) => line.length > 0);
  if (lines.length !== 2) {
    throw new GitError('exit-code', `unexpected output of git rev-parse: ${JSON.stringify(stdout.slice(0, 500))}`, ['rev-parse']);
  }
  return { topLevel: lines[0], gitDir: lines[1] };
}

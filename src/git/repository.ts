import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { assertRepoPath, isRepoPath } from '../core/workingState/repoPath';
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

export type RepoPathResolution =
  | { readonly kind: 'ok'; readonly repoPath: string; readonly absolutePath: string }
  | { readonly kind: 'missing'; readonly absolutePath: string }
  | { readonly kind: 'outside'; readonly absolutePath: string }
  | { readonly kind: 'not-a-file'; readonly absolutePath: string };

/**
 * Turns a path given by a user (relative to `cwd`, or absolute) into the repository-relative,
 * '/'-separated path of an existing file. Symlinks are resolved on both sides, so `/tmp` vs
 * `/private/tmp` style aliases do not matter.
 */
export async function resolveRepoPath(repository: RepositoryLocation, cwd: string, userPath: string): Promise<RepoPathResolution> {
  const absolutePath = path.resolve(cwd, userPath);
  let realFile: string;
  try {
    realFile = await fs.realpath(absolutePath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') {
      return { kind: 'missing', absolutePath };
    }
    throw error;
  }
  const realTop = await fs.realpath(repository.topLevel);
  const relative = path.relative(realTop, realFile);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return { kind: 'outside', absolutePath };
  const repoPath = relative.split(path.sep).join('/');
  if (!isRepoPath(repoPath)) return { kind: 'outside', absolutePath };
  if (!(await fs.stat(realFile)).isFile()) return { kind: 'not-a-file', absolutePath };
  return { kind: 'ok', repoPath, absolutePath: realFile };
}

/** Files larger than this are not read as documents (VS Code does not sync them to extensions either). */
export const MAX_DOCUMENT_BYTES = 50 * 1024 * 1024;

/**
 * The text of a working-tree file as the editor sees it (UTF-8, a leading byte-order mark
 * dropped), or undefined when the file does not exist. Throws for files over MAX_DOCUMENT_BYTES.
 */
export async function readWorkingTreeText(repository: RepositoryLocation, repoPath: string): Promise<string | undefined> {
  const file = path.join(repository.topLevel, ...assertRepoPath(repoPath).split('/'));
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw error;
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) return undefined;
    if (stat.size > MAX_DOCUMENT_BYTES) throw new Error(`${repoPath} is ${stat.size} bytes, over the ${MAX_DOCUMENT_BYTES}-byte limit`);
    const text = (await handle.readFile()).toString('utf8');
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  } finally {
    await handle.close();
  }
}

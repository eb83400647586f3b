import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { assertRepoPath, isRepoPath } from '../core/workingState/repoPath';
import type { GitResult, GitRunner } from './gitRunner';
import { GitError, assertObjectId } from './gitRunner';
import { readRegularFile } from './regularFile';

/** How repository paths map onto this machine's file system (see RepoPathOptions). */
export const ON_THIS_FILE_SYSTEM = { backslashSeparates: process.platform === 'win32' } as const;

/**
 * Where a repository lives, as git itself answers it (one `git rev-parse`). Every part of Vouch
 * that needs to know "which repository, which directories" asks findRepository once and passes
 * this down.
 */
export interface RepositoryLocation {
  /** Absolute path of the working tree's top level. */
  readonly topLevel: string;
  /** Absolute path of the git directory; for a linked worktree, that worktree's own directory (working state lives here). */
  readonly gitDir: string;
  /** Absolute path of the git directory all worktrees share (hooks, notes journal and claims live here). */
  readonly commonDir: string;
}

/**
 * Finds the repository that contains `cwd`. Throws GitError kind 'not-a-repository' outside one
 * (also for a bare repository, which has no working tree to attribute).
 */
export async function findRepository(git: GitRunner, cwd: string): Promise<RepositoryLocation> {
  return (await revParseRepository(git, cwd, [])).repository;
}

/**
 * findRepository, and whether `commitId` (a full object id, e.g. the commit a post-commit hook
 * names) is a commit of that repository, in the same `git rev-parse`. `commit` is the id when it
 * is, else undefined.
 */
export async function findRepositoryAndCommit(git: GitRunner, cwd: string, commitId: string): Promise<{ repository: RepositoryLocation; commit?: string }> {
  const { repository, rest, exitCode } = await revParseRepository(git, cwd, ['--verify', '--quiet', '--end-of-options', `${assertObjectId(commitId)}^{commit}`]);
  return exitCode === 0 && rest.length === 1 && rest[0] === commitId ? { repository, commit: commitId } : { repository };
}

async function revParseRepository(git: GitRunner, cwd: string, extra: readonly string[]): Promise<{ repository: RepositoryLocation; rest: string[]; exitCode: number }> {
  let result: GitResult;
  try {
    // Exit code 1: the repository is found, `--verify` of the extra revision failed.
    result = await git.run(['rev-parse', '--show-toplevel', '--absolute-git-dir', '--path-format=absolute', '--git-common-dir', ...extra], { cwd, okExitCodes: extra.length > 0 ? [1] : [] });
  } catch (error) {
    if (error instanceof GitError && error.kind === 'exit-code' && /work tree/i.test(error.stderr)) {
      throw new GitError('not-a-repository', `not inside a working tree: ${cwd}`, error.args, error.exitCode, error.stderr);
    }
    throw error;
  }
  const { stdout } = result;
  const lines = stdout.split('\n').filter((line) => line.length > 0);
  if (lines.length < 3 || (extra.length === 0 && lines.length !== 3)) {
    throw new GitError('exit-code', `unexpected output of git rev-parse: ${JSON.stringify(stdout.slice(0, 500))}`, ['rev-parse']);
  }
  return { repository: { topLevel: lines[0], gitDir: lines[1], commonDir: lines[2] }, rest: lines.slice(3), exitCode: result.exitCode };
}

/** Why a directory has no working tree: 'none' when no repository holds it at all. */
export type MissingWorkingTree = 'bare-repository' | 'inside-git-directory' | 'none';

/**
 * Why findRepository found no working tree at `cwd`, as git answers it (one `git rev-parse`), so
 * the message names the real cause: a bare repository, the inside of a `.git` directory, or no
 * repository. Undefined when git gives no usable answer (the message then names no cause).
 */
export async function whyNoWorkingTree(git: GitRunner, cwd: string): Promise<MissingWorkingTree | undefined> {
  let stdout: string;
  try {
    stdout = (await git.run(['rev-parse', '--is-bare-repository', '--is-inside-git-dir'], { cwd })).stdout;
  } catch (error) {
    return error instanceof GitError && error.kind === 'not-a-repository' ? 'none' : undefined;
  }
  const [bare, insideGitDir] = stdout.split('\n');
  if (bare === 'true') return 'bare-repository';
  if (insideGitDir === 'true') return 'inside-git-directory';
  return undefined;
}

/** Whether this system's file names ignore case as git's default here does (core.ignoreCase on Windows and macOS). */
const CASE_INSENSITIVE_NAMES = process.platform === 'win32' || process.platform === 'darwin';

/**
 * The one containment rule for a file's path: its repository path ('/'-separated) when `file` lies
 * inside the working tree at `topLevel`, else undefined. Lexical: paths a user gives are resolved
 * through symlinks first (resolveRepoPath), paths read from state go through containedFile. Only a
 * `..` segment leaves the tree (a name like `..config` is inside); a path through a `.git` directory
 * is never a file of the working tree (git refuses such paths); case is compared as git compares it
 * on this system.
 */
export function pathInRepository(topLevel: string, file: string): string | undefined {
  const top = path.resolve(topLevel);
  const full = path.resolve(file);
  let relative = path.relative(top, full);
  // path.relative compares case on macOS, git there does not (on Windows path.relative already ignores case).
  if (process.platform === 'darwin' && full.toLowerCase().startsWith(`${top.toLowerCase()}${path.sep}`)) relative = full.slice(top.length + 1);
  if (relative === '' || path.isAbsolute(relative)) return undefined;
  const parts = relative.split(path.sep);
  if (parts[0] === '..' || parts.some((part) => (CASE_INSENSITIVE_NAMES ? part.toLowerCase() : part) === '.git')) return undefined;
  return parts.join('/');
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
  const repoPath = pathInRepository(realTop, realFile);
  if (repoPath === undefined || !isRepoPath(repoPath, ON_THIS_FILE_SYSTEM)) return { kind: 'outside', absolutePath };
  if (!(await fs.stat(realFile)).isFile()) return { kind: 'not-a-file', absolutePath };
  return { kind: 'ok', repoPath, absolutePath: realFile };
}

/**
 * The repository that holds a file the user named, and the file's path in it. A file inside a
 * submodule (or any repository nested in the working tree) belongs to that repository: its
 * commits are the ones that will carry the lines, so its working state is where they are marked.
 * `nested` tells when that is not the repository of `cwd`.
 */
export async function resolveUserFile(
  git: GitRunner,
  cwd: string,
  userPath: string,
): Promise<{ readonly repository: RepositoryLocation; readonly resolved: RepoPathResolution; readonly nested: boolean }> {
  const repository = await findRepository(git, cwd);
  const resolved = await resolveRepoPath(repository, cwd, userPath);
  if (resolved.kind !== 'ok') return { repository, resolved, nested: false };
  const own = await findRepository(git, path.dirname(resolved.absolutePath));
  const [ownTop, cwdTop] = await Promise.all([fs.realpath(own.topLevel), fs.realpath(repository.topLevel)]);
  if (ownTop === cwdTop) return { repository, resolved, nested: false };
  return { repository: own, resolved: await resolveRepoPath(own, cwd, userPath), nested: true };
}

/**
 * The repository nested in `repository`'s working tree (a submodule, a clone inside it) whose
 * working tree holds `absolutePath`, or undefined when the path is `repository`'s own (or its
 * directory does not exist, as for a file only in an old commit).
 */
export async function nestedRepositoryHolding(git: GitRunner, repository: RepositoryLocation, absolutePath: string): Promise<RepositoryLocation | undefined> {
  const directory = path.dirname(absolutePath);
  const isDirectory = await fs.stat(directory).then((stats) => stats.isDirectory(), () => false);
  if (!isDirectory) return undefined;
  let own: RepositoryLocation;
  try {
    own = await findRepository(git, directory);
  } catch (error) {
    if (error instanceof GitError && error.kind === 'not-a-repository') return undefined;
    throw error;
  }
  const [ownTop, outerTop] = await Promise.all([fs.realpath(own.topLevel), fs.realpath(repository.topLevel)]);
  return ownTop === outerTop ? undefined : own;
}

/** Files larger than this are not read as documents (VS Code does not sync them to extensions either). */
export const MAX_DOCUMENT_BYTES = 50 * 1024 * 1024;

/**
 * The text of a working-tree file as the editor sees it (UTF-8, a leading byte-order mark
 * dropped), or undefined when the file does not exist or is not a regular file of this working
 * tree. Throws for files over MAX_DOCUMENT_BYTES.
 */
export async function readWorkingTreeText(repository: RepositoryLocation, repoPath: string): Promise<string | undefined> {
  const file = await containedFile(repository, repoPath);
  if (file === undefined) return undefined;
  const read = await readRegularFile(file, { maxBytes: MAX_DOCUMENT_BYTES });
  if (read.kind === 'too-large') throw new Error(`${repoPath} is over the ${MAX_DOCUMENT_BYTES}-byte limit (${read.reason})`);
  if (read.kind !== 'ok') return undefined;
  const text = read.bytes.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * The one containment rule for repository paths read from state (a working-state file, a note):
 * the path names a file of this working tree only when no part of it is a symlink, i.e. its real
 * path is the top level's real path joined with it. `vouch mark` and `resolveRepoPath` store real
 * paths, so a path that passes through a symlinked directory (which could lead out of the
 * repository) is never one Vouch wrote. Undefined when the path escapes or does not exist.
 */
export async function containedFile(repository: RepositoryLocation, repoPath: string): Promise<string | undefined> {
  const parts = assertRepoPath(repoPath, ON_THIS_FILE_SYSTEM).split('/');
  let realFile: string;
  let realTop: string;
  try {
    [realFile, realTop] = await Promise.all([fs.realpath(path.join(repository.topLevel, ...parts)), fs.realpath(repository.topLevel)]);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP') return undefined;
    throw error;
  }
  return realFile === path.join(realTop, ...parts) ? realFile : undefined;
}

/**
 * The index (staging area) of a repository: which files are staged, their staged text, and
 * staging or unstaging them. Every call goes through GitRunner; paths are literal pathspecs.
 */
import { assertRepoPath } from '../../core/workingState/repoPath';
import * as path from 'node:path';
import { GitError, assertObjectId, isObjectId, type GitRunner } from '../gitRunner';
import { MAX_DOCUMENT_BYTES, type RepositoryLocation } from '../repository';

/** Pathspecs are taken literally: a file named `*.ts` or `:(glob)x` means that file only. */
const LITERAL_PATHSPECS = { GIT_LITERAL_PATHSPECS: '1' } as const;

/**
 * Which index to read. A pre-commit hook of `git commit <paths>` or `git commit -a` sees a
 * temporary index named by GIT_INDEX_FILE; GitRunner drops inherited GIT_* variables, so the
 * hook's command passes it on here.
 */
export interface IndexOptions {
  /** Absolute path of the index file; the repository's own index when undefined. */
  readonly indexFile?: string;
}

export function indexEnvironment(options: IndexOptions): Record<string, string> {
  return options.indexFile ? { ...LITERAL_PATHSPECS, GIT_INDEX_FILE: options.indexFile } : { ...LITERAL_PATHSPECS };
}

export interface StagedEntry {
  readonly repoPath: string;
  /** The file mode in the index, e.g. '100644'. */
  readonly mode: string;
  readonly blob: string;
}

/** Regular files (plain or executable); symlinks and submodules hold no text to attribute. */
function isRegularFileMode(mode: string): boolean {
  return mode === '100644' || mode === '100755';
}

/**
 * Paths whose staged content differs from HEAD (added, copied, modified, renamed, type-changed),
 * repository-relative and '/'-separated. Deleted files are left out: they hold no text.
 */
export async function stagedPaths(git: GitRunner, repository: RepositoryLocation, index: IndexOptions = {}): Promise<string[]> {
  const { stdout } = await git.run(['diff', '--cached', '--name-only', '-z', '--no-renames', '--diff-filter=ACMRT', '--no-ext-diff', '--no-textconv'], {
    cwd: repository.topLevel,
    env: indexEnvironment(index),
  });
  return stdout.split('\0').filter((entry) => entry.length > 0);
}

/**
 * The staged changes against HEAD (added, copied, modified, renamed, type-changed) that are
 * regular files, with their index entries: what stagedPaths and stagedEntries tell together, in
 * one `git diff --cached --raw` (the pre-commit check's only index read). Deleted files, links,
 * submodules and conflicted paths are left out.
 */
export async function stagedChanges(git: GitRunner, repository: RepositoryLocation, index: IndexOptions = {}): Promise<Map<string, StagedEntry>> {
  const { stdoutBytes } = await git.run(['diff', '--cached', '--raw', '-z', '--no-abbrev', '--no-renames', '--diff-filter=ACMRT', '--no-ext-diff', '--no-textconv'], {
    cwd: repository.topLevel,
    env: indexEnvironment(index),
  });
  // ":<old mode> <new mode> <old id> <new id> <status>\0<path>\0" per entry.
  const entries = new Map<string, StagedEntry>();
  const fields = stdoutBytes.toString('utf8').split('\0');
  for (let at = 0; at + 1 < fields.length; at += 2) {
    const [, mode, , blob] = fields[at].slice(1).split(' ');
    const repoPath = fields[at + 1];
    if (!fields[at].startsWith(':') || repoPath === undefined) throw new GitError('exit-code', 'unexpected git diff --raw output', ['diff']);
    if (isRegularFileMode(mode) && isObjectId(blob)) entries.set(repoPath, { repoPath, mode, blob });
  }
  return entries;
}

/** The index entry of a path (stage 0), or undefined when it is not in the index or is not a regular file. */
export async function stagedEntry(git: GitRunner, repository: RepositoryLocation, repoPath: string, index: IndexOptions = {}): Promise<StagedEntry | undefined> {
  assertRepoPath(repoPath);
  const { stdout } = await git.run(['ls-files', '--stage', '-z', '--', repoPath], { cwd: repository.topLevel, env: indexEnvironment(index) });
  for (const record of stdout.split('\0')) {
    // "<mode> <blob> <stage>\t<path>"
    const match = /^(\d{6}) ([0-9a-f]+) (\d)\t([\s\S]*)$/.exec(record);
    if (!match || match[4] !== repoPath) continue;
    if (match[3] !== '0') return undefined; // a merge conflict: nothing is staged yet
    if (!isRegularFileMode(match[1])) return undefined;
    return { repoPath, mode: match[1], blob: assertObjectId(match[2]) };
  }
  return undefined;
}

/** Paths per `git ls-files` process, so an argument list stays bounded. */
const PATHS_PER_LS_FILES = 200;

/**
 * The index entries (stage 0, regular files) of many paths, in one `git ls-files` per
 * PATHS_PER_LS_FILES paths rather than one per path.
 */
export async function stagedEntries(git: GitRunner, repository: RepositoryLocation, repoPaths: readonly string[], index: IndexOptions = {}): Promise<Map<string, StagedEntry>> {
  const wanted = new Set(repoPaths.map((repoPath) => assertRepoPath(repoPath)));
  const entries = new Map<string, StagedEntry>();
  const conflicted = new Set<string>();
  const paths = [...wanted];
  for (let start = 0; start < paths.length; start += PATHS_PER_LS_FILES) {
    const batch = paths.slice(start, start + PATHS_PER_LS_FILES);
    const { stdout } = await git.run(['ls-files', '--stage', '-z', '--', ...batch], { cwd: repository.topLevel, env: indexEnvironment(index) });
    for (const record of stdout.split('\0')) {
      const match = /^(\d{6}) ([0-9a-f]+) (\d)\t([\s\S]*)$/.exec(record);
      if (!match || !wanted.has(match[4])) continue;
      if (match[3] !== '0') conflicted.add(match[4]); // a merge conflict: nothing is staged yet
      else if (isRegularFileMode(match[1])) entries.set(match[4], { repoPath: match[4], mode: match[1], blob: assertObjectId(match[2]) });
    }
  }
  for (const repoPath of conflicted) entries.delete(repoPath);
  return entries;
}

/** The text of a staged blob as the editor would read it (UTF-8, a leading byte-order mark dropped). */
export async function readBlobText(git: GitRunner, repository: RepositoryLocation, blob: string): Promise<string> {
  const { stdoutBytes } = await git.run(['cat-file', 'blob', assertObjectId(blob)], { cwd: repository.topLevel, maxOutputBytes: MAX_DOCUMENT_BYTES });
  const text = stdoutBytes.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** The staged text of a path, or undefined when nothing (or no regular file) is staged there. */
export async function readStagedText(git: GitRunner, repository: RepositoryLocation, repoPath: string, index: IndexOptions = {}): Promise<string | undefined> {
  const entry = await stagedEntry(git, repository, repoPath, index);
  return entry ? readBlobText(git, repository, entry.blob) : undefined;
}

async function hasHead(git: GitRunner, repository: RepositoryLocation): Promise<boolean> {
  const { exitCode } = await git.run(['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'], { cwd: repository.topLevel, okExitCodes: [1] });
  return exitCode === 0;
}

/**
 * Puts the index entries of `repoPaths` back to HEAD (the working tree is not touched). Before the
 * first commit there is no HEAD, so the paths are taken out of the index instead.
 */
export async function unstagePaths(git: GitRunner, repository: RepositoryLocation, repoPaths: readonly string[]): Promise<void> {
  if (repoPaths.length === 0) return;
  for (const repoPath of repoPaths) assertRepoPath(repoPath);
  const options = { cwd: repository.topLevel, env: LITERAL_PATHSPECS };
  if (await hasHead(git, repository)) await git.run(['restore', '--staged', '--', ...repoPaths], options);
  else await git.run(['rm', '--cached', '--force', '--quiet', '--ignore-unmatch', '--', ...repoPaths], options);
}

/** Stages the working-tree content of `repoPaths` (`git add`). */
export async function stagePaths(git: GitRunner, repository: RepositoryLocation, repoPaths: readonly string[]): Promise<void> {
  if (repoPaths.length === 0) return;
  for (const repoPath of repoPaths) assertRepoPath(repoPath);
  try {
    await git.run(['add', '--', ...repoPaths], { cwd: repository.topLevel, env: LITERAL_PATHSPECS });
  } catch (error) {
    if (error instanceof GitError) throw new GitError(error.kind, `could not stage ${repoPaths.join(', ')}: ${error.stderr.trim() || error.message}`, error.args, error.exitCode, error.stderr);
    throw error;
  }
}

/** The blob id of a path's plain index entry (stage 0, any mode), or undefined when it has none or is in conflict. */
export async function indexBlobOf(git: GitRunner, repository: RepositoryLocation, repoPath: string): Promise<string | undefined> {
  const listed = await git.run(['ls-files', '-s', '-z', '--', repoPath], { cwd: repository.topLevel });
  // "<mode> <object> <stage>\t<path>\0"; only stage 0 (no conflict) is a plain index entry.
  const match = /^\d+ ([0-9a-f]+) 0\t/.exec(listed.stdout);
  return match && isObjectId(match[1]) ? match[1] : undefined;
}

/** The blob id `git add` would store for the working-tree file at `repoPath` (its filters applied), without storing it. */
export async function hashAsGitAdds(git: GitRunner, repository: RepositoryLocation, repoPath: string): Promise<string> {
  const hashed = await git.run(['hash-object', '--path', repoPath, '--', path.join(repository.topLevel, ...repoPath.split('/'))], { cwd: repository.topLevel });
  return hashed.stdout.trim();
}

/** Whether git ignores a path (build output, dependencies); false when git cannot tell. */
export async function isIgnoredByGit(git: GitRunner, repository: RepositoryLocation, repoPath: string): Promise<boolean> {
  try {
    const result = await git.run(['check-ignore', '-q', '--', repoPath], { cwd: repository.topLevel, okExitCodes: [1] });
    return result.exitCode === 0;
  } catch (error) {
    if (error instanceof GitError) return false;
    throw error;
  }
}

/**
 * Paths of tracked documents as the working state records them: relative to the repository's top
 * level, '/'-separated, never escaping it. State files come from disk and are hostile input, so the
 * same check guards both what we write and what we read.
 */

const MAX_REPO_PATH_LENGTH = 4096;

export interface RepoPathOptions {
  /**
   * The path will be joined onto a file system where "\\" separates directories (Windows). Git
   * stores "\\" as an ordinary file-name character, and so do POSIX file systems: only there, where
   * it could climb out of the repository, is it refused.
   */
  readonly backslashSeparates?: boolean;
}

/** Why `path` is not a valid repository-relative path, or undefined when it is. */
export function repoPathProblem(path: string, options: RepoPathOptions = {}): string | undefined {
  if (typeof path !== 'string' || path.length === 0) return 'path is empty';
  if (path.length > MAX_REPO_PATH_LENGTH) return `path is longer than ${MAX_REPO_PATH_LENGTH} characters`;
  if (path.includes('\0')) return 'path contains a NUL character';
  if (options.backslashSeparates && path.includes('\\')) return 'path holds "\\", a directory separator on this system';
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) return 'path must be relative to the repository';
  for (const segment of path.split('/')) {
    if (segment === '') return 'path has an empty segment';
    if (segment === '.' || segment === '..') return `path has a '${segment}' segment`;
  }
  if (path === '.git' || path.startsWith('.git/')) return 'path is inside the git directory';
  return undefined;
}

export function isRepoPath(path: string, options: RepoPathOptions = {}): boolean {
  return repoPathProblem(path, options) === undefined;
}

/** Returns `path` unchanged when valid, else throws with the reason. */
export function assertRepoPath(path: string, options: RepoPathOptions = {}): string {
  const problem = repoPathProblem(path, options);
  if (problem) throw new Error(`invalid repository path ${JSON.stringify(path.slice(0, 200))}: ${problem}`);
  return path;
}

/** Fields of many commits and the commits of a range, each from one git process (ids go through standard input, never the argument list). */
import { promises as fs } from 'node:fs';
import { assertObjectId, type GitRunner } from './gitRunner';

/** `git log --no-walk` over `commits` with `format` "%H <field>": field per commit. */
async function fieldOfCommits(git: GitRunner, cwd: string, commits: readonly string[], field: string): Promise<Map<string, string>> {
  const values = new Map<string, string>();
  if (commits.length === 0) return values;
  const result = await git.run(['log', '--no-walk=unsorted', '--stdin', `--format=%H ${field}`], { cwd, input: `${commits.map(assertObjectId).join('\n')}\n` });
  for (const line of result.stdout.split('\n')) {
    const space = line.indexOf(' ');
    if (space > 0) values.set(line.slice(0, space), line.slice(space + 1));
  }
  return values;
}

/** The tree of each commit. */
export async function treesOfCommits(git: GitRunner, cwd: string, commits: readonly string[]): Promise<Map<string, string>> {
  const trees = new Map<string, string>();
  for (const [commit, tree] of await fieldOfCommits(git, cwd, commits, '%T')) trees.set(assertObjectId(commit), assertObjectId(tree));
  return trees;
}

/** The committer time of each commit, in seconds since the epoch. */
export async function committerSecondsOfCommits(git: GitRunner, cwd: string, commits: readonly string[]): Promise<Map<string, number>> {
  const times = new Map<string, number>();
  for (const [commit, seconds] of await fieldOfCommits(git, cwd, commits, '%ct')) if (/^\d+$/.test(seconds)) times.set(commit, Number(seconds));
  return times;
}

/**
 * `git rev-list` of a range, at most `maxCount` commits, newest first, as git's raw output (one id
 * per line); `problem` (git's first error line) when the range names no commits.
 */
export async function revListOfRange(git: GitRunner, cwd: string, range: string, maxCount: number): Promise<{ readonly output: Buffer } | { readonly problem: string }> {
  const notCommits = await endpointsNotCommits(git, cwd, range);
  if (notCommits !== undefined) return { problem: notCommits };
  const listed = await git.run(['rev-list', `--max-count=${maxCount}`, '--end-of-options', range, '--'], { cwd, okExitCodes: [128] });
  return listed.exitCode === 0 ? { output: listed.stdoutBytes } : { problem: listed.stderr.trim().split('\n')[0] ?? '' };
}

/**
 * Why an endpoint of `range` is not a commit (undefined when each is one, or when git cannot read
 * the range: rev-list says why then). git rev-list walks nothing from a tree or a blob and says
 * nothing of it, so `verify HEAD..<a tree>` would pass over no commits: a CI variable that names
 * the wrong object must fail instead.
 */
async function endpointsNotCommits(git: GitRunner, cwd: string, range: string): Promise<string | undefined> {
  const parsed = await git.run(['rev-parse', '--revs-only', '--end-of-options', range], { cwd, okExitCodes: [128] });
  if (parsed.exitCode !== 0) return undefined;
  const ids = parsed.stdout
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => (line.startsWith('^') ? line.slice(1) : line))
    .filter((id) => /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/.test(id));
  if (ids.length === 0) return undefined;
  const types = await git.run(['cat-file', '--batch-check=%(objecttype)'], { cwd, input: ids.map((id) => `${id}^{commit}\n`).join('') });
  const lines = types.stdout.split('\n');
  const bad = ids.findIndex((_, index) => lines[index] !== 'commit');
  return bad < 0 ? undefined : `${ids[bad]} is not a commit`;
}

/**
 * The commits of a shallow clone whose parents were not fetched (git's shallow file), empty in a
 * complete repository. A range whose walk lists one of them stopped at the clone's boundary, not
 * at the range's start: the commits beyond are missing, and that commit looks like a root.
 */
export async function shallowBoundaryCommits(git: GitRunner, cwd: string): Promise<ReadonlySet<string>> {
  const result = await git.run(['rev-parse', '--is-shallow-repository', '--path-format=absolute', '--git-path', 'shallow'], { cwd });
  const [isShallow, shallowFile] = result.stdout.split('\n');
  if (isShallow !== 'true' || !shallowFile) return new Set();
  let text: string;
  try {
    text = await fs.readFile(shallowFile, 'latin1');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Set();
    throw error;
  }
  return new Set(text.split('\n').filter((line) => line.length > 0).map(assertObjectId));
}

/** The first of `commits` at a shallow clone's boundary (see shallowBoundaryCommits), or undefined. */
export async function firstShallowBoundary(git: GitRunner, cwd: string, commits: Iterable<string>): Promise<string | undefined> {
  const boundary = await shallowBoundaryCommits(git, cwd);
  if (boundary.size === 0) return undefined;
  for (const commit of commits) if (boundary.has(commit)) return commit;
  return undefined;
}

/** Small git object reads the notes store needs: repository dirs, blobs in batch, trees, patch-ids, added lines. */
import { GitError, assertObjectId, type GitRunner } from '../gitRunner';
import { findRepository } from '../repository';

export const ZERO_OID = '0000000000000000000000000000000000000000';

/** @deprecated use findRepository (src/git/repository.ts); kept until every caller moves. */
export const resolveRepository = findRepository;

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

export interface BlobRead {
  readonly id: string;
  /** The text, or undefined when the object is missing, not a blob, or larger than the limit. */
  readonly text?: string;
  readonly problem?: string;
  /** Set when the blob exists but is larger than the limit. */
  readonly tooLarge?: boolean;
}

/**
 * Reads blobs in two batch processes: sizes and types first, so an object that is too large or
 * not a blob is never read into memory.
 */
export async function readBlobs(git: GitRunner, cwd: string, ids: readonly string[], maxBytes: number): Promise<Map<string, BlobRead>> {
  const unique = [...new Set(ids.map(assertObjectId))];
  const reads = new Map<string, BlobRead>();
  if (unique.length === 0) return reads;
  const check = await git.run(['cat-file', '--batch-check'], { cwd, input: `${unique.join('\n')}\n` });
  const wanted: string[] = [];
  check.stdout
    .split('\n')
    .filter(Boolean)
    .forEach((line, index) => {
      const id = unique[index];
      const [, type, size] = line.split(' ');
      if (type === 'missing' || line.endsWith(' missing')) reads.set(id, { id, problem: 'missing object' });
      else if (type !== 'blob') reads.set(id, { id, problem: `a ${type}, not a blob` });
      else if (Number(size) > maxBytes) reads.set(id, { id, problem: `${size} bytes, larger than ${maxBytes}`, tooLarge: true });
      else wanted.push(id);
    });
  if (wanted.length === 0) return reads;
  const batch = await git.run(['cat-file', '--batch'], { cwd, input: `${wanted.join('\n')}\n` });
  const bytes = batch.stdoutBytes;
  let offset = 0;
  for (const id of wanted) {
    const headerEnd = bytes.indexOf(10, offset);
    if (headerEnd < 0) throw new GitError('exit-code', 'git cat-file --batch output ended early', ['cat-file']);
    const header = bytes.subarray(offset, headerEnd).toString('utf8').split(' ');
    const size = Number(header[2]);
    if (header[0] !== id || !Number.isInteger(size)) throw new GitError('exit-code', `unexpected git cat-file --batch header for ${id}`, ['cat-file']);
    reads.set(id, { id, text: bytes.subarray(headerEnd + 1, headerEnd + 1 + size).toString('utf8') });
    offset = headerEnd + 1 + size + 1;
  }
  return reads;
}

/** Bytes of path arguments per git call: far below every OS's argument limit (Linux: 128 KiB per argument, ~2 MiB in all). */
const MAX_PATH_ARGUMENT_BYTES = 64 * 1024;

/** `items` in consecutive batches of at most `maxBytes` (by `sizeOf`), each holding at least one item. */
export function batchesOf<T>(items: readonly T[], maxBytes: number, sizeOf: (item: T) => number): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = sizeOf(item);
    if (current.length > 0 && bytes + size > maxBytes) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/**
 * Blob ids of `paths` in `commit` (paths missing from the commit, or not regular files, are absent).
 * The paths go to `git ls-tree` in batches, so any number of paths of any length fits the OS's
 * argument limit.
 */
export async function blobsAtPaths(git: GitRunner, cwd: string, commit: string, paths: readonly string[]): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const pathspecs = [...new Set(paths)].map((path) => `:(literal)${path}`);
  for (const batch of batchesOf(pathspecs, MAX_PATH_ARGUMENT_BYTES, (pathspec) => Buffer.byteLength(pathspec) + 1)) {
    const result = await git.run(['ls-tree', '-r', '-z', '--full-tree', assertObjectId(commit), '--', ...batch], { cwd });
    for (const entry of result.stdout.split('\0')) {
      const tab = entry.indexOf('\t');
      if (tab < 0) continue;
      const [mode, type, id] = entry.slice(0, tab).split(' ');
      if (type === 'blob' && (mode === '100644' || mode === '100755')) found.set(entry.slice(tab + 1), assertObjectId(id));
    }
  }
  return found;
}

export interface CommitPath {
  readonly commit: string;
  readonly path: string;
}

export function commitPathKey(commit: string, path: string): string {
  return `${commit}\0${path}`;
}

/**
 * Blob ids at many (commit, path) pairs in one `git cat-file --batch-check` process, keyed by
 * commitPathKey; pairs that name no blob are absent. The names go through standard input, never
 * the argument list. Paths holding a newline or ending in a carriage return cannot be written as
 * one input line; they are looked up with `git ls-tree` instead.
 */
export async function blobsAtCommitPaths(git: GitRunner, cwd: string, pairs: readonly CommitPath[]): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const lineSafe: CommitPath[] = [];
  const other = new Map<string, string[]>();
  const seen = new Set<string>();
  for (const pair of pairs) {
    const key = commitPathKey(assertObjectId(pair.commit), pair.path);
    if (seen.has(key) || pair.path === '') continue;
    seen.add(key);
    if (/[\n]|\r$|^\.\.?(?:\/|$)/.test(pair.path)) other.set(pair.commit, [...(other.get(pair.commit) ?? []), pair.path]);
    else lineSafe.push(pair);
  }
  if (lineSafe.length > 0) {
    const names = lineSafe.map((pair) => `${pair.commit}:${pair.path}`);
    const result = await git.run(['cat-file', '--batch-check=%(objectname) %(objecttype) %(objectsize)'], { cwd, input: `${names.join('\n')}\n` });
    // A name git cannot resolve comes back as "<name> missing" (or "ambiguous"), which may hold
    // spaces: match each answer against the name asked for, in order.
    const output = result.stdoutBytes;
    let offset = 0;
    lineSafe.forEach((pair, index) => {
      const end = output.indexOf(10, offset);
      if (end < 0) throw new GitError('exit-code', 'git cat-file --batch-check output ended early', ['cat-file']);
      const line = output.subarray(offset, end).toString('utf8');
      offset = end + 1;
      if (line === `${names[index]} missing` || line === `${names[index]} ambiguous`) return;
      const [id, type] = line.split(' ');
      if (type === 'blob') found.set(commitPathKey(pair.commit, pair.path), assertObjectId(id));
    });
  }
  for (const [commit, paths] of other) {
    for (const [path, id] of await blobsAtPaths(git, cwd, commit, paths)) found.set(commitPathKey(commit, path), id);
  }
  return found;
}

/** `git patch-id --stable` of the commit's diff to its first parent; null for an empty diff. */
export async function patchIdOfCommit(git: GitRunner, cwd: string, commit: string): Promise<string | null> {
  const diff = await git.run(['diff-tree', '--patch', '--root', '-r', '--no-color', '--no-ext-diff', '--no-textconv', '--full-index', assertObjectId(commit)], { cwd });
  if (!diff.stdout.includes('\ndiff --git ')) return null;
  const result = await git.run(['patch-id', '--stable'], { cwd, input: diff.stdoutBytes });
  const id = result.stdout.trim().split(' ')[0];
  return id ? assertObjectId(id) : null;
}

function unquoteGitPath(text: string): string {
  if (!text.startsWith('"')) return text;
  const escapes: Record<string, string> = { n: '\n', t: '\t', '"': '"', '\\': '\\', a: '\x07', b: '\b', f: '\f', r: '\r', v: '\v' };
  const bytes: number[] = [];
  for (let index = 1; index < text.length - 1; index++) {
    const char = text[index];
    if (char === '\\') {
      const next = text[index + 1];
      if (/[0-7]/.test(next)) {
        bytes.push(parseInt(text.slice(index + 1, index + 4), 8));
        index += 3;
      } else {
        bytes.push((escapes[next] ?? next).charCodeAt(0));
        index += 1;
      }
    } else {
      bytes.push(...Buffer.from(char, 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Per changed file of `commit`, the 1-based lines it added or changed relative to its first parent. */
export async function addedLinesOfCommit(git: GitRunner, cwd: string, commit: string): Promise<Map<string, Set<number>>> {
  // Explicit prefixes: a user's diff.noprefix or diff.mnemonicPrefix must not change the headers parsed below.
  const diff = await git.run(
    ['diff-tree', '--patch', '--root', '-r', '-U0', '--no-color', '--no-ext-diff', '--no-textconv', '--no-renames', '--src-prefix=a/', '--dst-prefix=b/', assertObjectId(commit)],
    { cwd },
  );
  const added = new Map<string, Set<number>>();
  let current: Set<number> | undefined;
  for (const line of diff.stdout.split('\n')) {
    if (line.startsWith('diff --git ')) current = undefined;
    else if (line.startsWith('+++ ')) {
      // git ends the name with a tab when it holds a space (so patch tools see where it ends). A tab
      // inside a name is always quoted as "\t", so a raw tab at the end is never part of the name.
      const name = line.slice(4).replace(/\t$/, '');
      if (name === '/dev/null') current = undefined;
      else {
        const path = unquoteGitPath(name).replace(/^b\//, '');
        current = new Set<number>();
        added.set(path, current);
      }
    } else if (line.startsWith('@@ ') && current) {
      const match = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@/.exec(line);
      if (!match) continue;
      const start = Number(match[1]);
      const count = match[2] === undefined ? 1 : Number(match[2]);
      for (let lineNumber = start; lineNumber < start + count; lineNumber++) current.add(lineNumber);
    }
  }
  return added;
}

export interface CommitChanges {
  readonly commit: string;
  readonly tree: string;
  /** Repository paths the commit changed relative to its first parent (the root commit: all its files). */
  readonly paths: readonly string[];
  /** Blob ids of the changed paths that are regular files in the commit (deleted files, links and submodules are absent). */
  readonly blobs: ReadonlyMap<string, string>;
  /** `git patch-id --stable` of the commit's diff to its first parent; null for an empty diff. */
  readonly patchId: string | null;
}

/**
 * What recording a commit needs to know about it, in two git processes: one `git diff-tree` gives
 * the tree, the changed paths with their new blob ids (raw part) and the patch (for patch-id), and
 * `git patch-id` hashes the patch. The same answers as treeOfCommit, changedPathsOfCommit,
 * blobsAtPaths (for the changed paths) and patchIdOfCommit together.
 */
export async function readCommitChanges(git: GitRunner, cwd: string, commit: string): Promise<CommitChanges> {
  const diff = await git.run(
    ['diff-tree', '--always', '--root', '-r', '-z', '--no-renames', '--patch-with-raw', '--no-color', '--no-ext-diff', '--no-textconv', '--full-index', '--format=%T', assertObjectId(commit)],
    { cwd },
  );
  const bytes = diff.stdoutBytes;
  const fail = (what: string) => new GitError('exit-code', `unexpected git diff-tree output (${what})`, ['diff-tree']);
  // "<tree>\0" then, when the diff is not empty, "\n", the raw entries ":<modes> <ids> <status>\0<path>\0", "\0" and the patch.
  let offset = bytes.indexOf(0);
  if (offset < 0) throw fail('no tree');
  const tree = assertObjectId(bytes.subarray(0, offset).toString('utf8'));
  offset++;
  if (bytes[offset] === 10) offset++;
  const paths: string[] = [];
  const blobs = new Map<string, string>();
  while (offset < bytes.length && bytes[offset] === 58 /* ':' */) {
    const metaEnd = bytes.indexOf(0, offset);
    const pathEnd = metaEnd < 0 ? -1 : bytes.indexOf(0, metaEnd + 1);
    if (pathEnd < 0) throw fail('raw entry');
    const [, newMode, , newId, status] = bytes.subarray(offset + 1, metaEnd).toString('utf8').split(' ');
    const path = bytes.subarray(metaEnd + 1, pathEnd).toString('utf8');
    paths.push(path);
    if (status !== 'D' && (newMode === '100644' || newMode === '100755')) blobs.set(path, assertObjectId(newId));
    offset = pathEnd + 1;
  }
  if (bytes[offset] === 0) offset++;
  const patch = bytes.subarray(offset);
  let patchId: string | null = null;
  if (patch.includes('diff --git ')) {
    const result = await git.run(['patch-id', '--stable'], { cwd, input: patch });
    const id = result.stdout.trim().split(' ')[0];
    patchId = id ? assertObjectId(id) : null;
  }
  return { commit, tree, paths, blobs, patchId };
}

/** Repository paths the commit changed relative to its first parent (the root commit: all its files). */
export async function changedPathsOfCommit(git: GitRunner, cwd: string, commit: string): Promise<string[]> {
  const result = await git.run(['diff-tree', '--no-commit-id', '--name-only', '-r', '-z', '--root', '--no-renames', assertObjectId(commit)], { cwd });
  return result.stdout.split('\0').filter(Boolean);
}

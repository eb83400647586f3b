/** Reading blobs in batch, bounded in size, and finding the blobs at paths of commits (never an unbounded argument list). */
import { splitLines } from '../core/notes/lineRanges';
import { GitError, assertObjectId, type GitRunner } from './gitRunner';

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

/**
 * The lines of the blobs in `reads`, each split on its first use and kept: the ranges and records
 * of one blob share one split. Undefined for a blob that was not read (or no blob).
 */
export function blobLinesOf(reads: ReadonlyMap<string, BlobRead>): (blob: string | undefined) => string[] | undefined {
  const linesOfBlob = new Map<string, string[]>();
  return (blob) => {
    if (blob === undefined) return undefined;
    let lines = linesOfBlob.get(blob);
    const text = reads.get(blob)?.text;
    if (!lines && text !== undefined) {
      lines = splitLines(text);
      linesOfBlob.set(blob, lines);
    }
    return lines;
  };
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

/** Whether `path` names a file (of any mode: a regular file, a symlink) in `commit`'s tree. */
export async function isFileInCommit(git: GitRunner, cwd: string, commit: string, path: string): Promise<boolean> {
  const result = await git.run(['ls-tree', '-z', '--full-tree', assertObjectId(commit), '--', `:(literal)${path}`], { cwd });
  return result.stdout.split('\0').some((entry) => {
    const tab = entry.indexOf('\t');
    return tab >= 0 && entry.slice(tab + 1) === path && entry.slice(0, tab).split(' ')[1] === 'blob';
  });
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


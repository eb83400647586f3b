/**
 * The one way Vouch reads a file it did not just write (working state, journal, lock, hook, the
 * user's file): regular files only, opened without blocking (a FIFO or a device planted in its
 * place must not hang a command), not past a size bound, and, unless asked, not through a symlink.
 */
import { closeSync, constants as fsConstants, fstatSync, openSync, promises as fs, readSync } from 'node:fs';

export type RegularFileRead =
  | { readonly kind: 'ok'; readonly bytes: Buffer; readonly size: number; readonly mtimeMs: number; readonly ino: number }
  | { readonly kind: 'missing' }
  | { readonly kind: 'not-regular' | 'too-large'; readonly reason: string };

export interface RegularFileOptions {
  readonly maxBytes: number;
  /** Open through a symlink (a file the user named). Off by default: Vouch's own files are never links. */
  readonly followSymlink?: boolean;
}

function openFlags(options: RegularFileOptions): number {
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever.
  return fsConstants.O_RDONLY | (fsConstants.O_NONBLOCK ?? 0) | (options.followSymlink ? 0 : (fsConstants.O_NOFOLLOW ?? 0));
}

function openFailure(error: unknown): RegularFileRead {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'missing' };
  if (code === 'ELOOP') return { kind: 'not-regular', reason: 'it is not a regular file (a symbolic link)' };
  if (code === 'EISDIR') return { kind: 'not-regular', reason: 'it is not a regular file (a directory)' };
  if (code === 'ENXIO') return { kind: 'not-regular', reason: 'it is not a regular file (a socket or FIFO)' };
  throw error;
}

function describeSize(size: number, options: RegularFileOptions): RegularFileRead {
  return { kind: 'too-large', reason: `it is ${size} bytes, over the ${options.maxBytes}-byte limit` };
}

export async function readRegularFile(file: string, options: RegularFileOptions): Promise<RegularFileRead> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, openFlags(options));
  } catch (error) {
    return openFailure(error);
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) return { kind: 'not-regular', reason: 'it is not a regular file' };
    if (stat.size > options.maxBytes) return describeSize(stat.size, options);
    // Read one byte more than allowed, so a file that grew since fstat is caught too.
    const buffer = Buffer.alloc(Math.min(stat.size, options.maxBytes) + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length === buffer.length) return describeSize(length, options);
    }
    return { kind: 'ok', bytes: buffer.subarray(0, length), size: length, mtimeMs: stat.mtimeMs, ino: stat.ino };
  } finally {
    await handle.close();
  }
}

/** The same for callers that must stay synchronous (the notes journal). */
export function readRegularFileSync(file: string, options: RegularFileOptions): RegularFileRead {
  let handle: number;
  try {
    handle = openSync(file, openFlags(options));
  } catch (error) {
    return openFailure(error);
  }
  try {
    const stat = fstatSync(handle);
    if (!stat.isFile()) return { kind: 'not-regular', reason: 'it is not a regular file' };
    if (stat.size > options.maxBytes) return describeSize(stat.size, options);
    const buffer = Buffer.alloc(Math.min(stat.size, options.maxBytes) + 1);
    let length = 0;
    for (;;) {
      const bytesRead = readSync(handle, buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length === buffer.length) return describeSize(length, options);
    }
    return { kind: 'ok', bytes: buffer.subarray(0, length), size: length, mtimeMs: stat.mtimeMs, ino: stat.ino };
  } finally {
    closeSync(handle);
  }
}

/** A file that is there but is no regular file within the size bound. */
export class UnreadableFileError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file} was not read: ${reason}`);
    this.name = 'UnreadableFileError';
  }
}

/** The UTF-8 text of a regular file, or undefined when there is none; UnreadableFileError for a FIFO, directory, link (unless followed) or an oversized file. */
export async function readRegularText(file: string, options: RegularFileOptions): Promise<string | undefined> {
  const read = await readRegularFile(file, options);
  if (read.kind === 'missing') return undefined;
  if (read.kind !== 'ok') throw new UnreadableFileError(file, read.reason);
  return read.bytes.toString('utf8');
}

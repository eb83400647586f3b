/**
 * The one way Vouch writes a file, the user's or its own: a crash or kill at any moment leaves
 * either the old or the new content, never an empty or partial file.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

export interface AtomicWriteOptions {
  /** Mode of a file that does not exist yet (default 0o644, less the umask). An existing file keeps its own mode. */
  readonly mode?: number;
  /**
   * When `file` is a symlink, write the file it points to and keep the link (for files the user
   * named, like a hook). Off by default: a symlink planted among Vouch's own files is replaced, never followed.
   */
  readonly followSymlink?: boolean;
}

/** Temporary files share this marker so leftovers of killed writers can be recognised. */
export const TEMPORARY_MARKER = '.tmp-';

/**
 * Replaces `file` with `data`: write a temporary file with a unique name in the same directory
 * (same file system, so the rename is atomic), give it the target's mode (and owner, where allowed),
 * fsync it, rename it over the target, then fsync the directory so the rename itself is durable.
 * On failure the temporary file is removed and the target is untouched.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  const target = options.followSymlink ? await resolveExistingLink(file) : file;
  const existing = await fs.lstat(target).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  const temporary = temporaryNameFor(target);
  const handle = await fs.open(temporary, 'wx', existing?.isFile() ? existing.mode & 0o7777 : (options.mode ?? 0o644));
  try {
    try {
      await handle.writeFile(data);
      if (existing?.isFile()) {
        // The umask may have taken bits off the mode given to open; the target keeps its own exactly.
        await handle.chmod(existing.mode & 0o7777);
        await handle.chown(existing.uid, existing.gid).catch(() => undefined);
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temporary, target);
  } catch (error) {
    await fs.rm(temporary, { force: true });
    throw error;
  }
  await fsyncDirectory(path.dirname(target));
}

export function temporaryNameFor(file: string): string {
  return `${file}${TEMPORARY_MARKER}${process.pid}-${randomBytes(6).toString('hex')}`;
}

export async function fsyncDirectory(directory: string): Promise<void> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(directory, 'r');
    await handle.sync();
  } catch (error) {
    // Windows cannot open or fsync a directory; its rename is already durable enough there.
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EACCES' && code !== 'EINVAL') throw error;
  } finally {
    await handle?.close();
  }
}

async function resolveExistingLink(file: string): Promise<string> {
  try {
    return await fs.realpath(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return file;
    throw error;
  }
}

/**
 * Which texts of which files an editor window with Vouch saved lately, so that the other windows
 * on the same working tree do not take those saves for another program's writes (an agent's): a
 * person who types and saves in one window writes the file that another window sees change on disk.
 *
 * One empty marker file per save under `<git dir>/vouch/saves/`, named by the sha256 of the
 * repository path and of the text saved: no file is read, rewritten or merged, so windows never
 * race, and a marker is looked at with lstat alone (a FIFO or a directory planted there is no
 * marker). A marker counts for SAVE_MEMORY_MS after it was written; old ones are removed when
 * there are many. A marker only turns the heuristic off for that exact text of that file: it
 * never marks anything AI and is no record.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { assertRepoPath } from '../core/workingState/repoPath';
import { writeFileAtomic } from './atomicWrite';
import { nativeSha256Hex } from './blame/nativeSha256';
import { ON_THIS_FILE_SYSTEM, type RepositoryLocation } from './repository';

/** How long a save explains the file holding its text: far longer than a write takes to be examined. */
export const SAVE_MEMORY_MS = 10 * 60_000;
/** Markers kept before old ones are removed. */
const MAX_MARKERS = 512;
const MARKER = /^[0-9a-f]{64}-[0-9a-f]{64}$/;

export class EditorSaves {
  constructor(readonly directory: string) {}

  static of(repository: RepositoryLocation): EditorSaves {
    return new EditorSaves(path.join(repository.gitDir, 'vouch', 'saves'));
  }

  private markerOf(repoPath: string, text: string): string {
    return path.join(this.directory, `${nativeSha256Hex(assertRepoPath(repoPath, ON_THIS_FILE_SYSTEM))}-${nativeSha256Hex(text)}`);
  }

  /** Notes that an editor window saved `text` (as the editor shows it) to the file at `repoPath`. */
  async noteSaved(repoPath: string, text: string): Promise<void> {
    await fs.mkdir(this.directory, { recursive: true });
    await writeFileAtomic(this.markerOf(repoPath, text), '');
    await this.removeOld();
  }

  /** Whether an editor window saved exactly `text` to the file at `repoPath` in the last SAVE_MEMORY_MS. */
  async savedLately(repoPath: string, text: string, now = Date.now()): Promise<boolean> {
    try {
      const stat = await fs.lstat(this.markerOf(repoPath, text));
      return stat.isFile() && Math.abs(now - stat.mtimeMs) <= SAVE_MEMORY_MS;
    } catch {
      return false;
    }
  }

  /** Removes markers past SAVE_MEMORY_MS, and the oldest beyond MAX_MARKERS, once there are more than MAX_MARKERS. */
  private async removeOld(now = Date.now()): Promise<void> {
    const names = (await fs.readdir(this.directory)).filter((name) => MARKER.test(name));
    if (names.length <= MAX_MARKERS) return;
    const dated = await Promise.all(
      names.map(async (name) => ({ name, mtimeMs: await fs.lstat(path.join(this.directory, name)).then((stat) => stat.mtimeMs, () => 0) })),
    );
    dated.sort((a, b) => b.mtimeMs - a.mtimeMs);
    const removed = dated.filter((entry, index) => index >= MAX_MARKERS || now - entry.mtimeMs > SAVE_MEMORY_MS);
    await Promise.all(removed.map((entry) => fs.rm(path.join(this.directory, entry.name), { force: true })));
  }
}

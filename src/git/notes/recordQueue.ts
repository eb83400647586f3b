/**
 * Commits whose post-commit hook is about to record them: the hook's shell part (no node, no git
 * process) leaves an empty file named after the commit in `<common dir>/vouch/record-queue/` before
 * it starts vouch, and recording a commit removes it. A recorder that finds the commit it records
 * to be the child of a queued commit records that parent first (recordPendingSpansOfCommit): a
 * second commit made while the first one's hook was still starting would otherwise take the first
 * one's AI lines into its own record.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { isObjectId } from '../gitRunner';

/** Markers older than this belong to hooks that were killed or whose commit left the history; they are removed. */
const ABANDONED_MARKER_MS = 24 * 60 * 60 * 1000;

export function recordQueueDirectory(commonDir: string): string {
  return path.join(commonDir, 'vouch', 'record-queue');
}

/** Whether a post-commit hook queued `commit` and no recorder took it out yet. */
export async function isQueued(commonDir: string, commit: string): Promise<boolean> {
  if (!isObjectId(commit)) return false;
  const stat = await fs.lstat(path.join(recordQueueDirectory(commonDir), commit)).catch(() => undefined);
  return stat?.isFile() === true;
}

/** Takes `commit` out of the queue (it is recorded), and markers abandoned long ago with it. */
export async function unqueue(commonDir: string, commit: string): Promise<void> {
  const directory = recordQueueDirectory(commonDir);
  let names: string[];
  try {
    names = await fs.readdir(directory);
  } catch {
    return;
  }
  const now = Date.now();
  for (const name of names) {
    const file = path.join(directory, name);
    if (name === commit) await fs.rm(file, { force: true });
    else {
      const stat = await fs.lstat(file).catch(() => undefined);
      if (stat && now - stat.mtimeMs > ABANDONED_MARKER_MS) await fs.rm(file, { force: true, recursive: false }).catch(() => undefined);
    }
  }
}

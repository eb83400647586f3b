import { readRegularFile } from '../regularFile';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import type { Logger } from '../../core/logger';

/**
 * A short advisory lock around one read-modify-write of a state file, shared by every process on
 * the machine (windows, CLI). The lock is a file created with O_EXCL that names its owner (pid,
 * host, time, random token).
 *
 * A lock is broken only when it is older than `staleAfterMs` AND names a process on this host that
 * no longer runs (a writer killed mid-update). Breakers serialise through a second O_EXCL file and
 * re-read the lock before deleting it, so two breakers never delete a fresh lock taken in between.
 * A lock file without a readable owner is broken once it is older than the limit: its creator died
 * between creating and writing it, which takes microseconds. Any other lock is waited for, with
 * jittered back-off, until `maxWaitMs` runs out.
 */
export interface FileLockOptions {
  readonly staleAfterMs: number;
  readonly maxWaitMs: number;
}

export const DEFAULT_FILE_LOCK_OPTIONS: FileLockOptions = { staleAfterMs: 10_000, maxWaitMs: 5_000 };

export class LockTimeoutError extends Error {
  constructor(
    readonly lockFile: string,
    readonly owner: LockOwner | undefined,
  ) {
    super(
      `could not lock ${lockFile}: held by ${owner ? `pid ${owner.pid} on ${owner.hostname} since ${new Date(owner.createdAt).toISOString()}` : 'an unknown owner'}; ` +
        'if no vouch or editor process is running, delete that file',
    );
    this.name = 'LockTimeoutError';
  }
}

export interface LockOwner {
  readonly pid: number;
  readonly hostname: string;
  readonly createdAt: number;
  readonly token: string;
}

export async function withFileLock<T>(
  lockFile: string,
  logger: Logger,
  options: FileLockOptions,
  action: () => Promise<T>,
): Promise<T> {
  const owner = await acquire(lockFile, logger, options);
  try {
    return await action();
  } finally {
    await release(lockFile, owner, logger);
  }
}

async function acquire(lockFile: string, logger: Logger, options: FileLockOptions): Promise<LockOwner> {
  const deadline = Date.now() + options.maxWaitMs;
  for (let attempt = 0; ; attempt++) {
    const owner: LockOwner = { pid: process.pid, hostname: os.hostname(), createdAt: Date.now(), token: randomBytes(12).toString('hex') };
    try {
      const handle = await fs.open(lockFile, 'wx', 0o644);
      try {
        await handle.writeFile(JSON.stringify(owner));
      } finally {
        await handle.close();
      }
      return owner;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const observed = await readLock(lockFile);
    if (observed === 'missing') continue; // released between our attempt and the read
    if (await breakIfStale(lockFile, observed, logger, options)) continue;
    if (Date.now() >= deadline) throw new LockTimeoutError(lockFile, observed.owner);
    const backoff = Math.min(100, 4 * 2 ** Math.min(attempt, 5));
    await sleep(backoff * (0.5 + Math.random()));
  }
}

async function release(lockFile: string, owner: LockOwner, logger: Logger): Promise<void> {
  const current = await readLock(lockFile);
  if (current !== 'missing' && current.owner?.token === owner.token) {
    await fs.rm(lockFile, { force: true });
    return;
  }
  logger.warn(`vouch: lock ${lockFile} was no longer ours when releasing it; left it alone`);
}

interface ObservedLock {
  readonly owner: LockOwner | undefined;
  readonly modifiedAt: number;
}

async function readLock(lockFile: string): Promise<ObservedLock | 'missing'> {
  try {
    // A FIFO or link planted as the lock must not hang the reader: it reads as a lock without an owner, broken once stale.
    const read = await readRegularFile(lockFile, { maxBytes: 4096 });
    if (read.kind === 'missing') return 'missing';
    if (read.kind === 'ok') return { owner: parseOwner(read.bytes.toString('utf8')), modifiedAt: read.mtimeMs };
    return { owner: undefined, modifiedAt: (await fs.lstat(lockFile)).mtimeMs };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw error;
  }
}

function parseOwner(text: string): LockOwner | undefined {
  if (text.length > 1000) return undefined;
  try {
    const value = JSON.parse(text) as Partial<LockOwner>;
    if (
      typeof value.pid === 'number' &&
      Number.isSafeInteger(value.pid) &&
      value.pid > 0 &&
      typeof value.hostname === 'string' &&
      typeof value.createdAt === 'number' &&
      typeof value.token === 'string'
    ) {
      return { pid: value.pid, hostname: value.hostname, createdAt: value.createdAt, token: value.token };
    }
  } catch {
    // not an owner record
  }
  return undefined;
}

function isStale(observed: ObservedLock, options: FileLockOptions): boolean {
  const now = Date.now();
  if (!observed.owner) return now - observed.modifiedAt > options.staleAfterMs;
  if (now - observed.owner.createdAt <= options.staleAfterMs) return false;
  if (observed.owner.hostname !== os.hostname()) return false;
  return !isProcessAlive(observed.owner.pid);
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function breakIfStale(lockFile: string, observed: ObservedLock, logger: Logger, options: FileLockOptions): Promise<boolean> {
  if (!isStale(observed, options)) return false;
  const breakerFile = `${lockFile}.break`;
  try {
    await (await fs.open(breakerFile, 'wx', 0o644)).close();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    // Another process is breaking this lock. A breaker file outlives its breaker only when that
    // process died in the microseconds it holds it; clear such a leftover after the limit.
    const stat = await fs.stat(breakerFile).catch(() => undefined);
    if (stat && Date.now() - stat.mtimeMs > options.staleAfterMs) await fs.rm(breakerFile, { force: true });
    return false;
  }
  try {
    const current = await readLock(lockFile);
    if (current === 'missing') return true;
    const unchanged = current.owner?.token === observed.owner?.token && (current.owner !== undefined || current.modifiedAt === observed.modifiedAt);
    if (!unchanged) return false;
    await fs.rm(lockFile, { force: true });
    logger.warn(
      `vouch: broke stale lock ${lockFile} (${observed.owner ? `pid ${observed.owner.pid} is gone` : 'no owner recorded'})`,
    );
    return true;
  } finally {
    await fs.rm(breakerFile, { force: true });
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

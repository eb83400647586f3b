import { setTimeout as sleep } from 'node:timers/promises';
import { readRegularFile } from '../regularFile';
import { randomBytes } from 'node:crypto';
import { promises as fs, readFileSync } from 'node:fs';
import * as os from 'node:os';
import type { Logger } from '../../core/logger';

/**
 * A short advisory lock around one read-modify-write of a state file, shared by every process on
 * the machine (windows, CLI). The lock is a file created with O_EXCL that names its owner (pid,
 * host, time, random token, and where the system tells it, the process's start time).
 *
 * A lock whose owner is a process on this host that no longer runs (a writer killed mid-update) is
 * broken at once, whatever its age or date: the pid is gone, or the pid now belongs to a process
 * that started at another time (the pid was reused). Breakers serialise through a second O_EXCL
 * file and re-read the lock before deleting it, so two breakers never delete a fresh lock taken in
 * between. A lock file without a readable owner is broken once its modification time is more than
 * `staleAfterMs` away from now, in the past or the future: its creator died between creating and
 * writing it, which takes microseconds. Any other lock is waited for, with jittered back-off, until
 * `maxWaitMs` runs out.
 */
export interface FileLockOptions {
  readonly staleAfterMs: number;
  readonly maxWaitMs: number;
}

/** staleAfterMs only ages locks without a readable owner (their creator died within microseconds of creating them). */
export const DEFAULT_FILE_LOCK_OPTIONS: FileLockOptions = { staleAfterMs: 2_000, maxWaitMs: 5_000 };

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
  /** When the owner process started, as processStartOf gives it; absent where the system does not tell. */
  readonly processStart?: string;
}

/**
 * An identity of the running process `pid` that a reused pid does not share: on Linux the boot id
 * and the start time in clock ticks since boot (/proc/<pid>/stat field 22). Undefined where unknown
 * (other systems, or the process is gone).
 */
export function processStartOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const startTicks = fields[19];
    if (!startTicks || !/^\d+$/.test(startTicks)) return undefined;
    return `${bootId()}:${startTicks}`;
  } catch {
    return undefined;
  }
}

let cachedBootId: string | undefined;
function bootId(): string {
  if (cachedBootId === undefined) {
    try {
      cachedBootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    } catch {
      cachedBootId = '';
    }
  }
  return cachedBootId;
}

let ownStart: string | undefined | null = null;
function ownProcessStart(): string | undefined {
  if (ownStart === null) ownStart = processStartOf(process.pid);
  return ownStart;
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
    const processStart = ownProcessStart();
    const owner: LockOwner = {
      pid: process.pid,
      hostname: os.hostname(),
      createdAt: Date.now(),
      token: randomBytes(12).toString('hex'),
      ...(processStart === undefined ? {} : { processStart }),
    };
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
      const processStart = typeof value.processStart === 'string' && value.processStart.length <= 200 ? value.processStart : undefined;
      return { pid: value.pid, hostname: value.hostname, createdAt: value.createdAt, token: value.token, ...(processStart === undefined ? {} : { processStart }) };
    }
  } catch {
    // not an owner record
  }
  return undefined;
}

function isStale(observed: ObservedLock, options: FileLockOptions): boolean {
  // Dates are only a fallback: a lock dated in the future (a clock that was wrong) must not live forever.
  if (!observed.owner) return Math.abs(Date.now() - observed.modifiedAt) > options.staleAfterMs;
  if (observed.owner.hostname !== os.hostname()) return false;
  return isOwnerGone(observed.owner);
}

/** Whether the owner (a process on this host) no longer runs: its pid is gone or now names another process. */
function isOwnerGone(owner: LockOwner): boolean {
  if (owner.pid === process.pid) return owner.processStart !== undefined && owner.processStart !== ownProcessStart();
  if (!isProcessAlive(owner.pid)) return true;
  if (owner.processStart === undefined) return false;
  const current = processStartOf(owner.pid);
  return current !== undefined && current !== owner.processStart;
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

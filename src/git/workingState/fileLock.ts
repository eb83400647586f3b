import { setTimeout as sleep } from 'node:timers/promises';
import { readRegularFile } from '../regularFile';
import { TEMPORARY_MARKER, temporaryNameFor } from '../atomicWrite';
import { randomBytes } from 'node:crypto';
import { promises as fs, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as os from 'node:os';
import type { Logger } from '../../core/logger';

/**
 * A short advisory lock around one read-modify-write of a state file, shared by every process on
 * the machine (windows, CLI). The lock is a file that names its owner (pid, host, time, random
 * token, and where the system tells it, the process's start time). It is taken in one step: the
 * owner record is written to a temporary file first, which is then hard-linked to the lock's name
 * (link(2) fails with EEXIST while the lock is held), so no process ever sees the lock file without
 * its owner, and a taker killed at any moment leaves either no lock or a lock naming it.
 *
 * A lock whose owner is a process on this host that no longer runs (a writer killed mid-update) is
 * broken at once, whatever its age or date: the pid is gone, or the pid now belongs to a process
 * that started at another time (the pid was reused). Breakers serialise through a second file taken
 * the same way (`<lock>.break`, held for microseconds; one left by a dead breaker is cleared at
 * once) and re-read the lock before deleting it, so two breakers never delete a fresh lock taken in
 * between. A lock file without a readable owner (written by an older Vouch, by a file system
 * without hard links, or cut short by a power loss) is broken once its modification time is more
 * than `staleAfterMs` away from now, in the past or the future. Any other lock is waited for, with
 * jittered back-off, until `maxWaitMs` runs out.
 */
export interface FileLockOptions {
  readonly staleAfterMs: number;
  readonly maxWaitMs: number;
}

/** staleAfterMs only ages locks without a readable owner (left by an older Vouch, a file system without hard links, or a power loss). */
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

function newOwner(): LockOwner {
  const processStart = ownProcessStart();
  return {
    pid: process.pid,
    hostname: os.hostname(),
    createdAt: Date.now(),
    token: randomBytes(12).toString('hex'),
    ...(processStart === undefined ? {} : { processStart }),
  };
}

async function acquire(lockFile: string, logger: Logger, options: FileLockOptions): Promise<LockOwner> {
  const deadline = Date.now() + options.maxWaitMs;
  for (let attempt = 0; ; attempt++) {
    const owner = newOwner();
    if (await createOwnedFile(lockFile, owner)) return owner;
    const observed = await readLock(lockFile);
    if (observed === 'missing') continue; // released between our attempt and the read
    // A link that reached the file system although its call reported EEXIST (a retried NFS request) made the lock ours.
    if (observed.owner?.token === owner.token) return owner;
    if (await breakIfStale(lockFile, observed, logger, options)) continue;
    if (Date.now() >= deadline) throw new LockTimeoutError(lockFile, observed.owner);
    const backoff = Math.min(100, 4 * 2 ** Math.min(attempt, 5));
    await sleep(backoff * (0.5 + Math.random()));
  }
}

/** File systems whose link(2) fails for want of hard links, not because the lock is held. */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']);

/**
 * Creates `file` holding `owner`'s record, or returns false when it exists: the record goes to a
 * temporary file in the same directory, which is linked to `file` in one step, so `file` never
 * exists without its owner. Where the file system has no hard links, falls back to creating the
 * file exclusively and writing it (readers then age an ownerless file by its date).
 */
async function createOwnedFile(file: string, owner: LockOwner): Promise<boolean> {
  const temporary = temporaryNameFor(file);
  await fs.writeFile(temporary, JSON.stringify(owner), { flag: 'wx', mode: 0o644 });
  try {
    await fs.link(temporary, file);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== undefined && NO_HARD_LINKS.has(code)) return createThenWrite(file, owner);
    throw error;
  } finally {
    await fs.rm(temporary, { force: true });
  }
}

async function createThenWrite(file: string, owner: LockOwner): Promise<boolean> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, 'wx', 0o644);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    await handle.writeFile(JSON.stringify(owner));
  } finally {
    await handle.close();
  }
  return true;
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
  const breaker = newOwner();
  if (!(await createOwnedFile(breakerFile, breaker))) {
    // Another process is breaking this lock (it holds the breaker file for microseconds), unless it
    // died doing so: a dead breaker's file is cleared at once (one without an owner once it is old).
    const other = await readLock(breakerFile);
    if (other === 'missing' || other.owner?.token !== breaker.token) {
      if (other !== 'missing' && isStale(other, options)) await removeIfUnchanged(breakerFile, other, logger);
      return false;
    }
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
    await removeAbandonedTemporaries(lockFile, options);
    return true;
  } finally {
    await fs.rm(breakerFile, { force: true });
  }
}

/**
 * Removes `file` if it is still what was observed: it is moved to a unique name first and checked
 * there, and put back when it turned out to be another (live) one taken meanwhile.
 */
async function removeIfUnchanged(file: string, observed: ObservedLock, logger: Logger): Promise<void> {
  const moved = temporaryNameFor(file);
  try {
    await fs.rename(file, moved);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  try {
    const current = await readLock(moved);
    const unchanged = current !== 'missing' && current.owner?.token === observed.owner?.token && (current.owner !== undefined || current.modifiedAt === observed.modifiedAt);
    if (unchanged || current === 'missing') return;
    await fs.link(moved, file).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
      logger.warn(`vouch: ${file} was taken again while a dead owner's copy was being cleared`);
    });
  } finally {
    await fs.rm(moved, { force: true });
  }
}

/**
 * Temporary owner records of `lockFile` (and of its breaker file) left by takers killed between
 * writing and linking them or before removing them: removed when their owner is gone (or, without
 * a readable owner, once old). Runs only after a stale lock was broken, where such leftovers are.
 */
async function removeAbandonedTemporaries(lockFile: string, options: FileLockOptions): Promise<void> {
  const directory = path.dirname(lockFile);
  const prefixes = [`${path.basename(lockFile)}${TEMPORARY_MARKER}`, `${path.basename(lockFile)}.break${TEMPORARY_MARKER}`];
  let names: string[];
  try {
    names = await fs.readdir(directory);
  } catch {
    return;
  }
  for (const name of names) {
    if (!prefixes.some((prefix) => name.startsWith(prefix))) continue;
    const file = path.join(directory, name);
    const observed = await readLock(file).catch(() => 'missing' as const);
    if (observed !== 'missing' && isStale(observed, options)) await fs.rm(file, { force: true });
  }
}

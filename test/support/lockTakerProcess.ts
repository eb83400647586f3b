// A process that takes one file lock (src/git/workingState/fileLock.ts), for the lock tests in
// test/unit/git/fileLockAtomic.test.ts, run from a bundle (bundleForNode):
//   node lockTaker.cjs kill-after <lockFile> <n>
//     takes the lock and kills itself with SIGKILL right after the n-th call that changes the file
//     system (create, write, link, rename, remove); prints 'held' when it holds the lock before that
//     and keeps it until it is killed.
//   node lockTaker.cjs contend <lockFile> <rounds> <counterFile>
//     takes the lock `rounds` times; each time it reads the counter, yields, and writes it plus one
//     (a read-modify-write only a lock keeps whole). Prints one JSON line: { rounds }.
//   node lockTaker.cjs watch <lockFile> <stopFile>
//     reads the lock file as fast as it can until the stop file appears; prints one JSON line:
//     { reads, held, ownerless } (reads that found the lock, and those that found it without a
//     complete owner record).
import { existsSync, promises as fs, readFileSync, writeFileSync } from 'node:fs';
import { silentLogger } from '../../src/core/logger';
import { withFileLock } from '../../src/git/workingState/fileLock';

const WAIT_LONG = { staleAfterMs: 600_000, maxWaitMs: 120_000 };

/** Whether a lock file's text is a complete owner record (what fileLock writes). */
function isOwnerRecord(text: string): boolean {
  try {
    const value = JSON.parse(text) as { pid?: unknown; hostname?: unknown; createdAt?: unknown; token?: unknown };
    return typeof value.pid === 'number' && typeof value.hostname === 'string' && typeof value.createdAt === 'number' && typeof value.token === 'string';
  } catch {
    return false;
  }
}

/** Makes the n-th file-system change of this process its last: SIGKILL right after it completes. */
function killAfterChange(n: number): void {
  let changes = 0;
  const mutable = fs as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  const changesFiles = (name: string, args: unknown[]): boolean => {
    if (name !== 'open') return true;
    const flags = args[1];
    if (typeof flags === 'string') return /[wa+]/.test(flags);
    return typeof flags === 'number' && (flags & 0o3) !== 0; // O_WRONLY or O_RDWR
  };
  for (const name of ['open', 'writeFile', 'link', 'rename', 'rm', 'unlink']) {
    const original = mutable[name].bind(fs);
    mutable[name] = async (...args: unknown[]) => {
      const result = await original(...args);
      if (changesFiles(name, args) && ++changes === n) process.kill(process.pid, 'SIGKILL');
      return result;
    };
  }
}

async function main(): Promise<void> {
  const [mode, lockFile, ...rest] = process.argv.slice(2);
  if (mode === 'kill-after') {
    killAfterChange(Number(rest[0]));
    await withFileLock(lockFile, silentLogger, WAIT_LONG, async () => {
      process.stdout.write('held\n');
      await new Promise(() => setInterval(() => undefined, 60_000));
    });
  } else if (mode === 'contend') {
    const rounds = Number(rest[0]);
    const counterFile = rest[1];
    for (let round = 0; round < rounds; round++) {
      await withFileLock(lockFile, silentLogger, WAIT_LONG, async () => {
        const value = Number(readFileSync(counterFile, 'utf8'));
        await new Promise((resolve) => setImmediate(resolve));
        writeFileSync(counterFile, String(value + 1));
      });
    }
    process.stdout.write(`${JSON.stringify({ rounds })}\n`);
  } else if (mode === 'watch') {
    const stopFile = rest[0];
    let reads = 0;
    let held = 0;
    let ownerless = 0;
    process.stdout.write('watching\n');
    for (let i = 0; ; i++) {
      if (i % 256 === 0) {
        if (existsSync(stopFile)) break;
        await new Promise((resolve) => setImmediate(resolve));
      }
      reads++;
      let text: string;
      try {
        text = readFileSync(lockFile, 'utf8');
      } catch {
        continue;
      }
      held++;
      if (!isOwnerRecord(text)) ownerless++;
    }
    process.stdout.write(`${JSON.stringify({ reads, held, ownerless })}\n`);
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(String((error instanceof Error && error.stack) || error));
  process.exit(3);
});

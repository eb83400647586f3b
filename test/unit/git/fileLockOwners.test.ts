import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../../../src/cli/cli';
import { capture } from '../../support/cliRun';
import { silentLogger } from '../../../src/core/logger';
import { GitRunner } from '../../../src/git/gitRunner';
import { LockTimeoutError, processStartOf, withFileLock } from '../../../src/git/workingState/fileLock';
import { WorkingStateStore } from '../../../src/git/workingStateStore';

const OPTIONS = { staleAfterMs: 2_000, maxWaitMs: 5_000 };

function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  assert.ok(child.pid);
  return child.pid;
}

describe('file locks of dead and live owners', function () {
  this.timeout(60_000);
  let dir: string;
  let lockFile: string;

  beforeEach(() => {
    dir = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'vouch-lock-')));
    lockFile = path.join(dir, 'state.json.lock');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function timeToLock(): Promise<number> {
    const started = performance.now();
    await withFileLock(lockFile, silentLogger, OPTIONS, async () => undefined);
    return performance.now() - started;
  }

  it("breaks a dead owner's fresh lock at once, without waiting for it to age", async () => {
    writeFileSync(lockFile, JSON.stringify({ pid: deadPid(), hostname: os.hostname(), createdAt: Date.now(), token: 'dead' }));
    assert.ok((await timeToLock()) < 2_000);
  });

  it("breaks a dead owner's lock dated in the future", async () => {
    writeFileSync(lockFile, JSON.stringify({ pid: deadPid(), hostname: os.hostname(), createdAt: Date.now() + 3_600_000, token: 'future' }));
    assert.ok((await timeToLock()) < 2_000);
  });

  it('breaks a lock whose pid now belongs to another process (pid reused), and keeps a live owner’s lock', async function () {
    if (processStartOf(process.pid) === undefined) this.skip();
    const live = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      assert.ok(live.pid);
      const start = processStartOf(live.pid);
      assert.ok(start);
      writeFileSync(lockFile, JSON.stringify({ pid: live.pid, hostname: os.hostname(), createdAt: Date.now(), token: 'reused', processStart: `${start}0` }));
      assert.ok((await timeToLock()) < 2_000);
      writeFileSync(lockFile, JSON.stringify({ pid: live.pid, hostname: os.hostname(), createdAt: Date.now() - 3_600_000, token: 'live', processStart: start }));
      await assert.rejects(withFileLock(lockFile, silentLogger, { staleAfterMs: 10, maxWaitMs: 200 }, async () => undefined), LockTimeoutError);
    } finally {
      live.kill();
    }
  });

  it('vouch mark waits out a live writer holding the lock for longer than the editor would (5 s)', async () => {
    const git = new GitRunner();
    await git.run(['init', '-q'], { cwd: dir });
    mkdirSync(path.join(dir, 'src'));
    writeFileSync(path.join(dir, 'src', 'a.js'), 'const a = 1;\nconst b = 2;\n');
    const store = await WorkingStateStore.open(git, dir, silentLogger);
    const io = capture(dir);
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let locked: () => void = () => undefined;
    const lockTaken = new Promise<void>((resolve) => (locked = resolve));
    const stateLock = `${store.stateFileFor('src/a.js')}.lock`;
    mkdirSync(path.dirname(stateLock), { recursive: true });
    const writer = withFileLock(stateLock, silentLogger, OPTIONS, async () => {
      locked();
      await held;
    });
    await lockTaken;
    const marking = runCli(['mark', 'src/a.js', '--lines', '2', '--tool', 'claude-code'], io);
    // A slow writer (a big state file on a busy machine) keeps the lock for 6 s.
    const timer = setTimeout(release, 6_000);
    try {
      assert.equal(await marking, 0, io.err);
    } finally {
      clearTimeout(timer);
      release();
      await writer;
    }
    assert.match(io.out, /marked lines 2 of src\/a\.js/);
    assert.equal((await store.load('src/a.js'))?.spans.length, 1);
  });
});

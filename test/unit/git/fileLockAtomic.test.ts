import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { silentLogger } from '../../../src/core/logger';
import { withFileLock } from '../../../src/git/workingState/fileLock';
import { bundleForNode } from '../../support/cliProcess';
import { countFault } from '../../support/faultFigures';

const projectRoot = path.resolve(__dirname, '../../..');

/** Options under which only a lock with a dead owner can be taken from another process: an ownerless one would be waited for past maxWaitMs. */
const NO_AGEING = { staleAfterMs: 600_000, maxWaitMs: 30_000 };

/** The pid of a process that has exited (a short one: node's start is slow on a busy machine). */
function deadPid(): number {
  const child = process.platform === 'win32' ? spawnSync(process.execPath, ['-e', '']) : spawnSync('true');
  assert.ok(child.pid);
  return child.pid;
}

interface LockText {
  readonly present: boolean;
  readonly owned: boolean;
  readonly text?: string;
}

function lockTextOf(file: string): LockText {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return { present: false, owned: false };
  }
  try {
    const value = JSON.parse(text) as { pid?: unknown; hostname?: unknown; createdAt?: unknown; token?: unknown };
    return { present: true, text, owned: typeof value.pid === 'number' && typeof value.hostname === 'string' && typeof value.createdAt === 'number' && typeof value.token === 'string' };
  } catch {
    return { present: true, text, owned: false };
  }
}

interface Child {
  readonly stdout: Promise<string>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly firstLine: Promise<string>;
  kill(): void;
}

function startChild(script: string, args: readonly string[]): Child {
  const child = spawn(process.execPath, [script, ...args], { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let announce: (line: string) => void = () => undefined;
  const firstLine = new Promise<string>((resolve) => (announce = resolve));
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    if (out.includes('\n')) announce(out.slice(0, out.indexOf('\n')));
  });
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.on('error', reject);
    // 'close': the process is reaped (its pid no longer answers) and its output is complete.
    child.on('close', (code, signal) => {
      announce('');
      if (code !== null && code !== 0) reject(new Error(`lock taker exited with ${code}: ${err}`));
      else resolve({ code, signal });
    });
  });
  return { stdout: exited.then(() => out), exited, firstLine, kill: () => child.kill('SIGKILL') };
}

describe('file lock taken in one step (owner written before the lock file appears)', function () {
  this.timeout(120_000);
  let dir: string;
  let lockFile: string;
  let script: string;

  before(async () => {
    const bundleDir = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'vouch-lock-taker-')));
    script = await bundleForNode(path.join(projectRoot, 'test/support/lockTakerProcess.ts'), path.join(bundleDir, 'lockTaker.cjs'));
  });
  after(() => rmSync(path.dirname(script), { recursive: true, force: true }));

  beforeEach(() => {
    dir = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'vouch-lock-atomic-')));
    lockFile = path.join(dir, 'state.json.lock');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  // Taking a free lock makes 3 file-system changes, breaking a dead owner's lock first about 10 more.
  for (const [scenario, MAX_STEPS] of [['a free lock', 5], ["a dead owner's lock, which it breaks", 14]] as const) {
    it(`a taker of ${scenario}, killed after any step, never leaves a lock or breaker file without its owner, and the next taker takes it at once`, async () => {
      // One taker per step, each on its own lock, all at once: killed after its 1st, 2nd, ... file-system change; those that hold the lock before that are killed holding it.
      const runs = Array.from({ length: MAX_STEPS }, (_, index) => {
        const step = index + 1;
        const stepLock = path.join(dir, `step-${step}`, 'state.json.lock');
        mkdirSync(path.dirname(stepLock));
        if (scenario !== 'a free lock') writeFileSync(stepLock, JSON.stringify({ pid: deadPid(), hostname: os.hostname(), createdAt: Date.now(), token: 'dead' }));
        return { step, stepLock, child: startChild(script, ['kill-after', stepLock, String(step)]) };
      });
      let held = 0;
      for (const { step, stepLock, child } of runs) {
        if ((await child.firstLine) === 'held') {
          held++;
          child.kill();
        }
        const { signal } = await child.exited;
        assert.equal(signal, 'SIGKILL', `step ${step}: the taker was not killed`);
        for (const file of [stepLock, `${stepLock}.break`]) {
          const left = lockTextOf(file);
          assert.ok(!left.present || left.owned, `step ${step}: ${path.basename(file)} exists without its owner`);
        }
        // Only dead owners' files can be cleared here (ownerless ones are waited for past maxWaitMs): taken without waiting them out.
        await withFileLock(stepLock, silentLogger, NO_AGEING, async () => undefined);
        assert.ok(!existsSync(stepLock), `step ${step}: the lock stayed after its release`);
        countFault('file lock: taker killed at each step', { survived: true });
      }
      assert.ok(held > 0 && held < MAX_STEPS, `${held} of ${MAX_STEPS} takers held the lock before their kill: the steps do not cover the whole taking`);
      // A taker killed holding the lock left it to be broken: the owner records it left behind went with it.
      assert.deepEqual(readdirSync(path.dirname(runs[MAX_STEPS - 1].stepLock)), []);
    });
  }

  it('processes contending for one lock: each read-modify-write is whole, and no reader ever sees the lock without its owner', async () => {
    const counterFile = path.join(dir, 'counter');
    writeFileSync(counterFile, '0');
    const stopFile = path.join(dir, 'stop');
    const watcher = startChild(script, ['watch', lockFile, stopFile]);
    assert.equal(await watcher.firstLine, 'watching');
    const takers = 4;
    const rounds = 20;
    const children = Array.from({ length: takers }, () => startChild(script, ['contend', lockFile, String(rounds), counterFile]));
    await Promise.all(children.map((child) => child.exited));
    writeFileSync(stopFile, '');
    const watched = JSON.parse((await watcher.stdout).trim().split('\n').pop() ?? '') as { reads: number; held: number; ownerless: number };
    assert.equal(Number(readFileSync(counterFile, 'utf8')), takers * rounds, 'a read-modify-write under the lock was lost');
    assert.ok(watched.held > 0, `the watcher never saw the lock held (${watched.reads} reads)`);
    assert.equal(watched.ownerless, 0, `the watcher saw the lock without its owner ${watched.ownerless} time(s) of ${watched.held}`);
    assert.ok(!existsSync(lockFile));
  });

  type Plant = 'dead owner' | 'dead owner, dated in the future' | 'no owner, old' | 'no owner, dated in the future';
  const PLANTS: readonly Plant[] = ['dead owner', 'dead owner, dated in the future', 'no owner, old', 'no owner, dated in the future'];
  const PLANTED_WITHOUT_OWNER = 'planted: no owner record';

  it('property: in-process takers with dead and ownerless locks planted between them: one holder at a time, every section runs, every read finds an owner or a planted file', async () => {
    const dead = deadPid();
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 2, maxLength: 5 }),
        fc.array(fc.record({ plant: fc.constantFrom(...PLANTS), afterYields: fc.integer({ min: 0, max: 30 }) }), { maxLength: 4 }),
        fc.integer({ min: 0, max: 3 }),
        async (sectionsPerTaker, plants, yieldsInside) => {
          let inside = 0;
          let sections = 0;
          let done = false;
          const seen: string[] = [];
          const yieldTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
          const taker = async (count: number) => {
            for (let section = 0; section < count; section++) {
              await withFileLock(lockFile, silentLogger, { staleAfterMs: 60_000, maxWaitMs: 30_000 }, async () => {
                inside++;
                assert.equal(inside, 1, 'two holders at once');
                for (let turn = 0; turn < yieldsInside; turn++) await yieldTurn();
                sections++;
                inside--;
              });
            }
          };
          const planter = async () => {
            for (const [index, { plant, afterYields }] of plants.entries()) {
              for (let turn = 0; turn < afterYields; turn++) await yieldTurn();
              const staged = path.join(dir, `plant-${index}`);
              const future = Date.now() + 3_600_000;
              writeFileSync(staged, plant.startsWith('dead') ? JSON.stringify({ pid: dead, hostname: os.hostname(), createdAt: plant.endsWith('future') ? future : Date.now(), token: `plant-${index}` }) : PLANTED_WITHOUT_OWNER);
              if (plant.startsWith('no owner')) utimesSync(staged, new Date(plant.endsWith('future') ? future : Date.now() - 3_600_000), new Date(plant.endsWith('future') ? future : Date.now() - 3_600_000));
              // Planted only where no lock is: a process that took the lock and died at once.
              try {
                linkSync(staged, lockFile);
              } catch (error) {
                if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
              }
              unlinkSync(staged);
            }
          };
          const observer = async () => {
            while (!done) {
              const text = lockTextOf(lockFile);
              if (text.present && !text.owned && text.text !== PLANTED_WITHOUT_OWNER) seen.push('lock without its owner');
              await yieldTurn();
            }
          };
          const watching = observer();
          await Promise.all([...sectionsPerTaker.map(taker), planter()]);
          done = true;
          await watching;
          assert.equal(sections, sectionsPerTaker.reduce((sum, count) => sum + count, 0));
          assert.deepEqual(seen, []);
          rmSync(lockFile, { force: true });
        },
      ),
      { numRuns: 15 },
    );
  });
});

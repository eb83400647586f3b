import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { silentLogger } from '../../../src/core/logger';
import { GitRunner } from '../../../src/git/gitRunner';
import { WorkingStateStore } from '../../../src/git/workingStateStore';
import { bundleForNode } from '../../support/cliProcess';
import { countFault } from '../../support/faultFigures';
import { SAME_FILE_MAX_ROUNDS, type SameFileWriterLog } from '../../support/sameFileWriterProcess';
import { createConcurrentRepository, runConcurrentWriters, type ConcurrentRepository } from '../../support/concurrentWriters';

describe('concurrent writers on one repository (real processes, real git hooks)', function () {
  // The writers stop starting rounds after 10 s; a busy machine makes each round slow.
  this.timeout(600_000);
  let setup: ConcurrentRepository;

  before(async () => {
    setup = await createConcurrentRepository();
  });
  after(() => rmSync(setup.dir, { recursive: true, force: true }));

  it('two editor windows, a terminal and an agent hook marking, reviewing and committing at once: every committed AI line recorded once, in its commit', async () => {
    const figures = await runConcurrentWriters(setup, 10);
    // One case per commit a writer made while the others wrote; lost counts committed AI lines in no record.
    for (let commit = 0; commit < figures.commits; commit++) countFault('concurrent writers (2 windows, terminal, agent hook)', { survived: figures.failures.length === 0 && figures.duplicated === 0 && figures.unexpected === 0, lost: commit === 0 ? figures.lost : 0 });
    assert.deepEqual(figures.failures, []);
    for (const writer of figures.writers) assert.ok(writer.commits > 0, `${writer.name} committed`);
    assert.deepEqual(
      { lost: figures.lost, duplicated: figures.duplicated, unexpected: figures.unexpected, recorded: figures.aiLinesRecorded, records: figures.records },
      { lost: 0, duplicated: 0, unexpected: 0, recorded: figures.aiLinesCommitted, records: figures.commits },
    );
  });
});

/** Starts a writer process; `ready` resolves when it waits for 'go', `done` with its log when it ends. */
function startSameFileWriter(script: string, args: readonly string[]): { ready: Promise<void>; go: () => void; done: Promise<SameFileWriterLog> } {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let announce: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (announce = resolve));
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (stdout.startsWith('ready\n')) announce();
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<SameFileWriterLog>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`writer ${args[2]} exited with ${code}: ${stderr.slice(-1000)}`));
      else resolve(JSON.parse(stdout.slice('ready\n'.length)) as SameFileWriterLog);
    });
  });
  return { ready, go: () => child.stdin.end('go\n'), done };
}

describe('two writers of the same file\'s working state at once (real processes)', function () {
  this.timeout(120_000);
  let dir: string;

  before(() => {
    dir = realpathSync(mkdtempSync(path.join(tmpdir(), 'vouch-same-file-')));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('both writers\' spans survive: the state ends with the union of every span either one added', async () => {
    const git = new GitRunner();
    const repo = path.join(dir, 'repo');
    await git.run(['init', '-q', repo], { cwd: dir });
    const file = 'shared.js';
    writeFileSync(path.join(repo, file), Array.from({ length: 2 * SAME_FILE_MAX_ROUNDS + 1 }, (_, line) => `export const line${line} = ${line};\n`).join(''));
    const script = await bundleForNode(path.resolve(__dirname, '../../support/sameFileWriterProcess.ts'), path.join(dir, 'sameFileWriter.cjs'));
    const writers = [startSameFileWriter(script, [repo, file, 'left', '0', '20']), startSameFileWriter(script, [repo, file, 'right', '1', '20'])];
    await Promise.all(writers.map((writer) => writer.ready));
    for (const writer of writers) writer.go();
    const logs = await Promise.all(writers.map((writer) => writer.done));
    for (const log of logs) assert.ok(log.sawOther, `${log.name} saw the other writer's spans within ${SAME_FILE_MAX_ROUNDS} rounds`);
    // The two wrote at once: some saves found the other's write and merged.
    assert.ok(logs.reduce((sum, log) => sum + log.merges, 0) > 0, 'no save merged: the writers did not overlap');
    const store = await WorkingStateStore.open(git, repo, silentLogger);
    const stored = await store.load(file);
    const storedIds = new Set(stored?.spans.map((span) => span.id));
    const missing = logs.flatMap((log) => log.added.filter((id) => !storedIds.has(id)));
    countFault('two writers of one file\'s working state', { survived: missing.length === 0, lost: missing.length });
    assert.deepEqual(missing, [], 'every span either writer added is in the stored state');
    assert.equal(stored?.spans.length, logs.reduce((sum, log) => sum + log.added.length, 0), 'no span stored twice');
    assert.deepEqual(readdirSync(store.stateDirectory).filter((name) => /\.(corrupt|future|stale)-/.test(name)), [], 'no state file set aside');
  });
});

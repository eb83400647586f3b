// What starting git costs the event loop of a process with a large heap (an extension host holding
// thousands of documents): on Linux a spawn forks the spawning process, copying the page tables of
// all its memory, and while the kernel does that every thread of the process that faults a page or
// maps memory waits. A process of ~1.2 GB (touched) runs GitRunner `git rev-parse` 60 times, one
// after the other, while its main thread keeps allocating JavaScript objects (as an editor does);
// the main thread's gaps are what a person would feel. Three ways, side by side, alternating:
// spawned from the main thread, from a worker thread (Vouch's way before HelperProcessStarter, the
// reference), and from Vouch's helper process (HelperProcessStarter).
import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { GitRunner, findGitExecutable } from '../src/git/gitRunner';
import { HelperProcessStarter, startProcessHere, type ProcessStarter, type StartedProcess } from '../src/git/processStarter';
import { recordBenchResults } from './results';

const SPAWNS = 60;
const ROUNDS = 3;
const HEAP_MB = 1200;
const GAP_MS = 10;

/**
 * The reference: git spawned from a worker thread of this process, its output relayed by message
 * (only what `git rev-parse` needs: no input, output, exit).
 */
function workerStarter(): { start: ProcessStarter; dispose: () => void } {
  const worker = new Worker(
    `const { parentPort } = require('node:worker_threads'); const { spawn } = require('node:child_process');
     parentPort.on('message', ({ id, file, args, cwd, env }) => {
       const child = spawn(file, args, { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
       child.stdout.on('data', (chunk) => parentPort.postMessage({ id, type: 'stdout', chunk }));
       child.on('close', (code) => parentPort.postMessage({ id, type: 'close', code }));
       child.stdin.end();
     });`,
    { eval: true },
  );
  const running = new Map<number, EventEmitter & { stdout: EventEmitter }>();
  worker.on('message', (message: { id: number; type: 'stdout' | 'close'; chunk?: Uint8Array; code?: number }) => {
    const process = running.get(message.id);
    if (!process) return;
    if (message.type === 'stdout') process.stdout.emit('data', Buffer.from(message.chunk!));
    else {
      running.delete(message.id);
      process.emit('close', message.code);
    }
  });
  let nextId = 1;
  const start: ProcessStarter = (file, args, options) => {
    const id = nextId++;
    const process = Object.assign(new EventEmitter(), {
      stdout: new EventEmitter(),
      stderr: new EventEmitter(),
      stdin: Object.assign(new EventEmitter(), { destroyed: false, write: () => true, end: () => undefined }),
      kill: () => true,
    });
    running.set(id, process);
    worker.postMessage({ id, file, args: [...args], cwd: options.cwd, env: { ...options.env } });
    return process as unknown as StartedProcess;
  };
  return { start, dispose: () => void worker.terminate() };
}

interface Stalls {
  readonly longestMs: number;
  readonly over10Ms: number;
  readonly spawnsMs: number;
}

/** Runs the spawns one after another while the main thread allocates; its longest gap and the gaps over GAP_MS. */
async function measure(start: ProcessStarter, cwd: string): Promise<Stalls> {
  const git = new GitRunner(findGitExecutable(), undefined, start);
  let longest = 0;
  let over = 0;
  let last = performance.now();
  let running = true;
  let sink = 0;
  const busy = () => {
    const now = performance.now();
    const gap = now - last;
    longest = Math.max(longest, gap);
    if (gap > GAP_MS) over++;
    last = now;
    const objects: { index: number; text: string }[] = [];
    for (let index = 0; index < 2000; index++) objects.push({ index, text: `line ${index}` });
    sink += objects.length;
    if (running) setImmediate(busy);
  };
  const began = performance.now();
  setImmediate(busy);
  for (let i = 0; i < SPAWNS; i++) await git.run(['rev-parse', '--is-inside-work-tree'], { cwd });
  const spawnsMs = performance.now() - began;
  running = false;
  await new Promise((resolve) => setImmediate(resolve));
  if (sink === 0) throw new Error('the main thread never ran');
  return { longestMs: Number(longest.toFixed(1)), over10Ms: over, spawnsMs: Math.round(spawnsMs) };
}

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'vouch-bench-spawn-'));
  const init = spawn('git', ['init', '-q', dir]);
  await new Promise((resolve) => init.on('close', resolve));
  // The large heap: touched, so that a fork has its page tables to copy.
  const heap: Buffer[] = [];
  for (let mb = 0; mb < HEAP_MB; mb += 4) heap.push(Buffer.alloc(4 << 20, 1));
  const helper = new HelperProcessStarter();
  const worker = workerStarter();
  try {
    if (!(await helper.helperReady())) throw new Error('the helper process did not start');
    const results: Record<'mainThread' | 'workerThread' | 'helperProcess', Stalls[]> = { mainThread: [], workerThread: [], helperProcess: [] };
    for (let round = 0; round < ROUNDS; round++) {
      results.mainThread.push(await measure(startProcessHere, dir));
      results.workerThread.push(await measure(worker.start, dir));
      results.helperProcess.push(await measure(helper.start, dir));
    }
    const summary = Object.fromEntries(
      Object.entries(results).map(([how, runs]) => [how, { longestMs: median(runs.map((run) => run.longestMs)), gapsOver10Ms: median(runs.map((run) => run.over10Ms)), spawnsMs: median(runs.map((run) => run.spawnsMs)), runs }]),
    ) as Record<keyof typeof results, { longestMs: number; gapsOver10Ms: number; spawnsMs: number; runs: Stalls[] }>;
    console.log(`${SPAWNS} git runs one after another from a process with ${HEAP_MB} MB touched, its main thread allocating; medians of ${ROUNDS} rounds:`);
    for (const [how, figures] of Object.entries(summary)) {
      console.log(`  ${how.padEnd(14)} longest main-thread gap ${figures.longestMs} ms, gaps over ${GAP_MS} ms ${figures.gapsOver10Ms}, ${SPAWNS} runs took ${figures.spawnsMs} ms`);
    }
    const ratio = summary.helperProcess.spawnsMs / summary.workerThread.spawnsMs;
    console.log(`  helper process against the worker thread (reference): longest gap ${summary.helperProcess.longestMs} vs ${summary.workerThread.longestMs} ms, time for the runs ratio ${ratio.toFixed(2)}`);
    recordBenchResults('spawnStall', { spawns: SPAWNS, rounds: ROUNDS, heapMb: HEAP_MB, ...summary, helperToWorkerTimeRatio: Number(ratio.toFixed(2)) });
  } finally {
    helper.dispose();
    worker.dispose();
    heap.length = 0;
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();

// What Vouch's git hooks (`vouch install-hooks`) add to a terminal commit, in bare `node -e 0` starts.
// Goal (issue 13): the pre-commit check and the post-commit record together at most 2.5 node starts
// for a 3-file commit with reviewed AI lines; a commit with no pending attribution runs no node.
// Also the floor of this design: two node processes that only load what running git needs and run
// as many git processes as the hooks' commands do (counted by git's trace2), in the same unit; and
// the floor of any two node hooks, with the fewest git processes a check and a record can run: what
// no code of the hooks' own can go below.
// Commits with hooks, commits without hooks and bare node starts are interleaved, so machine load
// hits all three alike.
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { launcherScript } from '../src/git/vouchLauncher';
import { recordBenchResults } from './results';

const repoRoot = path.resolve(__dirname, '..');
const cli = path.join(repoRoot, 'dist', 'cli.js');
const ROUNDS = 9;
const runtime = process.env.VOUCH_BENCH_NODE || process.execPath;
const FILES = ['a.ts', 'b.ts', 'c.ts'];
/**
 * Every process runs without NODE_EXTRA_CA_CERTS: node before 23 reads that CA bundle on every
 * start (this machine sets it: a bare start took 66 ms of CPU with it, 26 without), which would
 * make the bare start, the unit of every figure here, two and a half times what it is elsewhere.
 */
const { NODE_EXTRA_CA_CERTS: extraCaCerts, ...baseEnv } = process.env;

function run(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = baseEnv): void {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status}): ${result.stderr}`);
}

interface Cost {
  readonly wallMs: number;
  /** User + system CPU time of the command and every process it waited for (git, hooks, node). */
  readonly cpuMs: number;
}

const shellQuote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

/**
 * The shell whose `times` reads the CPU time: bash reports it to the millisecond (getrusage); a
 * POSIX sh such as dash counts clock ticks (10 ms), coarser than a git process.
 */
const TIMES_SHELL = existsSync('/bin/bash') ? '/bin/bash' : '/bin/sh';

/** Runs the command under a shell and reads its CPU time from `times` (POSIX), which a busy machine does not inflate like wall time. */
function timed(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = baseEnv): Cost {
  const started = performance.now();
  const result = spawnSync(TIMES_SHELL, ['-c', `${[command, ...args].map(shellQuote).join(' ')} >/dev/null || exit 1; times`], { cwd, env, encoding: 'utf8' });
  const wallMs = performance.now() - started;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status}): ${result.stderr}`);
  // The second line of `times`: user and system time of the shell's children, e.g. "0m0.052s 0m0.012s".
  const children = result.stdout.trim().split('\n')[1] ?? '';
  const seconds = [...children.matchAll(/(\d+)m([\d.]+)s/g)].map((match) => Number(match[1]) * 60 + Number(match[2]));
  if (seconds.length !== 2) throw new Error(`cannot read CPU times from ${JSON.stringify(result.stdout)}`);
  return { wallMs, cpuMs: (seconds[0] + seconds[1]) * 1000 };
}

/**
 * The git processes `vouch <args>` starts, counted by git's own trace2 events (each git process
 * writes one "start" event): git reads trace2.eventTarget from the global config, which the runs
 * here get from a HOME of their own. Untimed (tracing costs time).
 */
function gitProcessesOf(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv, scratch: string): number {
  const home = path.join(scratch, `trace-home-${args[0]}`);
  const events = path.join(scratch, `trace-${args[0]}.json`);
  run('mkdir', ['-p', home], scratch);
  writeFileSync(path.join(home, '.gitconfig'), `[trace2]\n\teventTarget = ${events}\n`);
  rmSync(events, { force: true });
  run('vouch', args, cwd, { ...env, HOME: home });
  return readFileSync(events, 'utf8').split('\n').filter((line) => line.includes('"event":"start"')).length;
}

/**
 * The floor of a hook that runs node and git: a node process that loads the modules Vouch's hooks
 * need to run git (processes, hashing, files) and starts `git rev-parse HEAD` `gitProcesses` times,
 * one after another with piped streams, and does nothing else.
 */
const FLOOR_SOURCE = `const { spawn } = require('node:child_process'); require('node:crypto'); require('node:fs');
let left = Number(process.argv[1]);
const next = () => { if (left-- <= 0) return; const child = spawn('git', ['rev-parse', 'HEAD'], { stdio: ['pipe', 'pipe', 'pipe'] }); child.stdout.on('data', () => undefined); child.on('close', next); child.stdin.end(); };
next();`;

/**
 * The fewest git processes any pre-commit check and post-commit record could run: the check must
 * read what is staged (one `git diff --cached`), the record what the commit changed (one
 * `git diff-tree`) and write the note (one `git fast-import`). With these, two node hooks cost what
 * no code of theirs can lower: the floor under the goal.
 */
const FEWEST_CHECK_GIT_PROCESSES = 1;
const FEWEST_RECORD_GIT_PROCESSES = 2;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function main(): void {
  // The bundles users run (the .vsix ships the production build: minified, no source maps).
  const build = spawnSync(process.execPath, [path.join(repoRoot, 'scripts', 'build.mjs'), '--production'], { cwd: repoRoot, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('build failed');
  const dir = mkdtempSync(path.join(tmpdir(), 'vouch-bench-hooks-'));
  try {
    // `vouch` on PATH: the launcher the extension writes, running the bundled CLI with `runtime`
    // (VOUCH_BENCH_NODE, e.g. a Node 22+ like VS Code's own, else this node).
    const bin = path.join(dir, 'bin');
    const repo = path.join(dir, 'repo');
    run('mkdir', ['-p', bin, repo], dir);
    writeFileSync(path.join(bin, 'vouch'), launcherScript({ runtime, cli, electron: false, platform: process.platform }), { mode: 0o755 });
    // The hooks' code cache (src/git/bundleCodeCache.ts) in this run's folder: made by the first round, taken by the others.
    const env = { ...baseEnv, PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}`, XDG_CACHE_HOME: path.join(dir, 'cache') };
    run('git', ['init', '-q', '-b', 'main'], repo);
    run('git', ['config', 'user.name', 'Bench'], repo);
    run('git', ['config', 'user.email', 'bench@example.com'], repo);
    for (const file of FILES) writeFileSync(path.join(repo, file), Array.from({ length: 40 }, (_, i) => `export const human${i} = ${i};\n`).join(''));
    run('git', ['add', '-A'], repo);
    run('git', ['commit', '-q', '-m', 'start'], repo);
    run('vouch', ['install-hooks'], repo, env);

    let lineCount = 40;
    // How many git processes each hook's vouch command starts (a staged AI commit, as in the rounds).
    for (const file of FILES) {
      appendFileSync(path.join(repo, file), `export function counted_${file[0]}(value: number) { return value; }\n`);
      run('vouch', ['mark', file, '--lines', `${lineCount + 1}-${lineCount + 1}`, '--tool', 'claude-code'], repo, env);
      run('vouch', ['review', file, '--lines', `${lineCount + 1}-${lineCount + 1}`, '--intent', 'bench', '--scope', 'none'], repo, env);
    }
    lineCount += 1;
    run('git', ['add', '-A'], repo);
    const checkGitProcesses = gitProcessesOf(['check', '--staged'], repo, env, dir);
    run('git', ['-c', 'core.hooksPath=/dev/null', 'commit', '-q', '-m', 'counted'], repo, env);
    const head = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: repo, encoding: 'utf8' }).stdout.trim();
    const recordGitProcesses = gitProcessesOf(['record-commit', head], repo, env, dir);

    const withAi: Cost[] = [];
    const withoutPending: Cost[] = [];
    const withoutHooks: Cost[] = [];
    const nodeStarts: Cost[] = [];
    const floorCheck: Cost[] = [];
    const floorRecord: Cost[] = [];
    const fewestCheck: Cost[] = [];
    const fewestRecord: Cost[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // Three files with ten reviewed AI lines each (setup, not timed).
      for (const file of FILES) {
        appendFileSync(path.join(repo, file), Array.from({ length: 10 }, (_, i) => `export function ai${round}_${i}(value: number) { return value * ${i}; }\n`).join(''));
        run('vouch', ['mark', file, '--lines', `${lineCount + 1}-${lineCount + 10}`, '--tool', 'claude-code'], repo, env);
        run('vouch', ['review', file, '--lines', `${lineCount + 1}-${lineCount + 10}`, '--intent', 'bench', '--scope', 'none'], repo, env);
      }
      lineCount += 10;
      run('git', ['add', '-A'], repo);
      withAi.push(timed('git', ['commit', '-q', '-m', `ai ${round}`], repo, env));
      const note = spawnSync('vouch', ['notes', 'show', 'HEAD'], { cwd: repo, env, encoding: 'utf8' });
      if (note.status !== 0 || !note.stdout.includes('claude-code')) throw new Error(`round ${round}: the hooks wrote no note: ${note.stdout}${note.stderr}`);

      // Human lines only, nothing pending.
      for (const file of FILES) appendFileSync(path.join(repo, file), `export const person${round} = ${round};\n`);
      lineCount += 1;
      run('git', ['add', '-A'], repo);
      const workingDir = path.join(repo, '.git', 'vouch', 'working');
      const pending = readdirSync(workingDir).filter((name) => name.endsWith('.json') && !readFileSync(path.join(workingDir, name), 'utf8').includes('"spans":[]'));
      if (pending.length > 0) throw new Error(`round ${round}: working state still holds spans in ${pending.length} file(s) after the commit`);
      withoutPending.push(timed('git', ['commit', '-q', '-m', `human ${round}`], repo, env));

      for (const file of FILES) appendFileSync(path.join(repo, file), `export const plain${round} = ${round};\n`);
      lineCount += 1;
      run('git', ['add', '-A'], repo);
      withoutHooks.push(timed('git', ['-c', 'core.hooksPath=/dev/null', 'commit', '-q', '-m', `plain ${round}`], repo, env));

      for (let i = 0; i < 3; i++) nodeStarts.push(timed(runtime, ['-e', '0'], repo));
      floorCheck.push(timed(runtime, ['-e', FLOOR_SOURCE, String(checkGitProcesses)], repo));
      floorRecord.push(timed(runtime, ['-e', FLOOR_SOURCE, String(recordGitProcesses)], repo));
      fewestCheck.push(timed(runtime, ['-e', FLOOR_SOURCE, String(FEWEST_CHECK_GIT_PROCESSES)], repo));
      fewestRecord.push(timed(runtime, ['-e', FLOOR_SOURCE, String(FEWEST_RECORD_GIT_PROCESSES)], repo));
    }
    const figures = (key: keyof Cost) => {
      const node = median(nodeStarts.map((cost) => cost[key]));
      const plain = median(withoutHooks.map((cost) => cost[key]));
      const ai = median(withAi.map((cost) => cost[key]));
      const none = median(withoutPending.map((cost) => cost[key]));
      const floor = median(floorCheck.map((cost) => cost[key])) + median(floorRecord.map((cost) => cost[key]));
      const fewest = median(fewestCheck.map((cost) => cost[key])) + median(fewestRecord.map((cost) => cost[key]));
      return { node, plain, ai, none, aiRatio: (ai - plain) / node, noneRatio: (none - plain) / node, floorRatio: floor / node, fewestRatio: fewest / node };
    };
    const cpu = figures('cpuMs');
    const wall = figures('wallMs');
    const version = spawnSync(runtime, ['--version'], { env: baseEnv, encoding: 'utf8' }).stdout.trim();
    console.log(`medians of ${ROUNDS} interleaved rounds; vouch (production bundles) runs on node ${version}; CPU time (user+sys of every process, from ${TIMES_SHELL}'s times) and wall time`);
    if (extraCaCerts !== undefined) console.log('NODE_EXTRA_CA_CERTS is set here; every process of this bench runs without it');
    console.log(`bare node -e 0: CPU ${cpu.node.toFixed(1)} ms, wall ${wall.node.toFixed(1)} ms; commit without hooks: CPU ${cpu.plain.toFixed(1)} ms, wall ${wall.plain.toFixed(1)} ms`);
    console.log(
      `3-file commit with reviewed AI lines, pre-commit + post-commit: CPU ${cpu.ai.toFixed(1)} ms = ${cpu.aiRatio.toFixed(2)} node starts over a plain commit (wall ${wall.aiRatio.toFixed(2)}); goal <= 2.5 ${cpu.aiRatio <= 2.5 ? 'OK' : 'OVER'}`,
    );
    console.log(
      `the floor of two node hooks running git as these do (${checkGitProcesses} git processes in the check, ${recordGitProcesses} in the record; a node that loads only what that needs and does nothing else): ${cpu.floorRatio.toFixed(2)} node starts (wall ${wall.floorRatio.toFixed(2)}); the hooks' own work above it: ${(cpu.aiRatio - cpu.floorRatio).toFixed(2)}`,
    );
    console.log(
      `the floor of any two node hooks that run git at all (${FEWEST_CHECK_GIT_PROCESSES} git process in the check: the staged changes; ${FEWEST_RECORD_GIT_PROCESSES} in the record: the commit's changes, the notes write): ${cpu.fewestRatio.toFixed(2)} node starts (wall ${wall.fewestRatio.toFixed(2)}); goal 2.5 ${cpu.fewestRatio <= 2.5 ? 'reachable' : 'below it'}`,
    );
    console.log(`commit with no pending attribution: CPU ${cpu.none.toFixed(1)} ms = ${cpu.noneRatio.toFixed(2)} node starts over a plain commit (wall ${wall.noneRatio.toFixed(2)}); goal: no node start`);
    const round2 = (value: number) => Number(value.toFixed(2));
    recordBenchResults('gitHooks', {
      rounds: ROUNDS,
      node: version,
      nodeStartCpuMs: round2(cpu.node),
      plainCommitCpuMs: round2(cpu.plain),
      aiCommitCpuMs: round2(cpu.ai),
      noPendingCommitCpuMs: round2(cpu.none),
      aiCommitNodeStarts: round2(cpu.aiRatio),
      noPendingCommitNodeStarts: round2(cpu.noneRatio),
      aiCommitNodeStartsWall: round2(wall.aiRatio),
      noPendingCommitNodeStartsWall: round2(wall.noneRatio),
      goalNodeStarts: 2.5,
      checkGitProcesses,
      recordGitProcesses,
      floorNodeStarts: round2(cpu.floorRatio),
      floorNodeStartsWall: round2(wall.floorRatio),
      fewestGitProcesses: { check: FEWEST_CHECK_GIT_PROCESSES, record: FEWEST_RECORD_GIT_PROCESSES },
      fewestFloorNodeStarts: round2(cpu.fewestRatio),
      fewestFloorNodeStartsWall: round2(wall.fewestRatio),
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();

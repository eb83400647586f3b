import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type * as childProcess from 'node:child_process';
import { createRequire } from 'node:module';
import { GitError, GitRunner, assertObjectId, findGitExecutable } from '../../../src/git/gitRunner';
import { HelperProcessStarter } from '../../../src/git/processStarter';

const fromHelper = new HelperProcessStarter();
// Until its helper is ready a starter starts processes here: the runs below go through the helper.
before(async () => assert.equal(await fromHelper.helperReady(), true));
after(() => fromHelper.dispose());

for (const [how, git] of [
  ['started from this thread', new GitRunner()],
  ['started from a helper process', new GitRunner(findGitExecutable(), undefined, fromHelper.start)],
] as const) {
describe(`GitRunner (${how})`, () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'vouch-git-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('finds an absolute git executable', () => {
    assert.ok(path.isAbsolute(findGitExecutable()));
  });

  it('runs git with an argument array and returns its output', async () => {
    await git.run(['init', '-q'], { cwd: dir });
    const result = await git.run(['rev-parse', '--is-inside-work-tree'], { cwd: dir });
    assert.equal(result.stdout.trim(), 'true');
  });

  it('delivers the result, or the failure, even when its logger throws (the editor closed the log channel during shutdown)', async () => {
    const closed = () => {
      throw new Error('Channel has been closed');
    };
    const withClosedLog = new GitRunner(findGitExecutable(), { trace: closed, debug: closed, info: closed, warn: closed, error: closed }, how === 'started from this thread' ? undefined : fromHelper.start);
    await git.run(['init', '-q'], { cwd: dir });
    const blob = await withClosedLog.run(['hash-object', '-w', '--stdin'], { cwd: dir, input: Buffer.from('AI text\n') });
    assert.equal(blob.stdout.trim(), (await git.run(['hash-object', '--stdin'], { cwd: dir, input: Buffer.from('AI text\n') })).stdout.trim());
    await assert.rejects(withClosedLog.run(['cat-file', '-e', 'HEAD'], { cwd: dir }), GitError);
  });

  it('does not inherit GIT_* variables from the parent process', async () => {
    await git.run(['init', '-q'], { cwd: dir });
    process.env.GIT_DIR = '/nonexistent/elsewhere';
    try {
      const result = await git.run(['rev-parse', '--git-dir'], { cwd: dir });
      assert.equal(result.stdout.trim(), '.git');
    } finally {
      delete process.env.GIT_DIR;
    }
  });

  it('never runs repository hooks', async () => {
    await git.run(['init', '-q'], { cwd: dir });
    const { writeFileSync, existsSync } = await import('node:fs');
    const marker = path.join(dir, 'hook-ran');
    writeFileSync(path.join(dir, '.git/hooks/pre-commit'), `#!/bin/sh\ntouch ${marker}\n`, { mode: 0o755 });
    await git.run(['-c', 'user.name=t', '-c', 'user.email=t@e', 'commit', '-q', '--allow-empty', '-m', 'x'], { cwd: dir });
    assert.equal(existsSync(marker), false);
  });

  it('reports failures as typed errors', async () => {
    await assert.rejects(git.run(['rev-parse', 'HEAD'], { cwd: dir }), (error: unknown) => {
      assert.ok(error instanceof GitError);
      assert.equal(error.kind, 'not-a-repository');
      return true;
    });
    await git.run(['init', '-q'], { cwd: dir });
    await assert.rejects(git.run(['rev-parse', '--verify', 'nope'], { cwd: dir }), (error: unknown) => {
      assert.ok(error instanceof GitError);
      assert.equal(error.kind, 'exit-code');
      assert.equal(error.exitCode, 128);
      return true;
    });
  });

  it('accepts exit codes the caller declares as answers', async () => {
    await git.run(['init', '-q'], { cwd: dir });
    const result = await git.run(['diff', '--quiet', '--no-index', '/dev/null', '/dev/null'], { cwd: dir, okExitCodes: [1] });
    assert.equal(result.exitCode, 0);
  });

  it('validates object ids', () => {
    assert.equal(assertObjectId('a'.repeat(40)), 'a'.repeat(40));
    assert.throws(() => assertObjectId('HEAD'));
    assert.throws(() => assertObjectId('--upload-pack=evil'));
  });

  it('streams a long input a piece at a time, and kills git when the input fails', async () => {
    await git.run(['init', '-q'], { cwd: dir });
    const piece = 'x'.repeat(1 << 16) + '\n';
    async function* pieces(count: number, failing = false) {
      for (let index = 0; index < count; index++) yield index % 2 === 0 ? piece : Buffer.from(piece);
      if (failing) throw new Error('the text changed');
    }
    const streamed = await git.run(['hash-object', '--stdin'], { cwd: dir, input: pieces(80) });
    const whole = await git.run(['hash-object', '--stdin'], { cwd: dir, input: piece.repeat(80) });
    assert.equal(streamed.stdout, whole.stdout);
    await assert.rejects(git.run(['hash-object', '-w', '--stdin'], { cwd: dir, input: pieces(3, true) }), /the text changed/);
  });

  it('kills git at its time limit and at its output limit', async () => {
    await git.run(['init', '-q'], { cwd: dir });
    async function* never() {
      yield 'waiting';
      await new Promise(() => undefined);
    }
    await assert.rejects(git.run(['hash-object', '--stdin'], { cwd: dir, input: never(), timeoutMs: 300 }), (error: unknown) => error instanceof GitError && error.kind === 'timeout');
    await assert.rejects(git.run(['version'], { cwd: dir, maxOutputBytes: 4 }), (error: unknown) => error instanceof GitError && error.kind === 'output-too-large');
  });

  it('reports a missing git executable as such', async () => {
    const missing = new GitRunner(path.join(dir, 'no-git-here'), undefined, how === 'started from this thread' ? undefined : fromHelper.start);
    await assert.rejects(missing.run(['version'], { cwd: dir }), (error: unknown) => error instanceof GitError && error.kind === 'git-not-found');
  });
});
}

describe('GitRunner with HelperProcessStarter', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'vouch-git-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Counts the processes node's spawn starts from this thread while `action` runs. */
  async function spawnsHere(action: () => Promise<unknown>): Promise<number> {
    // The module object every importer reads `spawn` from when it calls it (a namespace import's is read-only).
    const module = createRequire(__filename)('node:child_process') as { spawn: typeof childProcess.spawn };
    const original = module.spawn;
    let count = 0;
    module.spawn = ((...args: Parameters<typeof childProcess.spawn>) => {
      count++;
      return original(...args);
    }) as typeof childProcess.spawn;
    try {
      await action();
    } finally {
      module.spawn = original;
    }
    return count;
  }

  it('starts git from the helper process: no fork of this process, whose heap may be large (the extension host)', async () => {
    const starter = new HelperProcessStarter();
    try {
      const inHelper = new GitRunner(findGitExecutable(), undefined, starter.start);
      const here = new GitRunner();
      assert.equal(await starter.helperReady(), true);
      assert.equal(await spawnsHere(() => here.run(['init', '-q'], { cwd: dir })), 1);
      assert.equal(await spawnsHere(async () => assert.equal((await inHelper.run(['rev-parse', '--is-inside-work-tree'], { cwd: dir })).stdout, 'true\n')), 0);
    } finally {
      starter.dispose();
    }
  });

  it('once disposed, starts git from this thread (the last saves on shutdown still run)', async () => {
    const starter = new HelperProcessStarter();
    const git = new GitRunner(findGitExecutable(), undefined, starter.start);
    await git.run(['init', '-q'], { cwd: dir });
    starter.dispose();
    assert.equal(await spawnsHere(async () => assert.equal((await git.run(['rev-parse', '--is-inside-work-tree'], { cwd: dir })).stdout, 'true\n')), 1);
  });

  it('fails the processes of a helper that died with a clear error, and the next run brings up a new helper', async () => {
    const starter = new HelperProcessStarter();
    try {
      const git = new GitRunner(findGitExecutable(), undefined, starter.start);
      await git.run(['init', '-q'], { cwd: dir });
      assert.equal(await starter.helperReady(), true);
      // git waits on its input; the helper that relays it is killed meanwhile.
      const waiting = git.run(['hash-object', '--stdin'], { cwd: dir, input: (async function* () {
        yield Buffer.from('part one\n');
        await new Promise(() => undefined);
      })() });
      const helpers = helperPids(starter);
      assert.equal(helpers.length, 1);
      process.kill(helpers[0], 'SIGKILL');
      await assert.rejects(waiting, (error: unknown) => error instanceof GitError && /helper process that starts git exited/.test(error.message));
      assert.equal((await git.run(['rev-parse', '--is-inside-work-tree'], { cwd: dir })).stdout, 'true\n');
      assert.notDeepEqual(helperPids(starter), helpers);
    } finally {
      starter.dispose();
    }
  });

  it('runs the helper without the caller\'s NODE_OPTIONS (a preloaded module, an inspector port are the caller\'s)', async () => {
    const before = process.env.NODE_OPTIONS;
    // A preload that does not exist: node refuses to start with it.
    process.env.NODE_OPTIONS = `--require ${path.join(dir, 'no-such-preload.js')}`;
    const starter = new HelperProcessStarter();
    try {
      assert.equal(await starter.helperReady(), true);
    } finally {
      if (before === undefined) delete process.env.NODE_OPTIONS;
      else process.env.NODE_OPTIONS = before;
      starter.dispose();
    }
  });

  it('never forks this process in start(): what is asked for while the helper starts waits for it', async () => {
    const starter = new HelperProcessStarter();
    try {
      const git = new GitRunner(findGitExecutable(), undefined, starter.start);
      let runs: ReturnType<GitRunner['run']>[] = [];
      // Synchronously, as the extension's activation asks: no spawn at all in the caller's task.
      assert.equal(await spawnsHere(async () => {
        runs = [git.run(['init', '-q'], { cwd: dir }), git.run(['version'], { cwd: dir }), git.run(['hash-object', '--stdin'], { cwd: dir, input: 'waited\n' })];
      }), 0);
      // Later, one spawn in all: the helper's.
      let results: Awaited<ReturnType<GitRunner['run']>>[] = [];
      assert.equal(await spawnsHere(async () => (results = await Promise.all(runs))), 1);
      assert.match(results[2].stdout, /^[0-9a-f]{40}\n$/);
    } finally {
      starter.dispose();
    }
  });

  it('starts what waited for a helper that cannot run from this process, and everything after it (a runtime that exits at once)', async () => {
    const starter = new HelperProcessStarter({ runtime: { path: '/bin/false', electron: false } });
    try {
      const git = new GitRunner(findGitExecutable(), undefined, starter.start);
      // The first run brings up the helper and waits; the helper exits, so the run starts here.
      assert.equal(await spawnsHere(() => git.run(['init', '-q'], { cwd: dir })), 2);
      assert.equal(await starter.helperReady(), false);
      assert.equal(await spawnsHere(async () => assert.equal((await git.run(['rev-parse', '--is-inside-git-dir'], { cwd: dir })).stdout, 'false\n')), 1);
    } finally {
      starter.dispose();
    }
  });

  it('starts what waited from this process when the helper is not ready in time (a runtime that hangs), with its input', async () => {
    const hangs = path.join(dir, 'hangs.sh');
    writeFileSync(hangs, '#!/bin/sh\nexec sleep 60\n', { mode: 0o755 });
    const starter = new HelperProcessStarter({ runtime: { path: hangs, electron: false }, startTimeoutMs: 300 });
    try {
      const git = new GitRunner(findGitExecutable(), undefined, starter.start);
      await git.run(['init', '-q'], { cwd: dir });
      const hashed = await git.run(['hash-object', '--stdin'], { cwd: dir, input: 'relayed here\n' });
      assert.equal(hashed.stdout, (await new GitRunner().run(['hash-object', '--stdin'], { cwd: dir, input: 'relayed here\n' })).stdout);
      assert.equal(await starter.helperReady(), false);
      assert.deepEqual(helperPids(starter), []);
    } finally {
      starter.dispose();
    }
  });
});

/** The pid of the starter's helper process, if one runs (read from the private field the test needs to kill it). */
function helperPids(starter: HelperProcessStarter): number[] {
  const helper = (starter as unknown as { helper?: { process: { pid?: number } } }).helper;
  return helper?.process.pid === undefined ? [] : [helper.process.pid];
}

import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCliProcess, sharedCliBundle } from '../../support/cliProcess';
import { vouch } from '../../support/cliRun';
import { silentLogger } from '../../../src/core/logger';
import { sha256Hex } from '../../../src/core/textHash';
import { WorkingStateStore } from '../../../src/git/workingStateStore';
import { countFault } from '../../support/faultFigures';
import { TestRepo, aiSpan, gitRunner } from '../../support/testRepo';

/** Runs the real `vouch` entry point (bundled as shipped) with its stdout closed before it writes (`vouch ... | head -c0`). */
async function runWithClosedStdout(cwd: string, argv: string[]): Promise<{ code: number | null; stderr: string }> {
  const cli = await sharedCliBundle();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...argv], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

describe('CLI misuse: clear messages and the documented exit codes', function () {
  this.timeout(120_000);
  let repo: TestRepo;
  const text = 'const a = 1;\nconst b = fromAi();\n';

  beforeEach(async () => {
    repo = await TestRepo.withBaseCommit({ 'src/a.js': text }, { message: 'ai' });
  });
  afterEach(() => repo.cleanup());

  function pending(span: object): string {
    const file = path.join(repo.dir, '.git', 'pending.json');
    writeFileSync(file, JSON.stringify({ files: [{ path: 'src/a.js', workingText: text, spans: [span] }] }));
    return file;
  }

  it('record-commit --pending refuses a record that verify would reject, and writes nothing', async () => {
    const span = aiSpan(text, 'const b = fromAi();');
    const review = { decision: 'accepted', intent: 'x', scope: ['none'], reviewer: { name: 'Dana', email: 'dana@example.com' }, textHash: sha256Hex('const b = fromAi();') };
    const cases = [
      { ...span, review: { ...review, reviewedAt: 'yesterday' } },
      { ...span, origin: { kind: 'inline', tool: 'evil\u001b[2K' } },
      { ...span, origin: { kind: 'inline', tool: 'copilot', model: '::error::forged' } },
      { ...span, review: { ...review, reviewedAt: '2026-01-01T00:00:00Z', reviewer: { name: 'Mallory\u202e', email: 'm@example.com' } } },
    ];
    for (const input of cases) {
      const result = await vouch(repo.dir, 'record-commit', '--pending', pending(input));
      countFault('CLI misuse', { survived: result.code === 2 });
      assert.equal(result.code, 2, `${JSON.stringify(input)}: ${result.stdout}${result.stderr}`);
      assert.match(result.stderr, /bad --pending input: (?:not a valid Vouch record, nothing was written: )?.*(?:reviewedAt|tool|model|reviewer\.name)/);
    }
    assert.equal((await vouch(repo.dir, 'notes', 'show')).code, 1, 'no note was written');
    const verify = await vouch(repo.dir, 'verify', 'HEAD');
    assert.equal(verify.code, 0, verify.stderr);
  });

  it('vouch with no command (or an empty one, as a hook with an empty variable runs it) is a usage error: usage on stderr, exit 2', async () => {
    for (const argv of [[], ['']]) {
      const result = await vouch(repo.dir, ...argv);
      countFault('CLI misuse', { survived: result.code === 2 && result.stdout === '' });
      assert.equal(result.code, 2, `vouch ${JSON.stringify(argv)}: ${result.stdout}`);
      assert.equal(result.stdout, '', 'nothing on stdout: a script reading it gets no usage text as output');
      assert.match(result.stderr, /^vouch: (?:missing command|unknown command '')\n\nUsage: vouch <command> \[options\]\n/);
    }
    // Asked for, the usage is the output: stdout and success.
    for (const argv of [['help'], ['--help'], ['-h']]) {
      const result = await vouch(repo.dir, ...argv);
      assert.equal(result.code, 0, argv.join(' '));
      assert.equal(result.stderr, '');
      assert.match(result.stdout, /^Usage: vouch <command> \[options\]\n/);
    }
    // The shipped entry point exits with the same codes (what a hook sees).
    const cli = await sharedCliBundle();
    const bare = await runCliProcess(cli, repo.dir, []);
    assert.equal(bare.code, 2, bare.stdout);
    assert.equal(bare.stdout, '');
    assert.match(bare.stderr, /Usage: vouch <command>/);
    const help = await runCliProcess(cli, repo.dir, ['--help']);
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /^Usage: vouch <command>/);
  });

  it('vouch notes with no action is a usage error on stderr (exit 2); notes --help prints its help on stdout (exit 0)', async () => {
    for (const argv of [['notes'], ['notes', '--json']]) {
      const result = await vouch(repo.dir, ...argv);
      assert.equal(result.code, 2, argv.join(' '));
      assert.equal(result.stdout, '', `${argv.join(' ')}: nothing on stdout`);
      assert.match(result.stderr, /^vouch notes: missing action \(show or rewrite-ref\)\nRun 'vouch notes --help' for usage\.\n$/);
    }
    const help = await vouch(repo.dir, 'notes', '--help');
    assert.equal(help.code, 0);
    assert.equal(help.stderr, '');
    assert.match(help.stdout, /^Usage: vouch notes show/);
  });

  it('a revision or range git cannot resolve is a usage error (2) in every command that takes one', async () => {
    for (const argv of [
      ['reconcile', 'a..b..c'],
      ['verify', 'a..b..c'],
      ['reconcile', 'no-such-branch'],
      ['verify', 'no-such-branch'],
      ['notes', 'show', 'no-such-branch'],
      ['report', 'no-such-branch'],
      ['export', '--format', 'in-toto', 'no-such-branch'],
      ['approve', 'no-such-branch', '--intent', 'x', '--scope', 'none'],
      ['record-commit', 'no-such-branch'],
      ['blame', 'src/a.js', '--rev', 'no-such-branch'],
    ]) {
      const result = await vouch(repo.dir, ...argv);
      countFault('CLI misuse', { survived: result.code === 2 });
      assert.equal(result.code, 2, `${argv.join(' ')}: ${result.stderr}`);
      assert.doesNotMatch(result.stderr, /failed \(128\)/);
    }
  });

  it('in a bare repository every command says there is no working tree, without a raw git error', async () => {
    const bare = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'vouch-bare-')));
    try {
      await repo.git(['init', '-q', '--bare', bare]);
      for (const argv of [
        ['status'],
        ['check'],
        ['check', '--staged'],
        ['mark', 'a.js', '--lines', '1', '--tool', 'x'],
        ['review', 'a.js', '--lines', '1', '--intent', 'x'],
        ['record-commit'],
        ['record-commit', 'f'.repeat(40)],
        ['reconcile'],
        ['sync'],
        ['notes', 'show'],
        ['verify'],
        ['install-hooks'],
      ]) {
        const result = await vouch(bare, ...argv);
        countFault('CLI misuse', { survived: result.code === 1 });
        assert.equal(result.code, 1, `${argv.join(' ')}: ${result.stderr}`);
        assert.match(result.stderr, /not inside a git working tree \(a bare repository has none\)/, argv.join(' '));
        assert.doesNotMatch(result.stderr, /failed \(128\)/);
      }
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }
  });

  it('names the real cause when there is no working tree: inside .git, no repository, GIT_DIR/GIT_WORK_TREE set', async () => {
    const inGitDir = await vouch(path.join(repo.dir, '.git'), 'status');
    assert.equal(inGitDir.code, 1, inGitDir.stderr);
    assert.match(inGitDir.stderr, /inside a git directory, not its working tree: .*\.git; run vouch from the working tree/);
    assert.doesNotMatch(inGitDir.stderr, /bare/);
    const outside = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'vouch-outside-')));
    const saved = { GIT_DIR: process.env.GIT_DIR, GIT_WORK_TREE: process.env.GIT_WORK_TREE };
    try {
      const plain = await vouch(outside, 'status');
      assert.equal(plain.code, 1, plain.stderr);
      assert.match(plain.stderr, /not inside a git working tree: /);
      assert.doesNotMatch(plain.stderr, /bare|GIT_DIR/);
      process.env.GIT_DIR = path.join(repo.dir, '.git');
      process.env.GIT_WORK_TREE = repo.dir;
      const withVariables = await vouch(outside, 'status');
      assert.equal(withVariables.code, 1, withVariables.stderr);
      assert.match(withVariables.stderr, /not inside a git working tree: .*\(vouch ignores GIT_DIR and GIT_WORK_TREE, set here, for safety: run it from inside the working tree\)/);
      assert.doesNotMatch(withVariables.stderr, /bare/);
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('marks a file inside a submodule in the submodule, not in the superproject', async () => {
    const sub = await TestRepo.create();
    try {
      await sub.commitFiles({ 'lib.js': 'one\ntwo\n' }, 'lib');
      await repo.git(['-c', 'protocol.file.allow=always', 'submodule', 'add', '-q', sub.dir, 'vendor/lib']);
      const inner = path.join(repo.dir, 'vendor', 'lib');
      const result = await vouch(repo.dir, 'mark', 'vendor/lib/lib.js', '--lines', '2', '--tool', 'claude-code');
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /marked lines 2 of lib\.js in the repository at .*vendor\/lib as written by claude-code/);
      const innerStore = await WorkingStateStore.open(gitRunner, inner, silentLogger);
      assert.equal((await innerStore.load('lib.js'))?.spans.length, 1);
      const outerStore = await WorkingStateStore.open(gitRunner, repo.dir, silentLogger);
      assert.deepEqual(await outerStore.list(), []);
      const status = await vouch(inner, 'status');
      assert.match(status.stdout, /^lib\.js\n {2}line 2 /);
    } finally {
      sub.cleanup();
    }
  });

  it('a closed stdout ends a command quietly with its usual exit code (vouch ... | head -c1)', async () => {
    const pendingFile = pending(aiSpan(text, 'const b = fromAi();'));
    assert.equal((await vouch(repo.dir, 'record-commit', '--pending', pendingFile)).code, 0);
    for (const [argv, expected] of [
      [['help'], 0],
      [['notes', 'show'], 0],
      [['verify', 'HEAD'], 1],
      [['notes', 'show', '--json'], 0],
    ] as const) {
      const result = await runWithClosedStdout(repo.dir, [...argv]);
      countFault('closed stdout (EPIPE)', { survived: result.code === expected && !/EPIPE|\n\s+at /.test(result.stderr) });
      assert.equal(result.code, expected, `${argv.join(' ')}: ${result.stderr}`);
      assert.doesNotMatch(result.stderr, /EPIPE|\n\s+at /, 'no stack trace');
    }
    assert.ok(existsSync(path.join(repo.dir, 'src/a.js')));
  });
});

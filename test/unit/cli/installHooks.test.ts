import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { VOUCH_HOOKS } from '../../../src/cli/commands/installHooks';
import { silentLogger } from '../../../src/core/logger';
import { WorkingStateStore } from '../../../src/git/workingStateStore';
import { sharedCliBundle, writeCliLauncher } from '../../support/cliProcess';
import { createRepository, git, vouch, vouchOk } from './checkReviewHelpers';

/**
 * `git commit` with hooks ON, as a person runs it (GitRunner always turns hooks off, so the
 * test spawns git itself).
 */
function commitWithHooks(dir: string, message: string): { status: number | null; output: string } {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('GIT_')) env[key] = value;
  const result = spawnSync('git', ['commit', '-q', '-m', message], { cwd: dir, env, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** A stand-in for vouch that records its arguments and exits with the code in `exit-code`. */
function fakeVouch(dir: string): { path: string; calls: () => string[]; exitWith: (code: number) => void } {
  const bin = path.join(dir, '.git', 'fake-vouch');
  const log = path.join(dir, '.git', 'fake-vouch.log');
  const code = path.join(dir, '.git', 'fake-vouch.exit');
  writeFileSync(code, '0');
  writeFileSync(bin, `#!/bin/sh\necho "$*" >> '${log}'\nexit "$(cat '${code}')"\n`, { mode: 0o755 });
  return {
    path: bin,
    calls: () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []),
    exitWith: (exit) => writeFileSync(code, String(exit)),
  };
}

describe('vouch install-hooks', function () {
  // Each test commits with the hooks on: sh and git starts, and in the real-vouch tests four node
  // starts of the bundled CLI. About 2 s on an idle machine; 20 s at load 30 on two cores.
  this.timeout(60_000);
  let dir: string;
  let remove: () => void;
  /** The real vouch, bundled once for every test file that runs it from a hook. */
  let cli: string;

  before(async function () {
    this.timeout(60_000); // esbuild, once per run: seconds on a busy machine
    cli = await sharedCliBundle();
  });
  beforeEach(async () => {
    ({ dir, remove } = await createRepository('vouch-hooks-', { 'a.txt': 'one\n' }));
  });
  afterEach(() => remove());

  const hookFile = (...parts: string[]) => path.join(dir, ...parts);
  /** The commit HEAD names: post-commit passes it to record-commit. */
  const head = async () => (await git.run(['rev-parse', 'HEAD'], { cwd: dir })).stdout.trim();
  const stage = async (text: string) => {
    writeFileSync(path.join(dir, 'a.txt'), text);
    await git.run(['add', 'a.txt'], { cwd: dir });
  };
  /** Stages `text` with its first line marked as AI, so the hooks have attribution to act on. */
  const stageAi = async (text: string) => {
    await stage(text);
    await vouchOk(dir, ['mark', 'a.txt', '--lines', '1', '--tool', 'claude-code']);
  };

  it('lists its hooks in a table (pre-commit runs the staged check)', () => {
    assert.deepEqual(VOUCH_HOOKS.find((hook) => hook.hook === 'pre-commit'), { hook: 'pre-commit', args: ['check', '--staged'], blocking: true, onlyWhenPending: true });
  });

  it('installs a pre-commit hook that blocks commits of unreviewed AI code (real vouch, real git commit)', async () => {
    const shim = writeCliLauncher(path.join(dir, '.git', 'vouch-shim'), cli);
    const installed = await vouchOk(dir, ['install-hooks', '--vouch-path', shim]);
    assert.match(installed.out, /pre-commit: created .*\.git\/hooks\/pre-commit/);
    assert.ok(statSync(hookFile('.git', 'hooks', 'pre-commit')).mode & 0o100, 'the hook is executable');

    await stage('one\nai line\n');
    await vouchOk(dir, ['mark', 'a.txt', '--lines', '2', '--tool', 'claude-code']);
    const blocked = commitWithHooks(dir, 'unreviewed');
    assert.notEqual(blocked.status, 0, blocked.output);
    assert.match(blocked.output, /1 AI block staged has not been reviewed:\n {2}a\.txt {2}line 2/);

    await vouchOk(dir, ['review', 'a.txt', '--lines', '2', '--intent', 'says hello', '--scope', 'none']);
    const allowed = commitWithHooks(dir, 'reviewed');
    assert.equal(allowed.status, 0, allowed.output);
  });

  it('chains with an existing shell hook: both run, either can stop the commit; reinstalling changes nothing; uninstall restores it', async () => {
    const fake = fakeVouch(dir);
    const original = '#!/bin/bash\necho "lint ran" >> .git/lint.log\nexec true\n';
    writeFileSync(hookFile('.git', 'hooks', 'pre-commit'), original, { mode: 0o755 });
    assert.match((await vouchOk(dir, ['install-hooks', '--vouch-path', fake.path])).out, /added a Vouch block to the existing/);
    assert.match((await vouchOk(dir, ['install-hooks', '--vouch-path', fake.path])).out, /already installed/);
    const text = readFileSync(hookFile('.git', 'hooks', 'pre-commit'), 'utf8');
    assert.equal(text.split('# >>> vouch pre-commit >>>').length, 2, 'one block only');
    assert.ok(text.startsWith('#!/bin/bash\n# >>> vouch pre-commit >>>'), 'the block runs before the hook can exec away');

    await stageAi('two\n');
    assert.equal(commitWithHooks(dir, 'ok').status, 0);
    assert.deepEqual(fake.calls(), ['check --staged', `record-commit ${await head()}`], 'pre-commit checks, post-commit records the commit it ran for');
    assert.equal(readFileSync(hookFile('.git', 'lint.log'), 'utf8'), 'lint ran\n');

    fake.exitWith(1);
    await stageAi('three\n');
    assert.notEqual(commitWithHooks(dir, 'stopped').status, 0);
    assert.equal(readFileSync(hookFile('.git', 'lint.log'), 'utf8'), 'lint ran\n', 'a failing check stops the hook');

    assert.match((await vouchOk(dir, ['install-hooks', '--uninstall'])).out, /removed the Vouch block/);
    assert.equal(readFileSync(hookFile('.git', 'hooks', 'pre-commit'), 'utf8'), original);
  });

  it('wraps a hook in another language and unwraps it on uninstall', async () => {
    const fake = fakeVouch(dir);
    const original = `#!${process.execPath}\nrequire('fs').appendFileSync('.git/node-hook.log', 'node hook ' + process.argv.length + '\\n');\n`;
    writeFileSync(hookFile('.git', 'hooks', 'pre-commit'), original, { mode: 0o755 });
    assert.match((await vouchOk(dir, ['install-hooks', '--vouch-path', fake.path])).out, /wrapped/);
    assert.equal(readFileSync(hookFile('.git', 'hooks', 'pre-commit.vouch-original'), 'utf8'), original);
    await stageAi('two\n');
    assert.equal(commitWithHooks(dir, 'ok').status, 0);
    assert.deepEqual(fake.calls(), ['check --staged', `record-commit ${await head()}`], 'pre-commit checks, post-commit records the commit it ran for');
    assert.equal(readFileSync(hookFile('.git', 'node-hook.log'), 'utf8'), 'node hook 2\n');
    await vouchOk(dir, ['install-hooks', '--uninstall']);
    assert.equal(readFileSync(hookFile('.git', 'hooks', 'pre-commit'), 'utf8'), original);
    assert.ok(!existsSync(hookFile('.git', 'hooks', 'pre-commit.vouch-original')));
  });

  it('follows core.hooksPath and husky (9: .husky/_ -> .husky/<hook>), and deletes only what it created', async () => {
    await git.run(['config', 'core.hooksPath', 'tools/hooks'], { cwd: dir });
    assert.match((await vouchOk(dir, ['install-hooks'])).out, /tools\/hooks \(core\.hooksPath\):\n {2}pre-commit: created/);
    assert.ok(existsSync(hookFile('tools', 'hooks', 'pre-commit')));
    assert.match((await vouchOk(dir, ['install-hooks', '--uninstall'])).out, /deleted/);
    assert.ok(!existsSync(hookFile('tools', 'hooks', 'pre-commit')));

    mkdirSync(hookFile('.husky', '_'), { recursive: true });
    writeFileSync(hookFile('.husky', 'pre-commit'), 'npm test\n');
    writeFileSync(hookFile('.husky', '_', 'pre-commit'), '#!/usr/bin/env sh\n. "$(dirname "$0")/h"\n');
    await git.run(['config', 'core.hooksPath', '.husky/_'], { cwd: dir });
    const fake = fakeVouch(dir);
    assert.match((await vouchOk(dir, ['install-hooks', '--vouch-path', fake.path])).out, /\.husky \(husky\):\n {2}pre-commit: added/);
    assert.equal(readFileSync(hookFile('.husky', '_', 'pre-commit'), 'utf8'), '#!/usr/bin/env sh\n. "$(dirname "$0")/h"\n', 'husky\'s generated hooks are left alone');
    const userHook = readFileSync(hookFile('.husky', 'pre-commit'), 'utf8');
    assert.ok(userHook.startsWith('# >>> vouch pre-commit >>>') && userHook.endsWith('# <<< vouch pre-commit <<<\nnpm test\n'));
    await vouchOk(dir, ['install-hooks', '--uninstall']);
    assert.equal(readFileSync(hookFile('.husky', 'pre-commit'), 'utf8'), 'npm test\n');
  });

  it('lets the commit go on with a warning when vouch cannot be found', async () => {
    await vouchOk(dir, ['install-hooks', '--vouch-path', path.join(dir, 'missing-vouch')]);
    await stageAi('two\n');
    const result = commitWithHooks(dir, 'ok');
    assert.equal(result.status, 0);
    assert.match(result.output, /missing-vouch is not executable; skipped the Vouch pre-commit hook/);
  });

  it('starts no vouch (no node) for a commit with no pending attribution, and again once there is some', async () => {
    const fake = fakeVouch(dir);
    await vouchOk(dir, ['install-hooks', '--vouch-path', fake.path]);
    await stage('two\n');
    assert.equal(commitWithHooks(dir, 'human only').status, 0);
    assert.deepEqual(fake.calls(), [], 'nothing pending: neither hook runs vouch');
    // A state file whose spans were all committed holds "spans":[] and counts as nothing pending.
    await stageAi('three\n');
    const store = await WorkingStateStore.open(git, dir, silentLogger);
    await store.remove('a.txt'); // so the save below writes no spans rather than merging with the marked ones
    await store.save('a.txt', [], 'three\n');
    assert.match(readFileSync(store.stateFileFor('a.txt'), 'utf8'), /"spans":\[\]/);
    assert.equal(commitWithHooks(dir, 'spans committed').status, 0);
    assert.deepEqual(fake.calls(), []);
    await stageAi('four\n');
    assert.equal(commitWithHooks(dir, 'ai').status, 0);
    const aiCommit = await head();
    assert.deepEqual(fake.calls(), ['check --staged', `record-commit ${aiCommit}`]);
    // A record waiting in the notes journal is pending too (post-commit writes it).
    await store.remove('a.txt');
    await store.save('a.txt', [], 'four\n');
    mkdirSync(hookFile('.git', 'vouch', 'journal'), { recursive: true });
    writeFileSync(hookFile('.git', 'vouch', 'journal', `${'a'.repeat(40)}.${'b'.repeat(32)}.record`), '{}\n');
    await stage('five\n');
    assert.equal(commitWithHooks(dir, 'journal').status, 0);
    assert.deepEqual(fake.calls(), ['check --staged', `record-commit ${aiCommit}`, 'check --staged', `record-commit ${await head()}`]);
  });

  it("finds vouch on PATH, else at the extension's launcher", async () => {
    await vouchOk(dir, ['install-hooks']);
    const fake = fakeVouch(dir);
    const dataHome = path.join(dir, '.git', 'data');
    mkdirSync(path.join(dataHome, 'vouch', 'bin'), { recursive: true });
    writeFileSync(path.join(dataHome, 'vouch', 'bin', 'vouch'), `#!/bin/sh\nexec '${fake.path}' launcher "$@"\n`, { mode: 0o755 });
    await stageAi('two\n');
    const env: NodeJS.ProcessEnv = { PATH: '/usr/bin:/bin', HOME: dir, XDG_DATA_HOME: dataHome };
    const viaLauncher = spawnSync('git', ['commit', '-q', '-m', 'launcher'], { cwd: dir, env, encoding: 'utf8' });
    assert.equal(viaLauncher.status, 0, viaLauncher.stderr);
    assert.deepEqual(fake.calls(), ['launcher check --staged', `launcher record-commit ${await head()}`]);
    const bin = path.join(dir, '.git', 'bin');
    mkdirSync(bin);
    writeFileSync(path.join(bin, 'vouch'), `#!/bin/sh\nexec '${fake.path}' path "$@"\n`, { mode: 0o755 });
    await stageAi('three\n');
    const viaPath = spawnSync('git', ['commit', '-q', '-m', 'path'], { cwd: dir, env: { ...env, PATH: `${bin}:/usr/bin:/bin` }, encoding: 'utf8' });
    assert.equal(viaPath.status, 0, viaPath.stderr);
    assert.deepEqual(fake.calls().slice(2), ['path check --staged', `path record-commit ${await head()}`]);
    rmSync(path.join(dataHome, 'vouch', 'bin', 'vouch'));
    await stageAi('four\n');
    const neither = spawnSync('git', ['commit', '-q', '-m', 'none'], { cwd: dir, env, encoding: 'utf8' });
    assert.equal(neither.status, 0);
    assert.match(neither.stderr, /'vouch' is not on PATH nor at .*; skipped the Vouch pre-commit hook/);
  });

  /** Runs git with the hooks on (and no inherited GIT_* variables), as a person's `git merge` or `git pull` does. */
  function gitWithHooks(args: string[]): { status: number | null; output: string } {
    const env: NodeJS.ProcessEnv = {};
    for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('GIT_')) env[key] = value;
    const result = spawnSync('git', args, { cwd: dir, env, encoding: 'utf8' });
    return { status: result.status, output: `${result.stdout}${result.stderr}` };
  }

  async function featureCommit(branch: string, file: string, text: string): Promise<void> {
    await git.run(['checkout', '-q', '-b', branch], { cwd: dir });
    writeFileSync(path.join(dir, file), text);
    await git.run(['add', file], { cwd: dir });
    await git.run(['commit', '-q', '-m', `${branch} work`], { cwd: dir });
    await git.run(['checkout', '-q', '-'], { cwd: dir });
  }

  it('post-merge runs reconcile for the merged range only when the repository has Vouch notes, never after merge --squash; uninstall removes it', async () => {
    const fake = fakeVouch(dir);
    const installed = await vouchOk(dir, ['install-hooks', '--vouch-path', fake.path]);
    assert.match(installed.out, /post-merge: created .*\.git\/hooks\/post-merge/);
    await featureCommit('one', 'b.txt', 'b\n');
    assert.equal(gitWithHooks(['merge', '-q', '--ff-only', 'one']).status, 0);
    assert.deepEqual(fake.calls(), [], 'no notes ref: no vouch (no node) after the merge');

    await git.run(['notes', '--ref', 'refs/notes/vouch', 'add', '-m', 'a note', 'HEAD'], { cwd: dir });
    await featureCommit('two', 'c.txt', 'c\n');
    const merged = gitWithHooks(['merge', '-q', '--ff-only', 'two']);
    assert.equal(merged.status, 0, merged.output);
    assert.deepEqual(fake.calls(), ['reconcile ORIG_HEAD..HEAD']);

    await featureCommit('three', 'd.txt', 'd\n');
    const squashed = gitWithHooks(['merge', '-q', '--squash', 'three']);
    assert.equal(squashed.status, 0, squashed.output);
    assert.deepEqual(fake.calls(), ['reconcile ORIG_HEAD..HEAD'], 'merge --squash made no commit: nothing to reconcile yet');

    const removed = await vouchOk(dir, ['install-hooks', '--uninstall']);
    assert.match(removed.out, /post-merge: deleted /);
    assert.equal(existsSync(hookFile('.git', 'hooks', 'post-merge')), false);
  });

  it('post-merge re-attaches the records of a pull request squash-merged on the server when you pull it (real vouch, real git)', async () => {
    const shim = writeCliLauncher(path.join(dir, '.git', 'vouch-shim'), cli);
    // The pull request: one AI commit with its Vouch note.
    await git.run(['checkout', '-q', '-b', 'pr'], { cwd: dir });
    writeFileSync(path.join(dir, 'a.txt'), 'one\nexport const answer = computeTheAnswerCarefully(42);\n');
    await vouchOk(dir, ['mark', 'a.txt', '--lines', '2', '--tool', 'claude-code']);
    await git.run(['add', 'a.txt'], { cwd: dir });
    await git.run(['commit', '-q', '-m', 'ai work'], { cwd: dir });
    await vouchOk(dir, ['record-commit']);
    await git.run(['checkout', '-q', '-'], { cwd: dir });
    // The server squash-merges it: a new commit on the base branch with the same tree and no note.
    const base = (await git.run(['rev-parse', 'HEAD'], { cwd: dir })).stdout.trim();
    const tree = (await git.run(['rev-parse', 'pr^{tree}'], { cwd: dir })).stdout.trim();
    const squash = (await git.run(['commit-tree', tree, '-p', base, '-m', 'ai work (#1)'], { cwd: dir })).stdout.trim();
    assert.notEqual((await git.run(['notes', '--ref', 'refs/notes/vouch', 'list', squash], { cwd: dir, okExitCodes: [1] })).exitCode, 0);

    await vouchOk(dir, ['install-hooks', '--vouch-path', shim]);
    const pulled = gitWithHooks(['merge', '-q', '--ff-only', squash]);
    assert.equal(pulled.status, 0, pulled.output);
    assert.match(pulled.output, /carried {2}[0-9a-f]{12} {2}from [0-9a-f]{12}/);
    const shown = await vouchOk(dir, ['notes', 'show', squash]);
    assert.match(shown.out, /claude-code/);
  });

  it('warns when the existing hook is not executable (git would skip it and the block)', async () => {
    writeFileSync(hookFile('.git', 'hooks', 'pre-commit'), '#!/bin/sh\necho hi\n');
    chmodSync(hookFile('.git', 'hooks', 'pre-commit'), 0o644);
    const result = await vouchOk(dir, ['install-hooks']);
    assert.match(result.err, /is not executable, so git does not run it/);
    assert.equal((await vouch(dir, ['install-hooks', '--nope'])).code, 2);
  });
});

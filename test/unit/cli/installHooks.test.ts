import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { VOUCH_HOOKS } from '../../../src/cli/commands/installHooks';
import { createRepository, git, vouch, vouchOk } from './checkReviewHelpers';

const repoRoot = path.resolve(__dirname, '..', '..', '..');

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
  this.timeout(20_000);
  let dir: string;
  let remove: () => void;

  beforeEach(async () => {
    ({ dir, remove } = await createRepository('vouch-hooks-', { 'a.txt': 'one\n' }));
  });
  afterEach(() => remove());

  const hookFile = (...parts: string[]) => path.join(dir, ...parts);
  const stage = async (text: string) => {
    writeFileSync(path.join(dir, 'a.txt'), text);
    await git.run(['add', 'a.txt'], { cwd: dir });
  };

  it('lists its hooks in a table (pre-commit runs the staged check)', () => {
    assert.deepEqual(VOUCH_HOOKS.find((hook) => hook.hook === 'pre-commit'), { hook: 'pre-commit', args: ['check', '--staged'], blocking: true });
  });

  it('installs a pre-commit hook that blocks commits of unreviewed AI code (real vouch, real git commit)', async () => {
    const shim = path.join(dir, '.git', 'vouch-shim');
    writeFileSync(shim, `#!/bin/sh\nexec '${path.join(repoRoot, 'node_modules', '.bin', 'tsx')}' '${path.join(repoRoot, 'src', 'cli', 'main.ts')}' "$@"\n`, { mode: 0o755 });
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

    await stage('two\n');
    assert.equal(commitWithHooks(dir, 'ok').status, 0);
    assert.deepEqual(fake.calls(), ['check --staged', 'record-commit'], 'pre-commit checks, post-commit records');
    assert.equal(readFileSync(hookFile('.git', 'lint.log'), 'utf8'), 'lint ran\n');

    fake.exitWith(1);
    await stage('three\n');
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
    await stage('two\n');
    assert.equal(commitWithHooks(dir, 'ok').status, 0);
    assert.deepEqual(fake.calls(), ['check --staged', 'record-commit'], 'pre-commit checks, post-commit records');
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
    await stage('two\n');
    const result = commitWithHooks(dir, 'ok');
    assert.equal(result.status, 0);
    assert.match(result.output, /missing-vouch is not executable; skipped the Vouch pre-commit hook/);
  });

  it('warns when the existing hook is not executable (git would skip it and the block)', async () => {
    writeFileSync(hookFile('.git', 'hooks', 'pre-commit'), '#!/bin/sh\necho hi\n');
    chmodSync(hookFile('.git', 'hooks', 'pre-commit'), 0o644);
    const result = await vouchOk(dir, ['install-hooks']);
    assert.match(result.err, /is not executable, so git does not run it/);
    assert.equal((await vouch(dir, ['install-hooks', '--nope'])).code, 2);
  });
});

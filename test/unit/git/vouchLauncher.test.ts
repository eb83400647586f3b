import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findOnPath, launcherDirectory, launcherPath, launcherScript, pathLinkLocation, writeLauncher } from '../../../src/git/vouchLauncher';

describe('the stable vouch launcher', () => {
  let dir: string;
  beforeEach(() => {
    dir = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'vouch-launcher-')));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('lives under XDG_DATA_HOME (default ~/.local/share), or %LOCALAPPDATA% on Windows', () => {
    assert.equal(launcherPath({ env: {}, platform: 'linux', homedir: '/home/ann' }), '/home/ann/.local/share/vouch/bin/vouch');
    assert.equal(launcherPath({ env: { XDG_DATA_HOME: '/data' }, platform: 'darwin', homedir: '/Users/ann' }), '/data/vouch/bin/vouch');
    assert.equal(launcherDirectory({ env: { XDG_DATA_HOME: 'relative' }, platform: 'linux', homedir: '/home/ann' }), '/home/ann/.local/share/vouch/bin');
    assert.equal(launcherPath({ env: { LOCALAPPDATA: 'C:\\Users\\ann\\AppData\\Local' }, platform: 'win32', homedir: 'C:\\Users\\ann' }), 'C:\\Users\\ann\\AppData\\Local\\vouch\\bin\\vouch.cmd');
  });

  it('runs the CLI it points at with all arguments, and says so when the extension is gone', async () => {
    const cli = path.join(dir, 'ext', 'dist', 'cli.js');
    mkdirSync(path.dirname(cli), { recursive: true });
    writeFileSync(cli, 'process.stdout.write(JSON.stringify({ args: process.argv.slice(2), electron: process.env.ELECTRON_RUN_AS_NODE ?? null }));');
    const launcher = path.join(dir, 'bin', "it's", 'vouch');
    const text = launcherScript({ runtime: process.execPath, cli, electron: true, platform: 'linux' });
    assert.equal(await writeLauncher(launcher, text), true);
    assert.equal(await writeLauncher(launcher, text), false, 'unchanged text is not rewritten');
    assert.ok(statSync(launcher).mode & 0o100, 'executable');
    assert.deepEqual(readdirSync(path.dirname(launcher)), ['vouch'], 'no temporary file left');
    const run = spawnSync(launcher, ['status', '--json', 'a b'], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), { args: ['status', '--json', 'a b'], electron: '1' });
    rmSync(cli);
    const gone = spawnSync(launcher, ['status'], { encoding: 'utf8' });
    assert.equal(gone.status, 127);
    assert.match(gone.stderr, /the Vouch extension that wrote this launcher is gone/);
  });

  it('finds executables on PATH and offers ~/.local/bin only when it is on PATH', async () => {
    const bin = path.join(dir, 'bin');
    mkdirSync(bin);
    writeFileSync(path.join(bin, 'vouch'), '#!/bin/sh\n', { mode: 0o755 });
    writeFileSync(path.join(bin, 'not-executable'), '', { mode: 0o644 });
    assert.equal(await findOnPath('vouch', `/nonexistent:relative:${bin}`, 'linux'), path.join(bin, 'vouch'));
    assert.equal(await findOnPath('not-executable', bin, 'linux'), undefined);
    assert.equal(pathLinkLocation({ env: { PATH: '/usr/bin:/home/ann/.local/bin' }, platform: 'linux', homedir: '/home/ann' }), '/home/ann/.local/bin/vouch');
    assert.equal(pathLinkLocation({ env: { PATH: '/usr/bin' }, platform: 'linux', homedir: '/home/ann' }), undefined);
  });
});

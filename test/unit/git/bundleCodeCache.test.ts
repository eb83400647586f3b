// Vouch's bundles start with the V8 code cache of an earlier run (src/git/bundleCodeCache.ts):
// dist/cli.js as built (cliEntry.ts) runs `vouch check` from its own bundle, with the cache in
// XDG_CACHE_HOME, and the extension's entry loads its bundle the same way (in this process here).
// Whether V8 took a cache shows in the file: a cache taken is never written again.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { codeCacheDirectory, codeCacheFileBytes, codeCacheHeader, loadBundleWithCodeCache } from '../../../src/git/bundleCodeCache';
import { bundleForNode, runCliProcess } from '../../support/cliProcess';
import { TestRepo } from '../../support/testRepo';

const projectRoot = path.resolve(__dirname, '..', '..', '..');

describe("Vouch's bundles keep the V8 code cache of an earlier run", function () {
  // Bundles two entries, then eight node starts of the bundled check (14 s beside two busy loops at load 33).
  this.timeout(120_000);
  let dir: string;
  let repo: TestRepo;

  beforeEach(async () => {
    dir = realpathSync(mkdtempSync(path.join(tmpdir(), 'vouch-code-cache-')));
    repo = await TestRepo.create();
  });
  afterEach(() => {
    repo.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the first run that did the work writes it (not --help), the next runs take it, and one for another build, damaged or not a file is replaced', async () => {
    const dist = path.join(dir, 'dist');
    await bundleForNode(path.join(projectRoot, 'src/cli/checkMain.ts'), path.join(dist, 'vouch-check.js'));
    const cli = await bundleForNode(path.join(projectRoot, 'src/cli/cliEntry.ts'), path.join(dist, 'cli.js'), {
      define: { VOUCH_HOOK_BUNDLES: JSON.stringify({ check: { file: 'vouch-check.js', build: 'build-1' } }) },
      external: ['./vouch-cli.js'],
    });
    const cacheHome = path.join(dir, 'cache');
    const cacheFile = path.join(cacheHome, 'vouch', 'vouch-check.js.v8-cache');
    const env = { ...process.env, XDG_CACHE_HOME: cacheHome };
    const check = async (...args: string[]) => {
      const run = await runCliProcess(cli, repo.dir, ['check', ...args], { env });
      assert.equal(run.code, 0, run.stderr);
      return run.stdout;
    };
    const inode = () => statSync(cacheFile).ino;

    assert.match(await check('--help'), /Usage: vouch check/);
    assert.throws(() => statSync(cacheFile), { code: 'ENOENT' }, '--help writes no cache');
    const output = await check('--staged');
    assert.match(output, /no unreviewed AI code staged/);
    const header = readFileSync(cacheFile, 'latin1').split('\n')[0];
    assert.ok(header.startsWith(codeCacheHeader('build-1')), header);
    assert.equal(statSync(cacheFile).mode & 0o777, 0o600);
    assert.equal(statSync(path.dirname(cacheFile)).mode & 0o777, 0o700);
    const written = inode();
    assert.equal(await check('--staged'), output);
    assert.equal(inode(), written, 'a cache V8 took is not written again');

    // Damaged after its header line (V8 does not check its payload in release builds): not handed
    // to V8, the command runs as without one, and the cache is made again.
    const bytes = readFileSync(cacheFile);
    bytes.fill(0x5a, bytes.length - 64);
    writeFileSync(cacheFile, bytes);
    const damaged = inode();
    assert.equal(await check('--staged'), output);
    assert.notEqual(inode(), damaged);

    // Made for another build of the bundle: not handed to V8, replaced.
    writeFileSync(cacheFile, codeCacheFileBytes(codeCacheHeader('build-0'), readFileSync(cacheFile).subarray(header.length + 1)));
    const otherBuild = inode();
    assert.equal(await check('--staged'), output);
    assert.notEqual(inode(), otherBuild);
    assert.ok(readFileSync(cacheFile, 'latin1').startsWith(codeCacheHeader('build-1')));

    // A FIFO in its place is not read (a read would wait for a writer forever); it is replaced by a cache.
    rmSync(cacheFile);
    assert.equal(spawnSync('mkfifo', [cacheFile]).status, 0);
    assert.equal(await check('--staged'), output);
    assert.ok(statSync(cacheFile).isFile());
  });

  it('lives in $XDG_CACHE_HOME/vouch (when absolute), else ~/.cache/vouch; %LOCALAPPDATA%\\vouch\\cache on Windows', () => {
    assert.equal(codeCacheDirectory({ env: { XDG_CACHE_HOME: '/c' }, platform: 'linux', homedir: '/home/u' }), '/c/vouch');
    assert.equal(codeCacheDirectory({ env: { XDG_CACHE_HOME: 'relative' }, platform: 'linux', homedir: '/home/u' }), '/home/u/.cache/vouch');
    assert.equal(codeCacheDirectory({ env: {}, platform: 'darwin', homedir: '/Users/u' }), '/Users/u/.cache/vouch');
    assert.equal(codeCacheDirectory({ env: { LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local' }, platform: 'win32', homedir: 'C:\\Users\\u' }), 'C:\\Users\\u\\AppData\\Local\\vouch\\cache');
  });

  it('a bundle loaded in this process (the extension\'s): the modules given answer its require, its lines stay the file\'s, and a cache of other text of the same length is never taken', async () => {
    const bundleFile = path.join(dir, 'extension.js');
    const cacheDirectory = path.join(dir, 'storage');
    const bundleText = (word: string) =>
      [
        "'use strict';",
        "const api = require('vscode');",
        "const os = require('node:os');",
        'exports.answer = api.value;',
        `exports.where = function where() { return new Error('${word}').stack; };`,
        "exports.platform = os.platform();",
        '',
      ].join('\n');
    writeFileSync(bundleFile, bundleText('here'));
    const api = { value: 42 };

    const first = loadBundleWithCodeCache(bundleFile, undefined, cacheDirectory, { vscode: api });
    assert.equal(first.exports.answer, 42);
    assert.equal(first.exports.platform, process.platform);
    const stack = (first.exports.where as () => string)();
    assert.match(stack, /^Error: here/);
    assert.ok(stack.includes(`${bundleFile}:5:43`), `the line and column of the file: ${stack}`);
    assert.ok(first.pendingCache, 'no cache yet: one to write');
    assert.equal(await first.pendingCache.write(), true);
    assert.equal(statSync(first.pendingCache.file).mode & 0o777, 0o600);

    const second = loadBundleWithCodeCache(bundleFile, undefined, cacheDirectory, { vscode: api });
    assert.equal(second.pendingCache, undefined, 'V8 took the cache');
    assert.equal(second.exports.answer, 42);

    // Rebuilt in place with text of the same length: V8 compares only the length, so the cache must not reach it.
    writeFileSync(bundleFile, bundleText('HERE'));
    const rebuilt = loadBundleWithCodeCache(bundleFile, undefined, cacheDirectory, { vscode: api });
    assert.ok(rebuilt.pendingCache, 'a cache of other text is not taken');
    assert.match((rebuilt.exports.where as () => string)(), /^Error: HERE/);

    // A cache folder that cannot be made: the bundle runs, the write says it failed.
    writeFileSync(path.join(dir, 'a-file'), '');
    const unwritable = loadBundleWithCodeCache(bundleFile, undefined, path.join(dir, 'a-file', 'storage'), { vscode: api });
    assert.equal(unwritable.exports.answer, 42);
    assert.equal(await unwritable.pendingCache?.write(), false);
  });
});

import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { quoteForShell, type CheckReport } from '../../../src/cli/commands/check';
import { escapeDisplay } from '../../../src/core/text/displayText';
import { createRepository, git, vouch, vouchOk } from './checkReviewHelpers';

describe('vouch check', () => {
  let dir: string;
  let remove: () => void;
  const base = ['one', 'two', 'three', 'four', ''].join('\n');

  beforeEach(async () => {
    ({ dir, remove } = await createRepository('vouch-check-', { 'src/app.ts': base, 'other.ts': base }));
  });
  afterEach(() => remove());

  const write = (name: string, text: string) => writeFileSync(path.join(dir, name), text);

  it('passes with nothing staged and with staged human code', async () => {
    assert.equal((await vouchOk(dir, ['check', '--staged'])).out, 'vouch: no unreviewed AI code staged.\n');
    write('src/app.ts', `${base}human line\n`);
    await git.run(['add', 'src/app.ts'], { cwd: dir });
    await vouchOk(dir, ['check', '--staged']);
  });

  it('fails with a list of the unreviewed blocks in the staged content, and passes after review', async () => {
    write('src/app.ts', ['one', 'const data = await fetch(url);', 'two', 'three', 'four', ''].join('\n'));
    await vouchOk(dir, ['mark', 'src/app.ts', '--lines', '2', '--tool', 'claude-code']);
    write('other.ts', `${base}ai but not staged\n`);
    await vouchOk(dir, ['mark', 'other.ts', '--lines', '5', '--tool', 'claude-code']);
    await git.run(['add', 'src/app.ts'], { cwd: dir });

    const failed = await vouch(dir, ['check', '--staged']);
    assert.equal(failed.code, 1);
    assert.match(failed.out, /1 AI block staged has not been reviewed:\n {2}src\/app\.ts {2}line 2 {2}claude-code \[agent\] {2}risks: network\n/);
    assert.match(failed.out, /vouch review src\/app\.ts --lines 2-2 --intent/);
    assert.doesNotMatch(failed.out, /other\.ts/, 'unstaged AI code is not the staged gate\'s business');

    const json = JSON.parse((await vouch(dir, ['check', '--staged', '--json'])).out) as CheckReport;
    assert.equal(json.unreviewedBlocks, 1);
    assert.deepEqual(json.files.map((file) => [file.path, file.blocks.map((block) => [block.startLine, block.endLine, block.risks])]), [['src/app.ts', [[2, 2, ['network']]]]]);

    const workingTree = await vouch(dir, ['check']);
    assert.equal(workingTree.code, 1);
    assert.match(workingTree.out, /2 AI blocks in the working tree have not been reviewed/);

    await vouchOk(dir, ['review', 'src/app.ts', '--lines', '2', '--intent', 'load the data', '--scope', 'network']);
    await vouchOk(dir, ['check', '--staged']);
  });

  it('checks the staged version, not the working tree: AI text added after staging is not in the commit', async () => {
    write('src/app.ts', `${base}staged ai\n`);
    await vouchOk(dir, ['mark', 'src/app.ts', '--lines', '5', '--tool', 'aider']);
    await vouchOk(dir, ['review', 'src/app.ts', '--lines', '5', '--intent', 'a note', '--scope', 'none']);
    await git.run(['add', 'src/app.ts'], { cwd: dir });
    write('src/app.ts', `${base}staged ai\nlater ai\n`);
    await vouchOk(dir, ['mark', 'src/app.ts', '--lines', '6', '--tool', 'aider']);
    await vouchOk(dir, ['check', '--staged']);
    assert.equal((await vouch(dir, ['check'])).code, 1);
    await git.run(['add', 'src/app.ts'], { cwd: dir });
    const failed = await vouch(dir, ['check', '--staged']);
    assert.equal(failed.code, 1);
    assert.match(failed.out, /src\/app\.ts {2}line 6/);
  });

  it('reads the index named by GIT_INDEX_FILE (git commit -a runs hooks on a temporary index)', async () => {
    write('src/app.ts', `${base}ai\n`);
    await vouchOk(dir, ['mark', 'src/app.ts', '--lines', '5', '--tool', 'aider']);
    const indexFile = path.join(dir, '.git', 'temporary-index');
    await git.run(['read-tree', 'HEAD'], { cwd: dir, env: { GIT_INDEX_FILE: indexFile } });
    await git.run(['add', 'src/app.ts'], { cwd: dir, env: { GIT_INDEX_FILE: indexFile } });
    await vouchOk(dir, ['check', '--staged']);
    const saved = process.env.GIT_INDEX_FILE;
    process.env.GIT_INDEX_FILE = path.relative(dir, indexFile);
    try {
      assert.equal((await vouch(dir, ['check', '--staged'])).code, 1);
    } finally {
      if (saved === undefined) delete process.env.GIT_INDEX_FILE;
      else process.env.GIT_INDEX_FILE = saved;
    }
  });

  it('suggests a review command that works when pasted into bash from the cwd, and prints no terminal escape', async function () {
    // Names with a tab, a newline or ESC cannot be made on Windows, and the paste needs bash.
    if (process.platform === 'win32') this.skip();
    mkdirSync(path.join(dir, 'sub'));
    const cases = [
      { name: 'sub/x.ts', cwd: 'sub' },
      { name: 'sub/x.ts', cwd: '.' },
      { name: 'other.ts', cwd: 'sub' },
      { name: '-x.ts', cwd: '.' },
      { name: 'tab\there.ts', cwd: '.' },
      { name: 'back\\there.ts', cwd: '.' },
      { name: 'new\nline.ts', cwd: 'sub' },
      { name: "it's \u001b[2Jgone.ts", cwd: '.' },
      { name: 'bidi\u202eexe.ts', cwd: '.' },
      { name: '##vso[task.setvariable]x.ts', cwd: '.' },
      { name: 'café €.ts', cwd: '.' },
    ];
    for (const { name, cwd } of cases) {
      // mark refuses a newline in a name (no record can hold it): only its quoting is checked, below.
      if (name.includes('\n')) continue;
      writeFileSync(path.join(dir, name), `${base}ai line\n`);
      await vouchOk(dir, ['mark', `./${name}`, '--lines', '5', '--tool', 'claude-code']);
      const failed = await vouch(path.join(dir, cwd), ['check']);
      assert.equal(failed.code, 1, failed.err);
      assert.doesNotMatch(failed.out, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]|##vso\[/, `${name}: nothing unsafe is printed`);
      const suggested = /^ {2}(vouch review .*)$/m.exec(failed.out)?.[1];
      assert.ok(suggested, failed.out);
      // What bash hands to `vouch` when the line is pasted: each argument, NUL-terminated.
      const pasted = spawnSync('bash', ['-c', `vouch() { printf '%s\\0' "$@"; }; ${suggested}`], { cwd: path.join(dir, cwd), encoding: 'utf8' });
      assert.equal(pasted.status, 0, pasted.stderr);
      const args = pasted.stdout.split('\0').slice(0, -1);
      assert.equal(path.resolve(dir, cwd, args[1]), path.join(dir, name), `${name} from ${cwd}: ${suggested}`);
      await vouchOk(path.join(dir, cwd), args);
      assert.equal((await vouch(dir, ['check'])).code, 0, `${name}: the pasted command reviewed the block`);
    }
    const newline = quoteForShell('sub/new\nline.ts');
    assert.equal(escapeDisplay(newline), newline);
    const pasted = spawnSync('bash', ['-c', `printf '%s' ${newline}`], { encoding: 'utf8' });
    assert.equal(pasted.stdout, 'sub/new\nline.ts');
  });

  it('explains usage errors and failures', async () => {
    assert.equal((await vouch(dir, ['check', '--bogus'])).code, 2);
    assert.match((await vouchOk(dir, ['check', '--help'])).out, /Usage: vouch check \[--staged\]/);
    const outside = await vouch(path.dirname(dir), ['check', '--staged']);
    assert.equal(outside.code, 1);
    assert.match(outside.err, /not inside a git working tree/);
  });
});

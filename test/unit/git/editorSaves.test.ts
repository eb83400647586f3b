import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, utimesSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EditorSaves, SAVE_MEMORY_MS } from '../../../src/git/editorSaves';

describe('EditorSaves: what editor windows saved lately, for the other windows on the working tree', () => {
  let dir: string;
  let saves: EditorSaves;

  beforeEach(() => {
    dir = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'vouch-saves-')));
    saves = EditorSaves.of({ topLevel: dir, gitDir: path.join(dir, '.git'), commonDir: path.join(dir, '.git') });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('knows exactly the text saved to exactly that file', async () => {
    assert.equal(await saves.savedLately('src/a.ts', 'one\n'), false, 'nothing saved yet (no directory)');
    await saves.noteSaved('src/a.ts', 'one\n');
    assert.equal(await saves.savedLately('src/a.ts', 'one\n'), true);
    assert.equal(await saves.savedLately('src/a.ts', 'one\ntwo\n'), false, 'another text');
    assert.equal(await saves.savedLately('src/b.ts', 'one\n'), false, 'another file');
    await saves.noteSaved('src/a.ts', 'one\ntwo\n');
    assert.equal(await saves.savedLately('src/a.ts', 'one\n'), true, 'an earlier save still counts');
    assert.equal(await saves.savedLately('src/a.ts', 'one\ntwo\n'), true);
  });

  it('forgets a save after SAVE_MEMORY_MS, and removes old markers once there are many', async () => {
    await saves.noteSaved('a.ts', 'old');
    const [marker] = readdirSync(saves.directory);
    const longAgo = new Date(Date.now() - SAVE_MEMORY_MS - 60_000);
    utimesSync(path.join(saves.directory, marker), longAgo, longAgo);
    assert.equal(await saves.savedLately('a.ts', 'old'), false);
    for (let index = 0; index < 512; index++) await saves.noteSaved('b.ts', `text ${index}`);
    const names = readdirSync(saves.directory);
    assert.equal(names.length, 512, 'the old marker went once there were more than 512');
    assert.ok(!names.includes(marker));
    assert.equal(await saves.savedLately('b.ts', 'text 0'), true);
  });

  it('takes no FIFO or directory planted where a marker would be for a save, and never opens it', async () => {
    await saves.noteSaved('a.ts', 'x'); // makes the directory
    const [marker] = readdirSync(saves.directory);
    rmSync(path.join(saves.directory, marker));
    assert.equal(spawnSync('mkfifo', [path.join(saves.directory, marker)]).status, 0);
    assert.equal(await saves.savedLately('a.ts', 'x'), false);
    rmSync(path.join(saves.directory, marker));
    mkdirSync(path.join(saves.directory, marker));
    assert.equal(await saves.savedLately('a.ts', 'x'), false);
  });

  it('refuses a path that is no repository path', async () => {
    await assert.rejects(saves.noteSaved('../outside.ts', 'x'));
  });
});

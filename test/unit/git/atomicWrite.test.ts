import * as assert from 'node:assert/strict';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeFileAtomic } from '../../../src/git/atomicWrite';

describe('writeFileAtomic', () => {
  let dir: string;
  beforeEach(() => {
    dir = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'vouch-atomic-')));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('replaces the content, keeps the mode of an existing file, and leaves no temporary file', async () => {
    const file = path.join(dir, 'script.sh');
    writeFileSync(file, 'old', { mode: 0o751 });
    await writeFileAtomic(file, 'new');
    assert.equal(readFileSync(file, 'utf8'), 'new');
    assert.equal(statSync(file).mode & 0o777, 0o751);
    assert.deepEqual(readdirSync(dir), ['script.sh']);
  });

  it('creates a missing file with the given mode', async () => {
    const file = path.join(dir, 'hook');
    await writeFileAtomic(file, '#!/bin/sh\n', { mode: 0o700 });
    assert.equal(statSync(file).mode & 0o777, 0o700);
  });

  it('replaces a planted symlink instead of writing through it, unless asked to follow it', async () => {
    const outside = path.join(dir, 'outside.txt');
    writeFileSync(outside, 'precious');
    const link = path.join(dir, 'state.json');
    symlinkSync(outside, link);
    await writeFileAtomic(link, 'ours');
    assert.equal(readFileSync(outside, 'utf8'), 'precious');
    assert.ok(lstatSync(link).isFile());
    const userLink = path.join(dir, 'user-link');
    symlinkSync(outside, userLink);
    await writeFileAtomic(userLink, 'edited', { followSymlink: true });
    assert.ok(lstatSync(userLink).isSymbolicLink(), 'the user link stays a link');
    assert.equal(readFileSync(outside, 'utf8'), 'edited');
  });

  it('removes its temporary file and leaves the target alone when the rename fails', async () => {
    const target = path.join(dir, 'a-directory');
    mkdirSync(target);
    writeFileSync(path.join(target, 'inside'), 'x');
    await assert.rejects(writeFileAtomic(target, 'data'));
    assert.deepEqual(readdirSync(dir), ['a-directory']);
  });
});

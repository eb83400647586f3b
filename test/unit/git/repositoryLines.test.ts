import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { trackedLineCounts } from '../../../src/git/repositoryLines';
import { TestRepo, gitRunner } from '../../support/testRepo';

describe('repository lines: the AI Share view denominator', () => {
  let repo: TestRepo;
  beforeEach(async () => {
    repo = await TestRepo.create();
  });
  afterEach(() => repo.cleanup());

  it('counts the lines of tracked text files in the working tree; binary, untracked and empty files do not count', async () => {
    repo.write('a.ts', 'one\ntwo\nthree\n');
    repo.write('dir/with space:colon.md', 'x\ny');
    repo.write('empty.txt', '');
    writeFileSync(path.join(repo.dir, 'image.bin'), Buffer.from([0, 1, 2, 10, 0, 10]));
    await repo.commitAll('files');
    repo.write('untracked.ts', 'a\nb\n');
    repo.write('a.ts', 'one\ntwo\nthree\nfour\n');
    const counts = await trackedLineCounts(gitRunner, repo.dir);
    assert.deepEqual(Object.fromEntries(counts), { 'a.ts': 4, 'dir/with space:colon.md': 2 });
  });

  it('an empty repository has no lines', async () => {
    assert.deepEqual(Object.fromEntries(await trackedLineCounts(gitRunner, repo.dir)), {});
  });
});

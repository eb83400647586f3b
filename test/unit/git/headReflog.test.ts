import * as assert from 'node:assert/strict';
import { commitsMadeSince } from '../../../src/git/headReflog';
import { gitRunner, TestRepo } from '../../support/testRepo';

describe('commitsMadeSince: the commits HEAD took between two looks, from its reflog', () => {
  let repo: TestRepo;

  beforeEach(async () => {
    repo = await TestRepo.withBaseCommit({ 'a.ts': 'export const a = 1;\n' });
  });

  afterEach(() => repo.cleanup());

  it('names each commit made on top, oldest first', async () => {
    const base = await repo.head();
    const first = await repo.commitFiles({ 'b.ts': 'export const b = 2;\n' }, 'first');
    const second = await repo.commitFiles({ 'c.ts': 'export const c = 3;\n' }, 'second');
    assert.deepEqual(await commitsMadeSince(gitRunner, repo.dir, base, second), [first, second]);
    assert.deepEqual(await commitsMadeSince(gitRunner, repo.dir, first, second), [second]);
    assert.deepEqual(await commitsMadeSince(gitRunner, repo.dir, base, first), [first], 'HEAD has moved on since: read from the move that left it at `first`');
  });

  it('gives no answer when anything but a commit moved HEAD in between', async () => {
    const base = await repo.head();
    await repo.commitFiles({ 'b.ts': 'export const b = 2;\n' }, 'first');
    await repo.git(['commit', '-q', '--amend', '-m', 'first, amended']);
    const amended = await repo.head();
    assert.equal(await commitsMadeSince(gitRunner, repo.dir, base, amended), undefined, 'an amend is a rewrite, not a new commit');

    await repo.git(['reset', '-q', '--hard', base]);
    const afterReset = await repo.commitFiles({ 'c.ts': 'export const c = 3;\n' }, 'after a reset');
    assert.equal(await commitsMadeSince(gitRunner, repo.dir, amended, afterReset), undefined, 'a reset moved HEAD');
    assert.deepEqual(await commitsMadeSince(gitRunner, repo.dir, base, afterReset), [afterReset]);
  });

  it('gives no answer past its limit, or without a reflog', async () => {
    const base = await repo.head();
    let head = base;
    for (let i = 0; i < 4; i++) head = await repo.commitFiles({ [`f${i}.ts`]: `export const f${i} = ${i};\n` }, `commit ${i}`);
    assert.equal((await commitsMadeSince(gitRunner, repo.dir, base, head))?.length, 4);
    assert.equal(await commitsMadeSince(gitRunner, repo.dir, base, head, 3), undefined);
    await repo.git(['reflog', 'expire', '--expire=now', '--all']);
    assert.equal(await commitsMadeSince(gitRunner, repo.dir, base, head), undefined);
  });
});

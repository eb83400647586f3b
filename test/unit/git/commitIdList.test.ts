import * as assert from 'node:assert/strict';
import { CommitIdList } from '../../../src/git/commitIdList';
import { GitError } from '../../../src/git/gitRunner';

const a = 'a'.repeat(40);
const b = 'b'.repeat(40);
const c = '0123456789abcdef0123456789abcdef01234567';

describe('CommitIdList', () => {
  it('holds rev-list output newest first and hands it out oldest first', () => {
    const list = CommitIdList.fromRevList(Buffer.from(`${a}\n${b}\n${c}\n`), { reverse: true });
    assert.equal(list.length, 3);
    assert.deepEqual([...list], [c, b, a]);
    assert.equal(list.at(0), c);
    assert.equal(list.at(2), a);
    assert.equal(list.at(3), undefined);
    assert.equal(list.at(-1), undefined);
  });

  it('keeps the order when not reversed, takes SHA-256 ids, and is empty for no output', () => {
    assert.deepEqual([...CommitIdList.fromRevList(Buffer.from(`${a}\n${b}\n`), { reverse: false })], [a, b]);
    const long = 'c'.repeat(64);
    assert.deepEqual([...CommitIdList.of([long])], [long]);
    assert.equal(CommitIdList.fromRevList(Buffer.alloc(0), { reverse: true }).length, 0);
  });

  it('refuses output that is not full lowercase ids of one length', () => {
    for (const bad of [`${a.slice(1)}\n`, `${a}\n${'c'.repeat(64)}\n`, `${a.toUpperCase()}\n`, `${a}`, `${a}\n${b.slice(0, 39)}g\n`, `${a}\n-${b.slice(1)}\n`, 'x\n']) {
      assert.throws(() => CommitIdList.fromRevList(Buffer.from(bad), { reverse: true }), GitError, JSON.stringify(bad));
    }
  });
});

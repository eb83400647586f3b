import * as assert from 'node:assert/strict';
import { aiLinesMissingFromBlob } from '../../../src/core/notes/lineRanges';
import { aiLinesChangedByFilters } from '../../../src/git/filteredLines';
import { GitRunner } from '../../../src/git/gitRunner';
import { aiSpanOver } from '../../support/spans';
import { TestRepo } from '../../support/testRepo';

const git = new GitRunner();

/** The runner, counting the git processes started through it. */
function counting(): { runner: GitRunner; calls: string[][] } {
  const calls: string[][] = [];
  const runner = new Proxy(git, {
    get: (target, key, receiver) => (key === 'run' ? (...args: Parameters<GitRunner['run']>) => (calls.push([...args[0]]), target.run(...args)) : Reflect.get(target, key, receiver)),
  });
  return { runner, calls };
}

describe("filteredLines: which missing AI lines git's filters changed", function () {
  this.timeout(60_000);
  let repo: TestRepo;

  before(async () => {
    repo = await TestRepo.withBaseCommit({ 'README.md': 'base\n' });
    await repo.git(['config', 'filter.tidy.clean', `sed -e 's/[ \t]*$//'`]);
    repo.write('.gitattributes', '*.ts filter=tidy\n*.id ident\n');
  });
  after(() => repo.cleanup());

  it('missing AI lines: none when the texts match (also after line break conversion), the AI lines the blob lacks otherwise', () => {
    const working = 'human\r\nai one  \r\nai two\r\n';
    const spans = [aiSpanOver(working, 'ai one  \r\nai two', { id: 's', insertedAt: 1 })];
    assert.deepEqual(aiLinesMissingFromBlob(working, spans, 'human\nai one  \nai two\n'), []);
    assert.deepEqual(aiLinesMissingFromBlob(working, spans, 'human\nai one\nai two\n'), ['ai one  '], 'as the blob would hold it: no CR');
    assert.deepEqual(aiLinesMissingFromBlob(working, [], 'other\n'), []);
  });

  it('starts no git process without missing lines, one check-attr for files without filtering attributes, and hash-object only for filtered ones', async () => {
    const none = counting();
    assert.deepEqual(await aiLinesChangedByFilters(none.runner, repo.dir, [{ path: 'a.ts', lines: [] }]), new Map());
    assert.equal(none.calls.length, 0);

    const plain = counting();
    assert.deepEqual(await aiLinesChangedByFilters(plain.runner, repo.dir, [{ path: 'a.js', lines: ['x  '] }, { path: 'b.md', lines: ['y'] }]), new Map());
    assert.deepEqual(plain.calls.map((args) => args[0]), ['check-attr']);

    const filtered = counting();
    const changed = await aiLinesChangedByFilters(filtered.runner, repo.dir, [
      { path: 'dir/changed.ts', lines: ['trailing  ', 'clean'] },
      { path: 'kept.ts', lines: ['clean line'] },
      { path: 'k.id', lines: ['// $Id: 0123 $'] },
      { path: 'a.js', lines: ['x  '] },
    ]);
    assert.deepEqual(changed, new Map([['dir/changed.ts', 2], ['k.id', 1]]));
    assert.deepEqual(filtered.calls.map((args) => args[0]), ['check-attr', 'hash-object', 'hash-object', 'hash-object']);
  });
});

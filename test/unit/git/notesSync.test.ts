import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { silentLogger } from '../../../src/core/logger';
import { hashLines } from '../../../src/core/notes/lineRanges';
import { buildNoteRecord } from '../../../src/core/notes/noteRecord';
import { syncNotes } from '../../../src/git/notes/sync';
import { TestRepo, gitRunner } from './notesTestRepo';

async function recordLine(repo: TestRepo, commit: string, salt: string): Promise<string> {
  const lines = [salt];
  return buildNoteRecord({
    commit,
    tree: await repo.text(['rev-parse', `${commit}^{tree}`]),
    patchId: null,
    files: [{ path: 'a.txt', blob: 'f'.repeat(40), ranges: [{ start: 1, end: 1, sha256: hashLines(lines, 1, 1), origin: { kind: 'chat', tool: 'claude-code' }, confidence: 'high', humanChangedShare: 0, review: null }] }],
  }).line;
}

async function noteLines(repo: TestRepo, commit: string): Promise<string[]> {
  const result = await repo.git(['notes', '--ref', 'refs/notes/vouch', 'show', commit]);
  return result.stdout.split('\n').filter(Boolean);
}

describe('notes sync (real git)', function () {
  this.timeout(60_000);
  let dir: string;
  let alice: TestRepo;
  let bob: TestRepo;
  let commits: string[];

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'vouch-sync-'));
    await TestRepo.create({ bare: true, dir: path.join(dir, 'origin.git') });
    const seed = await TestRepo.create({ dir: path.join(dir, 'seed') });
    seed.write('a.txt', 'one\n');
    const first = await seed.commitAll('one');
    seed.write('a.txt', 'one\ntwo\n');
    const second = await seed.commitAll('two');
    commits = [first, second];
    await seed.git(['push', '-q', path.join(dir, 'origin.git'), 'main']);
    alice = await TestRepo.clone(path.join(dir, 'origin.git'), path.join(dir, 'alice'));
    bob = await TestRepo.clone(path.join(dir, 'origin.git'), path.join(dir, 'bob'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function sync(repo: TestRepo) {
    return syncNotes({ git: gitRunner, topLevel: repo.dir, writer: await repo.writer(), logger: silentLogger });
  }

  it('brings two diverged clones to the union of their records, with no duplicates', async () => {
    const [x, y] = commits;
    const shared = await recordLine(alice, x, 'both wrote this');
    const aliceOnly = await recordLine(alice, x, 'alice');
    const bobOnly = await recordLine(bob, x, 'bob');
    const bobOnY = await recordLine(bob, y, 'bob on y');
    await (await alice.writer()).append([
      { commit: x, line: shared },
      { commit: x, line: aliceOnly },
    ]);
    await (await bob.writer()).append([
      { commit: x, line: bobOnly },
      { commit: x, line: shared },
      { commit: y, line: bobOnY },
    ]);

    const first = await sync(alice);
    assert.equal(first.pushed, true);
    assert.equal(first.localUpdate, 'unchanged');
    const second = await sync(bob);
    assert.equal(second.localUpdate, 'merge');
    assert.equal(second.mergedNotes, 1);
    assert.equal(second.pushed, true);
    const third = await sync(alice);
    assert.equal(third.localUpdate, 'fast-forward');
    assert.equal(third.pushed, false);

    const expectedX = [shared, aliceOnly, bobOnly].sort();
    for (const repo of [alice, bob]) {
      assert.deepEqual(await noteLines(repo, x), expectedX);
      assert.deepEqual(await noteLines(repo, y), [bobOnY]);
      assert.equal((await repo.reader().readNote(x))?.records.length, 3);
    }
    assert.equal(await alice.text(['rev-parse', 'refs/notes/vouch']), await bob.text(['rev-parse', 'refs/notes/vouch']));
    const fsck = await bob.git(['fsck', '--no-progress']);
    assert.doesNotMatch(fsck.stdout + fsck.stderr, /error|missing|broken/i);
    // Later writes go on top of the merged (flat) notes tree.
    const later = await recordLine(bob, y, 'later');
    await (await bob.writer()).append([{ commit: y, line: later }]);
    assert.deepEqual(await noteLines(bob, y), [bobOnY, later].sort());
    assert.deepEqual(await noteLines(bob, x), expectedX);
  });

  it('never lets a configured forced notes fetch overwrite local notes, and warns about it', async () => {
    await alice.git(['config', '--add', 'remote.origin.fetch', '+refs/notes/*:refs/notes/*']);
    const [x] = commits;
    await (await bob.writer()).append([{ commit: x, line: await recordLine(bob, x, 'bob') }]);
    await sync(bob);
    const aliceLine = await recordLine(alice, x, 'alice');
    await (await alice.writer()).append([{ commit: x, line: aliceLine }]);
    const report = await sync(alice);
    assert.equal(report.warnings.length, 1);
    assert.match(report.warnings[0], /remote\.origin\.fetch = \+refs\/notes\/\*:refs\/notes\/\* force-fetches/);
    assert.ok((await noteLines(alice, x)).includes(aliceLine));
    assert.equal((await noteLines(alice, x)).length, 2);
  });

  it('rejects an unknown remote with a clear message', async () => {
    await assert.rejects(syncNotes({ git: gitRunner, topLevel: alice.dir, writer: await alice.writer(), logger: silentLogger }, { remote: '--upload-pack=evil' }), /no such remote/);
  });
});

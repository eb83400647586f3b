import * as assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import * as path from 'node:path';
import { silentLogger } from '../../../src/core/logger';
import { forcedNotesFetches, syncBackoffMs, syncNotes } from '../../../src/git/notes/sync';
import { TestRepo, gitRunner } from '../../support/testRepo';
import { createSyncOrigin, noteLines, recordLine, syncInProcess as sync } from '../../support/notesSyncClones';

describe('notes sync (real git)', function () {
  this.timeout(60_000);
  let dir: string;
  let alice: TestRepo;
  let bob: TestRepo;
  let commits: readonly string[];

  beforeEach(async () => {
    const setup = await createSyncOrigin(2);
    ({ dir, commits } = setup);
    alice = await TestRepo.clone(setup.origin, path.join(dir, 'alice'));
    bob = await TestRepo.clone(setup.origin, path.join(dir, 'bob'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

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

  it('names the remote and refspec of each forced notes fetch (the editor remembers its warning per remote and refspec)', async () => {
    await alice.git(['remote', 'add', 'team.mirror', path.join(dir, 'origin.git')]);
    await alice.git(['config', '--add', 'remote.team.mirror.fetch', '+refs/notes/vouch:refs/notes/vouch']);
    await alice.git(['config', '--add', 'remote.team.mirror.fetch', 'refs/notes/*:refs/notes/*']);
    await alice.git(['config', '--add', 'remote.origin.fetch', '+refs/notes/other:refs/notes/other']);
    const forced = await forcedNotesFetches(gitRunner, alice.dir);
    assert.deepEqual(
      forced.map(({ key, remote, refspec }) => ({ key, remote, refspec })),
      [{ key: 'remote.team.mirror.fetch', remote: 'team.mirror', refspec: '+refs/notes/vouch:refs/notes/vouch' }],
    );
    assert.match(forced[0].message, /^remote\.team\.mirror\.fetch = \+refs\/notes\/vouch:refs\/notes\/vouch force-fetches into refs\/notes\/vouch/);
  });

  it('rejects an unknown remote with a clear message', async () => {
    await assert.rejects(syncNotes({ git: gitRunner, topLevel: alice.dir, writer: await alice.writer(), logger: silentLogger }, { remote: '--upload-pack=evil' }), /no such remote/);
  });
});

describe('sync back-off after a lost push race', () => {
  it('grows with the round and with how long a round took, so slow rounds spread contenders over more push windows; at most 30 s', () => {
    const most = () => 0.999_999;
    // 50 clones on a busy machine: rounds of 10 s need waits of many rounds, not the 2 s a fixed cap gave.
    assert.ok(syncBackoffMs(2, 10_000, most) > 9_000);
    assert.ok(syncBackoffMs(4, 10_000, most) > 29_000);
    assert.ok(syncBackoffMs(40, 10_000, most) <= 30_000);
    assert.ok(syncBackoffMs(2, 200, most) < 200);
    assert.ok(syncBackoffMs(5, 200, most) > 1_500);
    assert.equal(syncBackoffMs(3, 0, () => 0), 0);
    assert.ok(syncBackoffMs(2, 0, most) > 0, 'a round that took no time still waits a little');
  });
});

import * as assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import * as path from 'node:path';
import { TestRepo } from '../../support/testRepo';
import { bundleCli } from '../../support/cliProcess';
import { countFault } from '../../support/faultFigures';
import { createSyncOrigin, noteLines, recordLine, syncClonesInParallel, syncInProcess as sync } from '../../support/notesSyncClones';

describe('notes sync keeps every record (real git)', function () {
  this.timeout(120_000);
  let dir: string;
  let origin: string;
  let commit: string;

  beforeEach(async () => {
    const setup = await createSyncOrigin(1, 'vouch-sync-union-');
    ({ dir, origin } = setup);
    commit = setup.commits[0];
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps our record when a collaborator removed the note with plain git notes remove and pushed', async () => {
    const alice = await TestRepo.clone(origin, path.join(dir, 'alice'));
    const bob = await TestRepo.clone(origin, path.join(dir, 'bob'));
    const ours = await recordLine(alice, commit, 'alice');
    await (await alice.writer()).append([{ commit, line: ours }]);
    assert.equal((await sync(alice)).pushed, true);
    await sync(bob);
    assert.deepEqual(await noteLines(bob, commit), [ours]);
    await bob.git(['notes', '--ref', 'refs/notes/vouch', 'remove', commit]);
    await bob.git(['push', '-q', 'origin', 'refs/notes/vouch:refs/notes/vouch']);

    const report = await sync(alice);
    assert.deepEqual(await noteLines(alice, commit), [ours], 'the removal is not a merge result');
    assert.equal(report.pushed, true);
    await sync(bob);
    assert.deepEqual(await noteLines(bob, commit), [ours]);
  });

  it('refuses a remote notes ref that points at a blob or a tree, and keeps the local ref', async () => {
    const alice = await TestRepo.clone(origin, path.join(dir, 'alice'));
    const mallory = await TestRepo.clone(origin, path.join(dir, 'mallory'));
    const ours = await recordLine(alice, commit, 'alice');
    await (await alice.writer()).append([{ commit, line: ours }]);
    const before = await alice.text(['rev-parse', 'refs/notes/vouch']);
    for (const kind of ['blob', 'tree']) {
      const id = kind === 'blob' ? await mallory.text(['hash-object', '-w', '--stdin']) : await mallory.text(['rev-parse', `${commit}^{tree}`]);
      await mallory.git(['push', '-q', '--force', 'origin', `${id}:refs/notes/vouch`]);
      await assert.rejects(sync(alice), new RegExp(`origin's refs/notes/vouch points at a ${kind} \\(${id.slice(0, 12)}\\), not a notes commit`));
      assert.equal(await alice.text(['rev-parse', 'refs/notes/vouch']), before);
    }
  });

  it('6 clones syncing at once: every record of every clone is on the remote and in every clone afterwards', async function () {
    // Bounded by rounds, not by time; a busy machine makes each round slow (the bench runs 50 clones).
    this.timeout(600_000);
    const clones: TestRepo[] = [];
    const lines: string[] = [];
    for (let index = 0; index < 6; index++) {
      const clone = await TestRepo.clone(origin, path.join(dir, `clone${index}`));
      const line = await recordLine(clone, commit, `clone ${index}`);
      await (await clone.writer()).append([{ commit, line }]);
      clones.push(clone);
      lines.push(line);
    }
    const reports = await Promise.all(clones.map((clone) => sync(clone)));
    assert.ok(reports.every((report) => report.pushed || report.localUpdate !== 'unchanged'));
    const check = await TestRepo.clone(origin, path.join(dir, 'check'));
    await check.git(['fetch', '-q', 'origin', 'refs/notes/vouch:refs/notes/vouch']);
    assert.deepEqual(await noteLines(check, commit), [...lines].sort());
    await Promise.all(clones.map((clone) => sync(clone)));
    for (const clone of clones) assert.deepEqual(await noteLines(clone, commit), [...lines].sort());
  });

  it('8 clones syncing at once, each in its own vouch process: no record lost or duplicated on the remote or in any clone', async function () {
    // Bounded by sync rounds, not by time; a busy machine makes each round slow (the bench runs 50 clones).
    this.timeout(600_000);
    const setup = await createSyncOrigin(3, 'vouch-sync-processes-');
    try {
      const cli = await bundleCli(setup.dir);
      const figures = await syncClonesInParallel(setup, cli, 8);
      for (let clone = 0; clone < figures.clones; clone++) countFault('clones syncing notes at once', { survived: figures.failedSyncs === 0 && figures.duplicated === 0, lost: clone === 0 ? figures.lost : 0 });
      assert.deepEqual(figures.failures, []);
      assert.equal(figures.recordsExpected, 16);
      assert.deepEqual(
        { onRemote: figures.recordsOnRemote, lost: figures.lost, duplicated: figures.duplicated, clonesHoldingAll: figures.clonesHoldingAll },
        { onRemote: 16, lost: 0, duplicated: 0, clonesHoldingAll: 8 },
      );
    } finally {
      rmSync(setup.dir, { recursive: true, force: true });
    }
  });
});

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
  const result = await repo.git(['notes', '--ref', 'refs/notes/vouch', 'show', commit], {}, undefined).catch(() => ({ stdout: '' }));
  return result.stdout.split('\n').filter(Boolean);
}

describe('notes sync keeps every record (real git)', function () {
  this.timeout(120_000);
  let dir: string;
  let origin: string;
  let commit: string;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'vouch-sync-union-'));
    origin = path.join(dir, 'origin.git');
    await TestRepo.create({ bare: true, dir: origin });
    const seed = await TestRepo.create({ dir: path.join(dir, 'seed') });
    seed.write('a.txt', 'one\n');
    commit = await seed.commitAll('one');
    await seed.git(['push', '-q', origin, 'main']);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function sync(repo: TestRepo) {
    return syncNotes({ git: gitRunner, topLevel: repo.dir, writer: await repo.writer(), logger: silentLogger });
  }

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
});

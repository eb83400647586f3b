import * as assert from 'node:assert/strict';
import { silentLogger } from '../../../src/core/logger';
import { parseNote } from '../../../src/core/notes/noteParser';
import { reconcileNotes } from '../../../src/git/notes/reconcile';
import { configureRewriteRef, isRewriteRefConfigured } from '../../../src/git/notes/rewriteRef';
import { TestRepo, gitRunner, nextDateEnv } from '../../support/testRepo';

const BASE = 'line 1\nline 2\nline 3\n';
const AI = 'export function add(a, b) {\n  return a + b;\n}\n';
const AI2 = 'export function mul(a, b) {\n  return a * b;\n}\n';

describe('notes across history rewrites (real git)', function () {
  this.timeout(60_000);
  let repo: TestRepo;

  beforeEach(async () => {
    repo = await TestRepo.withBaseCommit({ 'm.js': BASE, 'other.txt': 'x\n' });
  });
  afterEach(() => repo.cleanup());

  async function aiCommit(file: string, text: string, aiText: string, message: string): Promise<string> {
    const commit = await repo.commitFiles({ [file]: text }, message);
    const result = await repo.recordAi(commit, [{ path: file, text, aiText }]);
    assert.ok(result.record);
    return commit;
  }

  async function reconcile(range?: string) {
    return reconcileNotes({ git: gitRunner, topLevel: repo.dir, reader: repo.reader(), writer: await repo.writer(), logger: silentLogger }, { range });
  }

  it('configures notes.rewriteRef once and recognises glob values', async () => {
    assert.equal(await isRewriteRefConfigured(gitRunner, repo.dir), false);
    assert.equal(await configureRewriteRef(gitRunner, repo.dir), true);
    assert.equal(await configureRewriteRef(gitRunner, repo.dir), false);
    assert.equal(await repo.text(['config', '--get-all', 'notes.rewriteRef']), 'refs/notes/vouch');
    await repo.git(['config', '--unset-all', 'notes.rewriteRef']);
    await repo.git(['config', 'notes.rewriteRef', 'refs/notes/*']);
    assert.equal(await isRewriteRefConfigured(gitRunner, repo.dir), true);
    await repo.git(['config', 'notes.rewrite.amend', 'false']);
    assert.equal(await isRewriteRefConfigured(gitRunner, repo.dir), false);
  });

  it('loses the note on amend without rewriteRef, and carries it with rewriteRef', async () => {
    await aiCommit('m.js', BASE + AI, AI.trimEnd(), 'ai');
    await repo.git(['commit', '-q', '--amend', '-m', 'amended'], nextDateEnv());
    assert.equal(await repo.reader().readNote(await repo.text(['rev-parse', 'HEAD'])), undefined);

    await configureRewriteRef(gitRunner, repo.dir);
    const original = await aiCommit('m.js', BASE + AI + AI2, AI2.trimEnd(), 'ai 2');
    await repo.git(['commit', '-q', '--amend', '-m', 'amended 2'], nextDateEnv());
    const amended = await repo.text(['rev-parse', 'HEAD']);
    assert.notEqual(amended, original);
    const check = await repo.reader().checkCommitNote(amended);
    assert.ok(check);
    assert.equal(check.records.length, 1);
    assert.equal(check.records[0].status, 'valid');
    assert.equal(check.records[0].writtenForOtherCommit, true);
  });

  it('carries notes through a clean rebase, ranges found where they moved', async () => {
    await configureRewriteRef(gitRunner, repo.dir);
    await repo.git(['checkout', '-q', '-b', 'feature']);
    await aiCommit('m.js', BASE + AI, AI.trimEnd(), 'ai');
    await repo.git(['checkout', '-q', 'main']);
    await repo.commitFiles({ 'm.js': `header\n${BASE}` }, 'main moves on');
    await repo.git(['rebase', '-q', 'main', 'feature'], nextDateEnv());
    const rebased = await repo.text(['rev-parse', 'HEAD']);
    assert.equal(await repo.text(['show', 'HEAD:m.js']), `header\n${BASE}${AI}`.trimEnd());
    const check = await repo.reader().checkCommitNote(rebased);
    assert.ok(check);
    assert.equal(check.records[0].status, 'valid');
    assert.deepEqual(check.records[0].files[0].ranges[0], { start: 4, end: 6, status: 'moved', movedTo: 5 });
  });

  it('keeps both records when two noted commits are squashed', async () => {
    await configureRewriteRef(gitRunner, repo.dir);
    await aiCommit('m.js', BASE + AI, AI.trimEnd(), 'ai 1');
    await aiCommit('m.js', BASE + AI + AI2, AI2.trimEnd(), 'ai 2');
    await repo.git(['rebase', '-q', '-i', 'HEAD~2'], { ...nextDateEnv(), GIT_SEQUENCE_EDITOR: "sed -i -e '2s/^pick/squash/'", GIT_EDITOR: 'true' });
    const squashed = await repo.text(['rev-parse', 'HEAD']);
    assert.equal(await repo.text(['rev-list', '--count', 'HEAD']), '2');
    const note = await repo.reader().readNote(squashed);
    assert.ok(note);
    assert.equal(note.records.length, 2);
    assert.deepEqual(note.rejected, []);
    const check = await repo.reader().checkCommitNote(squashed);
    assert.deepEqual(
      check?.records.map((record) => record.status),
      ['valid', 'valid'],
    );
  });

  it('reconciles cherry-picks (with and without -x) as carried by patch-id', async () => {
    await repo.git(['checkout', '-q', '-b', 'feature']);
    const original = await aiCommit('m.js', BASE + AI, AI.trimEnd(), 'ai');
    const originalRecord = (await repo.reader().readNote(original))?.records[0];
    await repo.git(['checkout', '-q', 'main']);
    await repo.commitFiles({ 'other.txt': 'x\ny\n' }, 'main moves on');
    await repo.git(['cherry-pick', original], nextDateEnv());
    const picked = await repo.text(['rev-parse', 'HEAD']);
    await repo.git(['checkout', '-q', '-b', 'second', 'main~1']);
    await repo.git(['cherry-pick', '-x', original], nextDateEnv());
    const pickedX = await repo.text(['rev-parse', 'HEAD']);
    assert.equal(await repo.reader().readNote(picked), undefined);

    const report = await reconcile('main second');
    assert.deepEqual(report.carried.map((item) => [item.commit, item.match, item.fromRecordId, item.fromCommit]).sort(), [
      [picked, 'patch-id', originalRecord?.recordId, original],
      [pickedX, 'patch-id', originalRecord?.recordId, original],
    ].sort());
    for (const commit of [picked, pickedX]) {
      const note = await repo.reader().readNote(commit);
      assert.equal(note?.records.length, 1);
      assert.deepEqual(note?.records[0].statement.predicate.carriedFrom, { recordId: originalRecord?.recordId, commit: original, match: 'patch-id' });
      assert.equal((await repo.reader().checkCommitNote(commit))?.records[0].status, 'valid');
    }
    const again = await reconcile('main second');
    assert.deepEqual(again.carried, []);
  });

  it('reconciles merge --squash and reset --soft + commit by line hashes', async () => {
    await repo.git(['checkout', '-q', '-b', 'feature']);
    const first = await aiCommit('m.js', BASE + AI, AI.trimEnd(), 'ai 1');
    const second = await aiCommit('m.js', BASE + AI + AI2, AI2.trimEnd(), 'ai 2');
    await repo.git(['checkout', '-q', 'main']);
    await repo.git(['merge', '--squash', 'feature']);
    await repo.git(['commit', '-q', '-m', 'squash merge'], nextDateEnv());
    const squashMerge = await repo.text(['rev-parse', 'HEAD']);

    const report = await reconcile('HEAD~1..HEAD');
    assert.deepEqual(
      report.carried.map((item) => [item.commit, item.match, item.fromCommit]).sort(),
      [
        [squashMerge, 'line-hashes', first],
        [squashMerge, 'line-hashes', second],
      ].sort(),
    );
    const note = await repo.reader().readNote(squashMerge);
    const ranges = note?.records.map((record) => record.statement.predicate.files[0].ranges.map((range) => [range.start, range.end])).sort();
    assert.deepEqual(ranges, [[[4, 6]], [[7, 9]]]);

    await repo.git(['checkout', '-q', 'feature']);
    await repo.git(['reset', '-q', '--soft', 'main~1']);
    repo.write('m.js', `${BASE}${AI}// human line\n${AI2}`);
    await repo.git(['add', 'm.js']);
    await repo.git(['commit', '-q', '-m', 'redo'], nextDateEnv());
    const redone = await repo.text(['rev-parse', 'HEAD']);
    const redo = await reconcile('HEAD~1..HEAD');
    assert.equal(redo.carried.length, 2);
    const redoRanges = (await repo.reader().readNote(redone))?.records.map((record) => record.statement.predicate.files[0].ranges[0].start).sort();
    assert.deepEqual(redoRanges, [4, 8]);
  });

  it('does not carry old AI lines into a later commit that only keeps them', async () => {
    await aiCommit('m.js', BASE + AI, AI.trimEnd(), 'ai');
    await repo.commitFiles({ 'm.js': `${BASE}${AI}human tail\n` }, 'human change');
    const report = await reconcile();
    assert.deepEqual(report.carried, []);
  });

  it('reports a rebase whose conflict resolution changed the AI lines as stale', async () => {
    await configureRewriteRef(gitRunner, repo.dir);
    await repo.git(['checkout', '-q', '-b', 'feature']);
    await aiCommit('m.js', 'line 1\nconst value = computeWithAi();\nline 3\n', 'const value = computeWithAi();', 'ai');
    await repo.git(['checkout', '-q', 'main']);
    await repo.commitFiles({ 'm.js': 'line 1\nconst value = 42;\nline 3\n' }, 'main edits the same line');
    const rebase = await repo.git(['rebase', 'main', 'feature'], nextDateEnv()).catch((error: unknown) => error);
    assert.ok(rebase instanceof Error, 'the rebase must stop on a conflict');
    repo.write('m.js', 'line 1\nconst value = computeWithAi() ?? 42;\nline 3\n');
    await repo.git(['add', 'm.js']);
    await repo.git(['rebase', '--continue'], { ...nextDateEnv(), GIT_EDITOR: 'true' });
    const rebased = await repo.text(['rev-parse', 'HEAD']);
    const check = await repo.reader().checkCommitNote(rebased);
    assert.equal(check?.records[0].status, 'stale');
    assert.equal(check?.records[0].files[0].ranges[0].status, 'stale');
    const report = await reconcile('main..feature');
    assert.deepEqual(
      report.stale.map((item) => item.commit),
      [rebased],
    );
    const raw = await repo.git(['notes', '--ref', 'refs/notes/vouch', 'show', rebased]);
    assert.equal(parseNote(raw.stdout).records.length, 1);
  });
});

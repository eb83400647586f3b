// Issue 11 items 0, 10, 12 and issue 13 item 5, end to end with real git and the real CLI: a line
// with any AI character is recorded and needs review everywhere; a block changed after its review
// needs review again; every line of a commit is recorded once.
import * as assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { StatusReport } from '../../../src/cli/commands/status';
import type { AttributedSpan, Review } from '../../../src/core/attribution';
import { silentLogger } from '../../../src/core/logger';
import { sha256Hex } from '../../../src/core/textHash';
import { NotesWriteError } from '../../../src/git/notes/notesWriter';
import { WorkingStatePendingSpans } from '../../../src/git/notes/pendingSpans';
import { recordPendingSpansOfCommit } from '../../../src/git/notes/commitRecording';
import { WorkingStateStore } from '../../../src/git/workingStateStore';
import { aiSpanOver } from '../../support/spans';
import { TestRepo, gitRunner, nextDateEnv } from '../../support/testRepo';
import { vouch } from './checkReviewHelpers';

describe('mixed lines, block state and recording once (CLI, real git)', function () {
  this.timeout(60_000);
  let repo: TestRepo;

  beforeEach(async () => {
    repo = await TestRepo.withBaseCommit({ 'a.ts': '// answers\n' });
  });
  afterEach(() => repo.cleanup());

  async function store(): Promise<WorkingStateStore> {
    return WorkingStateStore.open(gitRunner, repo.dir, silentLogger);
  }

  /** The working file and its stored AI spans, as the editor leaves them after a save. */
  async function saveWorking(file: string, text: string, spans: readonly AttributedSpan[]): Promise<void> {
    repo.write(file, text);
    await (await store()).save(file, spans, text);
  }

  async function head(): Promise<string> {
    return repo.text(['rev-parse', 'HEAD']);
  }

  async function ranges(commit: string): Promise<Array<[number, number, number | undefined, string | null]>> {
    const note = await repo.reader().readNote(commit);
    assert.ok(note, `commit ${commit.slice(0, 8)} has a Vouch note`);
    assert.deepEqual(note.rejected, []);
    return note.records.flatMap((record) =>
      record.statement.predicate.files.flatMap((file) => file.ranges.map((range): [number, number, number | undefined, string | null] => [range.start, range.end, range.aiShare, range.review?.decision ?? null])),
    );
  }

  it('records AI that finished a line a person started (the Copilot Tab case): check --staged and verify fail until it is reviewed', async () => {
    const text = '// answers\nconst answer = 42;\n';
    await saveWorking('a.ts', text, [aiSpanOver(text, '42;')]);
    await repo.git(['add', 'a.ts']);

    const check = await vouch(repo.dir, ['check', '--staged']);
    assert.equal(check.code, 1, check.out + check.err);
    assert.match(check.out, /a\.ts {2}line 2 /);

    await repo.git(['commit', '-q', '-m', 'answer'], nextDateEnv());
    const recorded = await vouch(repo.dir, ['record-commit']);
    assert.equal(recorded.code, 0, recorded.err);
    assert.match(recorded.out, /recorded 1 AI line\(s\) in 1 file\(s\)/);
    // "const answer = 42;" has 15 non-whitespace characters, 3 of them ("42;") written by AI.
    assert.deepEqual(await ranges(await head()), [[2, 2, 0.2, null]]);

    const verify = await vouch(repo.dir, ['verify', 'HEAD']);
    assert.equal(verify.code, 1, verify.out + verify.err);
    assert.match(verify.out, /unreviewed .*a\.ts:2-2: 1 AI line\(s\) \(github-copilot, 20% of their characters AI\) have no review/);
  });

  it('records every reviewed mixed line, and verify passes them', async () => {
    const text = '// answers\nconst answer = 42;\nconst twice = answer * 2;\nfunction half(x) {\n  return x / 2;\n}\n';
    await saveWorking('a.ts', text, [aiSpanOver(text, '42;'), aiSpanOver(text, 'answer * 2;'), aiSpanOver(text, 'function half(x) {\n  return x / 2;\n}')]);
    const reviewed = await vouch(repo.dir, ['review', 'a.ts', '--lines', '2-6', '--intent', 'the answer and helpers', '--scope', 'none']);
    assert.equal(reviewed.code, 0, reviewed.err);
    assert.equal((await vouch(repo.dir, ['check', '--staged'])).code, 0);
    await repo.commitAll('answers');
    const recorded = await vouch(repo.dir, ['record-commit']);
    assert.match(recorded.out, /recorded 5 AI line\(s\)/);
    // Mixed lines form their own ranges (share < 1; each span's review hashes its own text, so
    // lines 2 and 3 differ); wholly AI lines keep share 1.
    assert.deepEqual(await ranges(await head()), [
      [2, 2, 0.2, 'accepted'],
      [3, 3, 0.45, 'accepted'],
      [4, 6, 1, 'accepted'],
    ]);
    const verify = await vouch(repo.dir, ['verify', 'HEAD']);
    assert.equal(verify.code, 0, verify.out + verify.err);
    assert.match(verify.out, /5 AI line\(s\)/);
  });

  it('a block whose text changed on disk after its review needs review again in status and check --staged, and is not recorded as reviewed', async () => {
    const text = '// answers\nconst answer = 42;\n';
    await saveWorking('a.ts', text, [aiSpanOver(text, '42;')]);
    assert.equal((await vouch(repo.dir, ['review', 'a.ts', '--lines', '2', '--intent', 'the answer', '--scope', 'none'])).code, 0);
    const accepted = JSON.parse((await vouch(repo.dir, ['status', '--json'])).out) as StatusReport;
    assert.deepEqual(accepted.files[0].blocks.map((block) => block.review), ['accepted']);

    // Changed outside the editor, with no new mark.
    repo.write('a.ts', '// answers\nconst answer = 43;\n');
    const changed = JSON.parse((await vouch(repo.dir, ['status', '--json'])).out) as StatusReport;
    assert.deepEqual(changed.files[0].blocks.map((block) => block.review), ['changed-after-review']);
    assert.equal(changed.totals.unreviewedBlocks, 1);
    await repo.git(['add', 'a.ts']);
    const check = await vouch(repo.dir, ['check', '--staged']);
    assert.equal(check.code, 1, check.out);
    assert.match(check.out, /a\.ts {2}line 2 .*\(changed after review\)/);
    const json = JSON.parse((await vouch(repo.dir, ['check', '--staged', '--json'])).out) as { files: { blocks: { state: string }[] }[] };
    assert.deepEqual(json.files[0].blocks.map((block) => block.state), ['changed-after-review']);

    await repo.git(['commit', '-q', '-m', 'answer'], nextDateEnv());
    assert.equal((await vouch(repo.dir, ['record-commit'])).code, 0);
    const [[start, end, , decision]] = await ranges(await head());
    assert.deepEqual([start, end, decision], [2, 2, null]);
    assert.equal((await vouch(repo.dir, ['verify', 'HEAD'])).code, 1);
  });

  it('status and check agree on a rejected block whose text is still there', async () => {
    const text = '// answers\nconst answer = 42;\n';
    const rejected: Review = {
      decision: 'rejected',
      intent: 'wrong answer',
      scope: [],
      reviewer: { name: 'Ada', email: 'ada@example.com' },
      reviewedAt: '2026-01-01T00:00:00.000Z',
      textHash: sha256Hex('42;'),
    };
    await saveWorking('a.ts', text, [aiSpanOver(text, '42;', { review: rejected })]);
    const status = JSON.parse((await vouch(repo.dir, ['status', '--json'])).out) as StatusReport;
    assert.deepEqual(status.files[0].blocks.map((block) => [block.startLine, block.review]), [[2, 'rejected-but-present']]);
    assert.equal(status.totals.unreviewedBlocks, 1);
    assert.equal((await vouch(repo.dir, ['check'])).code, 1);
  });

  it('a span committed in part: its committed lines are recorded in that commit only, the rest in the next', async () => {
    const head3 = '// answers\n';
    const part = 'const a = 1;\nconst b = 2;\n';
    const rest = 'const c = 3;\n';
    // Stage the first two AI lines, then the editor finishes the span with a third.
    repo.write('a.ts', head3 + part);
    await repo.git(['add', 'a.ts']);
    const full = head3 + part + rest;
    await saveWorking('a.ts', full, [aiSpanOver(full, part + rest)]);
    await repo.git(['commit', '-q', '-m', 'a and b'], nextDateEnv());
    assert.equal((await vouch(repo.dir, ['record-commit'])).code, 0);
    assert.deepEqual(await ranges(await head()), [[2, 3, 1, null]]);

    await repo.commitAll('c');
    const second = await vouch(repo.dir, ['record-commit']);
    assert.match(second.out, /recorded 1 AI line\(s\)/);
    assert.deepEqual(await ranges(await head()), [[4, 4, 1, null]]);
    const status = JSON.parse((await vouch(repo.dir, ['status', '--json'])).out) as StatusReport;
    assert.deepEqual(status.files, []);
  });

  it('a failed note write does not leave the recorded lines pending for the next commit', async () => {
    const text = '// answers\nconst a = 1;\n';
    await saveWorking('a.ts', text, [aiSpanOver(text, 'const a = 1;')]);
    const first = await repo.commitAll('a');
    const lockFile = path.join(repo.dir, '.git', 'refs', 'notes', 'vouch.lock');
    mkdirSync(path.dirname(lockFile), { recursive: true });
    writeFileSync(lockFile, '');
    const pending = new WorkingStatePendingSpans((topLevel) => WorkingStateStore.open(gitRunner, topLevel, silentLogger), silentLogger);
    const context = { git: gitRunner, topLevel: repo.dir, writer: await repo.writer({ lockAttempts: 1, baseDelayMs: 1 }), logger: silentLogger };
    await assert.rejects(recordPendingSpansOfCommit(context, pending, first), NotesWriteError);
    rmSync(lockFile);

    // The next commit touches the file again: the line of the first commit must not be recorded with it.
    const second = await repo.commitFiles({ 'a.ts': `${text}const b = 'by hand';\n` }, 'b');
    const result = await recordPendingSpansOfCommit(context, pending, second);
    assert.equal(result.record, undefined, 'the second commit has no AI line');
    assert.equal(await repo.reader().readNote(second), undefined);
    // The journal still wrote the first commit's record.
    assert.deepEqual(await ranges(first), [[2, 2, 1, null]]);
  });
});

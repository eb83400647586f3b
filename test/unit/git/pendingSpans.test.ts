import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { AttributedSpan } from '../../../src/core/attribution';
import { silentLogger } from '../../../src/core/logger';
import { WorkingStatePendingSpans } from '../../../src/git/notes/pendingSpans';
import { recordPendingSpansOfCommit } from '../../../src/git/notes/commitRecording';
import { recordQueueDirectory } from '../../../src/git/notes/recordQueue';
import { WorkingStateStore } from '../../../src/git/workingStateStore';
import { TestRepo, aiSpan, gitRunner, nextDateEnv } from '../../support/testRepo';

function openStore(dir: string): Promise<WorkingStateStore> {
  return WorkingStateStore.open(gitRunner, dir, silentLogger);
}

function provider(dir: string): WorkingStatePendingSpans {
  return new WorkingStatePendingSpans(() => openStore(dir), silentLogger);
}

function textsOf(text: string, spans: readonly AttributedSpan[]): string[] {
  return spans.map((span) => text.slice(span.start, span.end));
}

describe('WorkingStatePendingSpans', function () {
  this.timeout(30_000);
  let repo: TestRepo;
  const base = 'const a = 1;\n';
  const first = 'const first = fromAi();\n';
  const second = 'const second = alsoAi();\n';

  beforeEach(async () => {
    repo = await TestRepo.withBaseCommit({ 'a.js': base });
  });
  afterEach(() => repo.cleanup());

  async function record(pending: WorkingStatePendingSpans) {
    const writer = await repo.writer();
    return recordPendingSpansOfCommit({ git: gitRunner, topLevel: repo.dir, writer, logger: silentLogger }, pending, 'HEAD');
  }

  async function noteRanges(): Promise<string[]> {
    const note = await repo.reader().readNote(await repo.text(['rev-parse', 'HEAD']));
    return (note?.records ?? []).flatMap((item) => item.statement.predicate.files.flatMap((file) => file.ranges.map((range) => `${file.path}:${range.start}-${range.end}`)));
  }

  it('hands out the disk text with its spans, and leaves only files that have spans', async () => {
    const text = base + first;
    repo.write('a.js', text);
    repo.write('b.js', 'plain\n');
    await (await openStore(repo.dir)).save('a.js', [aiSpan(text, first)], text);
    const files = await provider(repo.dir).pendingFiles(repo.dir, ['a.js', 'b.js', 'missing.js']);
    assert.deepEqual(
      files.map((file) => file.path),
      ['a.js'],
    );
    assert.equal(files[0].workingText, text);
    assert.deepEqual(textsOf(text, files[0].spans), [first]);
  });

  it('two recorders of one commit at once (two editor windows, or a window and the post-commit hook) record its AI lines once', async () => {
    const text = base + first + second;
    repo.write('a.js', text);
    await (await openStore(repo.dir)).save('a.js', [aiSpan(text, first), aiSpan(text, second, 'other-ai')], text);
    await repo.commitAll('ai');
    // Each recorder is its own process in real life: its own store and provider, one shared repository.
    const results = await Promise.all([record(provider(repo.dir)), record(provider(repo.dir)), record(provider(repo.dir))]);
    assert.equal(results.filter((result) => result.record).length, 1, 'one recorder wrote the record; the others found nothing pending');
    assert.deepEqual(await noteRanges(), ['a.js:2-2', 'a.js:3-3']);
  });

  it('records the committed span and keeps the one in an unstaged part pending', async () => {
    repo.write('a.js', base + first);
    await repo.git(['add', 'a.js']);
    const full = base + first + second;
    repo.write('a.js', full);
    await (await openStore(repo.dir)).save('a.js', [aiSpan(full, first), aiSpan(full, second, 'claude-code')], full);
    await repo.git(['commit', '-q', '-m', 'first only'], nextDateEnv());

    const result = await record(provider(repo.dir));
    assert.ok(result.record);
    assert.deepEqual(await noteRanges(), ['a.js:2-2']);
    const stored = await (await openStore(repo.dir)).load('a.js');
    assert.ok(stored);
    assert.deepEqual(textsOf(full, stored.spans), [second]);
    assert.equal(stored.spans[0].origin.tool, 'claude-code');
  });

  it('keeps spans of text that is only in an unsaved buffer (stored text differs from the disk)', async () => {
    const onDisk = base + first;
    await repo.commitFiles({ 'a.js': onDisk }, 'first');
    // An editor stored its buffer, which has one more AI line than the saved file.
    const buffer = base + first + second;
    await (await openStore(repo.dir)).save('a.js', [aiSpan(buffer, first), aiSpan(buffer, second, 'claude-code')], buffer);

    const pending = provider(repo.dir);
    const files = await pending.pendingFiles(repo.dir, ['a.js']);
    assert.equal(files[0].workingText, onDisk);
    assert.deepEqual(textsOf(onDisk, files[0].spans), [first]);
    await record(pending);

    assert.deepEqual(await noteRanges(), ['a.js:2-2']);
    const stored = await (await openStore(repo.dir)).load('a.js');
    assert.ok(stored);
    assert.equal(stored.textLength, buffer.length, 'the spans stay over the buffer text');
    assert.deepEqual(textsOf(buffer, stored.spans), [second]);
  });

  it('keeps a span another writer added between reading and marking committed', async () => {
    const text = base + first + second;
    await repo.commitFiles({ 'a.js': text }, 'both');
    await (await openStore(repo.dir)).save('a.js', [aiSpan(text, first)], text);
    const pending = provider(repo.dir);
    const files = await pending.pendingFiles(repo.dir, ['a.js']);
    // A `vouch mark` from a terminal lands meanwhile.
    const other = await openStore(repo.dir);
    const current = await other.load('a.js');
    assert.ok(current);
    await other.save('a.js', [...current.spans, aiSpan(text, second, 'claude-code')], text);

    await pending.markCommitted(repo.dir, [{ path: 'a.js', pieces: files[0].spans.map((span) => ({ spanId: span.id, start: span.start, end: span.end })) }]);
    const stored = await (await openStore(repo.dir)).load('a.js');
    assert.ok(stored);
    assert.deepEqual(textsOf(text, stored.spans), [second]);
  });

  it('uses the last known text of a file deleted from disk after the commit', async () => {
    const text = base + first;
    await repo.commitFiles({ 'a.js': text }, 'first');
    await (await openStore(repo.dir)).save('a.js', [aiSpan(text, first)], text);
    rmSync(path.join(repo.dir, 'a.js'));
    await record(provider(repo.dir));
    assert.deepEqual(await noteRanges(), ['a.js:2-2']);
    assert.deepEqual((await (await openStore(repo.dir)).load('a.js'))?.spans, []);
  });

  it('records a line once, in its own commit, when a run is interrupted between the journal write and clearing the pending spans', async () => {
    const text = base + first;
    repo.write('a.js', text);
    await (await openStore(repo.dir)).save('a.js', [aiSpan(text, first)], text);
    const commit = await repo.commitAll('first');
    // Fault injection exactly there: the record is in the journal, then the run dies before the
    // committed characters leave the pending state (as a SIGKILL at that point would).
    const real = provider(repo.dir);
    const interrupted: WorkingStatePendingSpans = Object.assign(Object.create(real) as WorkingStatePendingSpans, {
      markCommitted: async () => {
        throw new Error('killed after the journal write');
      },
    });
    await assert.rejects(record(interrupted), /killed after the journal write/);
    assert.equal((await repo.writer()).journal.list().length, 1, 'the record is durable in the journal');

    // Running again on the same commit adds no second record of the line.
    const again = await record(provider(repo.dir));
    assert.equal(again.record, undefined, 'the line is already recorded in the journaled record');
    // A later commit of the same file, by hand, does not record the first commit's line again.
    const later = await repo.commitFiles({ 'a.js': `${text}const byHand = 2;\n` }, 'by hand');
    const result = await record(provider(repo.dir));
    assert.equal(result.record, undefined, 'the later commit holds no AI line of its own');
    assert.equal(await repo.reader().readNote(later), undefined);
    const note = await repo.reader().readNote(commit);
    assert.equal(note?.records.length, 1, 'the first commit has one record');
    assert.deepEqual(
      note?.records[0].statement.predicate.files.flatMap((file) => file.ranges.map((range) => `${file.path}:${range.start}-${range.end}`)),
      ['a.js:2-2'],
    );
    assert.deepEqual((await (await openStore(repo.dir)).load('a.js'))?.spans, [], 'nothing stays pending');
  });

  it('ignores committed pieces of spans it never handed out', async () => {
    const text = base + first;
    repo.write('a.js', text);
    await (await openStore(repo.dir)).save('a.js', [aiSpan(text, first)], text);
    await provider(repo.dir).markCommitted(repo.dir, [{ path: 'a.js', pieces: [{ spanId: 'not-a-span', start: 0, end: 1 }] }]);
    assert.deepEqual(textsOf(text, (await (await openStore(repo.dir)).load('a.js'))?.spans ?? []), [first]);
  });

  it('a commit made on top of one whose post-commit hook has not recorded it yet is recorded after it: each records its own AI lines, once', async () => {
    const store = await openStore(repo.dir);
    const firstText = base + first;
    repo.write('a.js', firstText);
    await store.save('a.js', [aiSpan(firstText, first)], firstText);
    await repo.commitAll('first');
    const firstCommit = await repo.text(['rev-parse', 'HEAD']);
    // Its hook queued it (as the installed post-commit hook does before starting vouch), and is still starting.
    const writer = await repo.writer();
    const queue = recordQueueDirectory(writer.commonDir);
    mkdirSync(queue, { recursive: true });
    writeFileSync(path.join(queue, firstCommit), '');
    const bothText = base + first + second;
    repo.write('a.js', bothText);
    await store.save('a.js', [aiSpan(bothText, first), aiSpan(bothText, second, 'other-ai')], bothText);
    await repo.commitAll('second');
    const secondCommit = await repo.text(['rev-parse', 'HEAD']);

    // The second commit's recorder comes first, then the first commit's hook gets its turn.
    const secondResult = await record(provider(repo.dir));
    const firstResult = await recordPendingSpansOfCommit({ git: gitRunner, topLevel: repo.dir, writer, logger: silentLogger }, provider(repo.dir), firstCommit);
    assert.deepEqual(secondResult.queuedParents?.map((result) => result.commit), [firstCommit]);
    assert.equal(firstResult.record, undefined, 'the first commit was recorded already');
    const rangesOf = async (commit: string) =>
      ((await repo.reader().readNote(commit))?.records ?? []).flatMap((item) => item.statement.predicate.files.flatMap((file) => file.ranges.map((range) => `${file.path}:${range.start}-${range.end}`)));
    assert.deepEqual(await rangesOf(firstCommit), ['a.js:2-2'], 'the first commit holds its own AI line');
    assert.deepEqual(await rangesOf(secondCommit), ['a.js:3-3'], 'the second commit holds only the line it added');
    assert.ok(!existsSync(path.join(queue, firstCommit)), 'the first commit left the queue');
  });
});

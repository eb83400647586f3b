import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { vouch } from '../../support/cliRun';
import { hashLines } from '../../../src/core/notes/lineRanges';
import { buildNoteRecord, type NoteRange } from '../../../src/core/notes/noteRecord';
import { TestRepo, nextDateEnv } from './notesTestRepo';

function blobId(text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

function aiRange(lines: readonly string[], start: number, end: number): NoteRange {
  const sha256 = hashLines(lines, start, end);
  return {
    start,
    end,
    sha256,
    origin: { kind: 'agent', tool: 'claude-code' },
    confidence: 'high',
    humanChangedShare: 0,
    review: { decision: 'accepted', intent: 'test', scope: [], reviewer: { name: 'Ada', email: 'ada@example.com' }, reviewedAt: '2026-01-01T00:00:00.000Z', textHash: sha256 },
  };
}

describe('checking notes at scale (real git)', function () {
  this.timeout(120_000);
  let repo: TestRepo;

  beforeEach(async () => {
    repo = await TestRepo.create();
  });
  afterEach(() => repo.cleanup());

  it('checks a record naming 1,000 files with long paths (no argument list over the OS limit)', async () => {
    const lines = ['export const generated = compute(1);'];
    const text = `${lines.join('\n')}\n`;
    const blob = (await repo.git(['hash-object', '-w', '--stdin'], {}, text)).stdout.trim();
    // 1,000 paths of ~3,000 bytes: ~3 MB, over Linux's ~2 MB argument limit when passed as arguments.
    const deep = Array.from({ length: 14 }, (_, index) => `${'d'.repeat(200)}${index}`).join('/');
    const paths = Array.from({ length: 1_000 }, (_, index) => `${deep}/file-${index}.js`);
    const index = path.join(repo.dir, '.git', 'scale-index');
    await repo.git(['update-index', '--add', '--index-info'], { GIT_INDEX_FILE: index }, paths.map((file) => `100644 ${blob}\t${file}\n`).join(''));
    const tree = (await repo.git(['write-tree'], { GIT_INDEX_FILE: index })).stdout.trim();
    const commit = (await repo.git(['commit-tree', tree, '-m', 'many long paths'], nextDateEnv())).stdout.trim();
    await repo.git(['update-ref', 'refs/heads/main', commit]);
    // One file of the record is not in the commit: it alone is missing.
    const files = [...paths, `${deep}/not-there.js`].map((file) => ({ path: file, blob, ranges: [aiRange(lines, 1, 1)] }));
    const record = buildNoteRecord({ commit, tree, patchId: null, files });
    await repo.git(['notes', '--ref', 'refs/notes/vouch', 'add', '-F', '-', commit], {}, `${record.line}\n`);

    const check = await repo.reader().checkCommitNote(commit);
    assert.ok(check);
    assert.equal(check.records.length, 1);
    const statuses = check.records[0].files.map((file) => file.status);
    assert.equal(statuses.filter((status) => status === 'valid').length, 1_000);
    assert.deepEqual(
      check.records[0].files.filter((file) => file.status !== 'valid').map((file) => [path.basename(file.path), file.status]),
      [['not-there.js', 'missing']],
    );
  });

  it('verifies a commit whose note holds a stale 50,000-line range of a 100,000-line file in seconds, with a verdict', async () => {
    const lines = Array.from({ length: 100_000 }, (_, index) => `  const value${index} = lookup(table, ${index});`);
    const original = `${lines.join('\n')}\n`;
    repo.write('big.js', original);
    const first = await repo.commitAll('ai');
    const changed = [...lines];
    changed[50_000] = '  // a human changed this line';
    repo.write('big.js', `${changed.join('\n')}\n`);
    const second = await repo.commitAll('human edit');
    const tree = (await repo.text(['rev-parse', `${first}^{tree}`])).trim();
    const record = buildNoteRecord({ commit: first, tree, patchId: null, files: [{ path: 'big.js', blob: blobId(original), ranges: [aiRange(lines, 25_001, 75_000)] }] });
    await repo.git(['notes', '--ref', 'refs/notes/vouch', 'add', '-F', '-', second], {}, `${record.line}\n`);
    const moved = [`// a new first line`, ...lines];
    repo.write('big.js', `${moved.join('\n')}\n`);
    const third = await repo.commitAll('a line added above');
    await repo.git(['notes', '--ref', 'refs/notes/vouch', 'add', '-F', '-', third], {}, `${record.line}\n`);

    const started = performance.now();
    const stale = await vouch(repo.dir, 'verify', second);
    const movedResult = await vouch(repo.dir, 'verify', third);
    const elapsed = performance.now() - started;
    assert.equal(stale.code, 1, stale.stderr);
    assert.match(stale.stdout, /stale\s+big\.js:25001-75000: the recorded AI lines \(claude-code\) no longer match/);
    assert.equal(movedResult.code, 0, movedResult.stdout + movedResult.stderr);
    // Hashing the range at every position took hours; the linear search takes well under a second.
    assert.ok(elapsed < 20_000, `took ${elapsed} ms`);
  });

  it('says so when the recorded blob is not in the repository and the search runs out of budget', async () => {
    const lines = Array.from({ length: 30_000 }, (_, index) => `  const value${index} = lookup(table, ${index});`);
    repo.write('big.js', `${lines.join('\n')}\n`);
    const commit = await repo.commitAll('ai');
    const tree = (await repo.text(['rev-parse', `${commit}^{tree}`])).trim();
    const recorded = [...lines];
    recorded[10_000] = '  // text this repository never had';
    const record = buildNoteRecord({ commit, tree, patchId: null, files: [{ path: 'big.js', blob: 'e'.repeat(40), ranges: [aiRange(recorded, 5_001, 25_000)] }] });
    await repo.git(['notes', '--ref', 'refs/notes/vouch', 'add', '-F', '-', commit], {}, `${record.line}\n`);
    const result = await vouch(repo.dir, 'verify', commit);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /big\.js:5001-25000: .* \(not at its recorded lines, and the search for them elsewhere stopped at its work budget\)/);
  });
});

import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { vouch } from '../../support/cliRun';
import { buildNoteRecord } from '../../../src/core/notes/noteRecord';
import { gitBlobIdOfText } from '../../../src/git/blame/nativeSha256';
import { STALE_RANGE, acceptedAiRange, staleRangeTexts } from '../../support/noteRecords';
import { TestRepo, nextDateEnv } from '../../support/testRepo';

const claudeCode = { kind: 'agent', tool: 'claude-code' } as const;
const ada = { name: 'Ada', email: 'ada@example.com' };
const aiRange = (lines: readonly string[], start: number, end: number) => acceptedAiRange(lines, start, end, claudeCode, ada);

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
    const { lines, original, changed } = staleRangeTexts();
    const first = await repo.commitFiles({ 'big.js': original }, 'ai');
    const second = await repo.commitFiles({ 'big.js': changed }, 'human edit');
    const tree = (await repo.text(['rev-parse', `${first}^{tree}`])).trim();
    const record = buildNoteRecord({ commit: first, tree, patchId: null, files: [{ path: 'big.js', blob: gitBlobIdOfText(original, first), ranges: [aiRange(lines, STALE_RANGE.start, STALE_RANGE.end)] }] });
    await repo.git(['notes', '--ref', 'refs/notes/vouch', 'add', '-F', '-', second], {}, `${record.line}\n`);
    const moved = [`// a new first line`, ...lines];
    const third = await repo.commitFiles({ 'big.js': `${moved.join('\n')}\n` }, 'a line added above');
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
    const commit = await repo.commitFiles({ 'big.js': `${lines.join('\n')}\n` }, 'ai');
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

import * as assert from 'node:assert/strict';
import { silentLogger } from '../../../src/core/logger';
import { reconcileNotes } from '../../../src/git/notes/reconcile';
import { TestRepo, gitRunner } from '../../support/testRepo';

const BLOCK = 'export function parseConfig(text) {\n  const value = JSON.parse(text);\n  return validateConfig(value);\n}\n';

describe('reconcile never gives AI records to human commits (real git)', function () {
  this.timeout(60_000);
  let repo: TestRepo;

  beforeEach(async () => {
    repo = await TestRepo.withBaseCommit({ 'f.js': 'function a() {\n}\n' });
  });
  afterEach(() => repo.cleanup());

  async function reconcile() {
    return reconcileNotes({ git: gitRunner, topLevel: repo.dir, reader: repo.reader(), writer: await repo.writer(), logger: silentLogger });
  }

  it('does not carry a one-line AI range (`    return null;`) to a later human commit that adds the same line', async () => {
    const aiText = 'function find(items) {\n    return null;\n}\n';
    const ai = await repo.commitFiles({ 'f.js': aiText }, 'ai');
    assert.ok((await repo.recordAi(ai, [{ path: 'f.js', text: aiText, aiText: '    return null;' }])).record);
    const human = await repo.commitFiles({ 'f.js': `${aiText}function other() {\n    return null;\n}\n` }, 'human');
    const report = await reconcile();
    assert.deepEqual(report.carried, []);
    assert.equal(await repo.reader().readNote(human), undefined);
    assert.equal((await repo.reader().checkCommitNote(ai))?.records[0].status, 'valid');
  });

  it("does not carry an AI record to the AI commit's own parent that added the same lines", async () => {
    const parent = await repo.commitFiles({ 'g.js': BLOCK }, 'human adds the block');
    const text = `${BLOCK}// more\n`;
    const ai = await repo.commitFiles({ 'g.js': text }, 'agent rewrote the file');
    // The agent reported the block it rewrote (to the same text the human wrote before).
    assert.ok((await repo.recordAi(ai, [{ path: 'g.js', text, aiText: BLOCK.trimEnd() }])).record);
    const report = await reconcile();
    assert.deepEqual(report.carried, []);
    assert.equal(await repo.reader().readNote(parent), undefined);
  });

  it('does not carry an AI record to a later human commit that only moves the recorded lines within the file', async () => {
    // A header longer than the block: git's diff shows the block's lines as the ones added.
    const header = Array.from({ length: 8 }, (_, index) => `const setting${index} = ${index};\n`).join('');
    const text = `${header}${BLOCK}`;
    const ai = await repo.commitFiles({ 'g.js': text }, 'ai');
    assert.ok((await repo.recordAi(ai, [{ path: 'g.js', text, aiText: BLOCK.trimEnd() }])).record);
    const moved = await repo.commitFiles({ 'g.js': `${BLOCK}${header}` }, 'human moves the block to the top');
    assert.match(await repo.text(['show', '--format=', moved]), /^\+export function parseConfig/m, 'the diff adds the block\'s lines');
    const report = await reconcile();
    assert.deepEqual(report.carried, [], "the AI commit's record already covers these lines in the human commit's history");
    assert.equal(await repo.reader().readNote(moved), undefined);
  });

  it('still carries a long, rare AI range to a commit that descends from it', async () => {
    const ai = await repo.commitFiles({ 'g.js': BLOCK }, 'ai');
    assert.ok((await repo.recordAi(ai, [{ path: 'g.js', text: BLOCK, aiText: BLOCK.trimEnd() }])).record);
    await repo.commitFiles({ 'g.js': '' }, 'removed');
    const restored = await repo.commitFiles({ 'g.js': `// restored\n${BLOCK}` }, 'restored');
    const report = await reconcile();
    assert.deepEqual(
      report.carried.map((item) => [item.commit, item.fromCommit, item.match]),
      [[restored, ai, 'line-hashes']],
    );
  });
});

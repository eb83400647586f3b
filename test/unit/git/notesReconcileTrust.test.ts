import * as assert from 'node:assert/strict';
import { silentLogger } from '../../../src/core/logger';
import { reconcileNotes } from '../../../src/git/notes/reconcile';
import { TestRepo, gitRunner } from './notesTestRepo';

const BLOCK = 'export function parseConfig(text) {\n  const value = JSON.parse(text);\n  return validateConfig(value);\n}\n';

describe('reconcile never gives AI records to human commits (real git)', function () {
  this.timeout(60_000);
  let repo: TestRepo;

  beforeEach(async () => {
    repo = await TestRepo.create();
    repo.write('f.js', 'function a() {\n}\n');
    await repo.commitAll('base');
  });
  afterEach(() => repo.cleanup());

  async function reconcile() {
    return reconcileNotes({ git: gitRunner, topLevel: repo.dir, reader: repo.reader(), writer: await repo.writer(), logger: silentLogger });
  }

  it('does not carry a one-line AI range (`    return null;`) to a later human commit that adds the same line', async () => {
    const aiText = 'function find(items) {\n    return null;\n}\n';
    repo.write('f.js', aiText);
    const ai = await repo.commitAll('ai');
    assert.ok((await repo.recordAi(ai, [{ path: 'f.js', text: aiText, aiText: '    return null;' }])).record);
    repo.write('f.js', `${aiText}function other() {\n    return null;\n}\n`);
    const human = await repo.commitAll('human');
    const report = await reconcile();
    assert.deepEqual(report.carried, []);
    assert.equal(await repo.reader().readNote(human), undefined);
    assert.equal((await repo.reader().checkCommitNote(ai))?.records[0].status, 'valid');
  });

  it("does not carry an AI record to the AI commit's own parent that added the same lines", async () => {
    repo.write('g.js', BLOCK);
    const parent = await repo.commitAll('human adds the block');
    const text = `${BLOCK}// more\n`;
    repo.write('g.js', text);
    const ai = await repo.commitAll('agent rewrote the file');
    // The agent reported the block it rewrote (to the same text the human wrote before).
    assert.ok((await repo.recordAi(ai, [{ path: 'g.js', text, aiText: BLOCK.trimEnd() }])).record);
    const report = await reconcile();
    assert.deepEqual(report.carried, []);
    assert.equal(await repo.reader().readNote(parent), undefined);
  });

  it('still carries a long, rare AI range to a commit that descends from it', async () => {
    repo.write('g.js', BLOCK);
    const ai = await repo.commitAll('ai');
    assert.ok((await repo.recordAi(ai, [{ path: 'g.js', text: BLOCK, aiText: BLOCK.trimEnd() }])).record);
    repo.write('g.js', '');
    await repo.commitAll('removed');
    repo.write('g.js', `// restored\n${BLOCK}`);
    const restored = await repo.commitAll('restored');
    const report = await reconcile();
    assert.deepEqual(
      report.carried.map((item) => [item.commit, item.fromCommit, item.match]),
      [[restored, ai, 'line-hashes']],
    );
  });
});

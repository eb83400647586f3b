import * as assert from 'node:assert/strict';
import { vouch } from '../../support/cliRun';
import { TestRepo } from '../../support/testRepo';

// Git converts line breaks on add (core.autocrlf, `eol=crlf`): the working file ends its lines in
// CRLF, the committed blob in LF. The AI lines and their reviews must reach the note all the same.
describe('line breaks git converts (core.autocrlf, eol=crlf): gate, record and verify', function () {
  this.timeout(120_000);
  let repo: TestRepo;

  afterEach(() => repo.cleanup());

  for (const setting of ['core.autocrlf', '.gitattributes eol=crlf'] as const) {
    it(`records reviewed and unreviewed AI lines of a CRLF working file (${setting})`, async () => {
      repo = await TestRepo.withBaseCommit({ 'README.md': 'base\n' });
      if (setting === 'core.autocrlf') await repo.git(['config', 'core.autocrlf', 'true']);
      else repo.write('.gitattributes', '*.ts text eol=crlf\n');
      repo.write('f.ts', 'const a = 1;\r\nconst b = 2;\r\n');
      await repo.commitAll('base file');
      repo.write('f.ts', 'const a = 1;\r\nconst b = 2;\r\nexport const ai1 = a + b;\r\nexport const ai2 = a * b;\r\nconst c = 3;\r\n');
      assert.equal((await vouch(repo.dir, 'mark', 'f.ts', '--lines', '3-4', '--tool', 'copilot')).code, 0);
      assert.equal((await vouch(repo.dir, 'review', 'f.ts', '--lines', '3-4', '--intent', 'sums', '--scope', 'none')).code, 0);
      await repo.git(['add', 'f.ts']);
      const blob = await repo.text(['cat-file', '-p', ':f.ts']);
      assert.ok(!blob.includes('\r'), 'git converted the line breaks');
      const gate = await vouch(repo.dir, 'check', '--staged');
      assert.equal(gate.code, 0, `the review holds: ${gate.stdout}${gate.stderr}`);
      const reviewed = await repo.commitAll('ai lines');
      const recorded = await vouch(repo.dir, 'record-commit');
      assert.match(recorded.stdout, /recorded 2 AI line\(s\) in 1 file\(s\)/);
      const note = await repo.reader().readNote(reviewed);
      const [range] = note?.records[0].statement.predicate.files[0].ranges ?? [];
      assert.deepEqual([range?.start, range?.end, range?.review?.decision], [3, 4, 'accepted']);
      assert.equal((await vouch(repo.dir, 'verify', reviewed)).code, 0);
      assert.match((await vouch(repo.dir, 'status')).stdout, /No AI-written code/, 'the recorded lines left the working state');

      // Unreviewed AI lines: the gate stops them, and once committed anyway, verify fails.
      repo.write('f.ts', 'const a = 1;\r\nconst b = 2;\r\nexport const ai1 = a + b;\r\nexport const ai2 = a * b;\r\nconst c = 3;\r\nexport const ai6 = c;\r\n');
      assert.equal((await vouch(repo.dir, 'mark', 'f.ts', '--lines', '6', '--tool', 'copilot')).code, 0);
      await repo.git(['add', 'f.ts']);
      const stopped = await vouch(repo.dir, 'check', '--staged');
      assert.equal(stopped.code, 1);
      assert.match(stopped.stdout + stopped.stderr, /f\.ts\s+line 6/);
      const unreviewed = await repo.commitAll('unreviewed ai line');
      assert.match((await vouch(repo.dir, 'record-commit')).stdout, /recorded 1 AI line\(s\)/);
      assert.equal((await vouch(repo.dir, 'verify', unreviewed)).code, 1);
    });
  }
});

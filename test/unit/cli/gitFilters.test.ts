import * as assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { escapeDisplay } from '../../../src/core/text/displayText';
import { silentLogger } from '../../../src/core/logger';
import type { CheckReport } from '../../../src/cli/commands/check';
import { GitRunner } from '../../../src/git/gitRunner';
import { findRepository } from '../../../src/git/repository';
import { checkStagedFile, pendingBlocksInText, storedAttribution } from '../../../src/git/staging/stagedReview';
import { aiSpanOver } from '../../support/spans';
import { WorkingStateStore } from '../../../src/git/workingStateStore';
import { vouch } from '../../support/cliRun';
import { TestRepo } from '../../support/testRepo';

// Git converts a file on add when it has a clean filter, `ident` or a working-tree-encoding: the
// staged blob is not the working text. AI lines the conversion changed are in no staged line, so
// Vouch cannot tell which committed lines they are: the gate fails and the record says so, rather
// than leaving them out silently. AI lines the conversion leaves as they are are found as before.
describe("AI lines git's filters change on add (clean filter, ident, working-tree-encoding): gate and record say so", function () {
  this.timeout(120_000);
  let repo: TestRepo;

  afterEach(() => repo.cleanup());

  /** A repository whose *.ts files go through a clean filter that strips trailing blanks and expands $Date$. */
  async function filteredRepo(): Promise<TestRepo> {
    const created = await TestRepo.withBaseCommit({ 'README.md': 'base\n' });
    await created.git(['config', 'filter.tidy.clean', `sed -e 's/[ \t]*$//' -e 's/[$]Date[$]/$Date: fixed $/'`]);
    created.write('.gitattributes', '*.ts filter=tidy\n');
    created.write('f.ts', 'const a = 1;\nconst b = 2;\n');
    await created.commitAll('base file');
    return created;
  }

  const FILTERED = /f\.ts: git's filters \(\.gitattributes filter, ident or working-tree-encoding\) changed 2 AI lines when the file was staged, so Vouch cannot tell which staged lines they are/;
  const FILTERED_IN_COMMIT = /f\.ts: git's filters \(\.gitattributes filter, ident or working-tree-encoding\) changed 2 AI lines when the file was committed, so Vouch cannot tell which committed lines they are: left out of the record, still pending/;

  it('a clean filter that changes reviewed AI lines: check --staged fails naming the file, record-commit says so and records the unchanged AI line', async () => {
    repo = await filteredRepo();
    repo.write('f.ts', 'const a = 1;\nconst b = 2;\nexport const sum = a + b;   \nexport const product = a * b; // $Date$\nexport const three = 3;\nconst c = 3;\n');
    assert.equal((await vouch(repo.dir, 'mark', 'f.ts', '--lines', '3-5', '--tool', 'copilot')).code, 0);
    assert.equal((await vouch(repo.dir, 'review', 'f.ts', '--lines', '3-5', '--intent', 'sums', '--scope', 'none')).code, 0);
    await repo.git(['add', 'f.ts']);
    assert.doesNotMatch(await repo.text(['cat-file', '-p', ':f.ts']), /\$Date\$| $/m, 'the filter changed lines 3 and 4');

    const gate = await vouch(repo.dir, 'check', '--staged');
    assert.equal(gate.code, 1, gate.stdout + gate.stderr);
    assert.match(gate.stdout, FILTERED);
    const json = JSON.parse((await vouch(repo.dir, 'check', '--staged', '--json')).stdout) as { filterChanged: unknown };
    assert.deepEqual(json.filterChanged, [{ path: 'f.ts', aiLines: 2 }]);

    const commit = await repo.commitAll('ai lines');
    const recorded = await vouch(repo.dir, 'record-commit');
    assert.equal(recorded.code, 0);
    assert.match(recorded.stderr, FILTERED_IN_COMMIT);
    assert.match(recorded.stdout, /recorded 1 AI line\(s\) in 1 file\(s\)/);
    const ranges = (await repo.reader().readNote(commit))?.records[0].statement.predicate.files[0].ranges ?? [];
    assert.deepEqual(
      ranges.map((range) => [range.start, range.end, range.review?.decision]),
      [[5, 5, 'accepted']],
      'the line the filter left as it is is recorded with its review',
    );
  });

  it('when the filter changed every AI line, record-commit says why instead of "no AI lines"', async () => {
    repo = await filteredRepo();
    repo.write('f.ts', 'const a = 1;\nconst b = 2;\nexport const sum = a + b;   \nexport const product = a * b;\t\n');
    assert.equal((await vouch(repo.dir, 'mark', 'f.ts', '--lines', '3-4', '--tool', 'copilot')).code, 0);
    await repo.commitAll('ai lines');
    const recorded = await vouch(repo.dir, 'record-commit');
    assert.equal(recorded.code, 0);
    assert.match(recorded.stderr, FILTERED_IN_COMMIT);
    assert.doesNotMatch(recorded.stdout, /no AI lines in/);
    assert.match(recorded.stdout, /no AI lines recorded in [0-9a-f]{12}: git's filters changed the AI lines of 1 file\(s\)/);
  });

  it('its advice works: the lines edited so the filter leaves them, reviewed again and staged pass the gate and are recorded', async () => {
    repo = await filteredRepo();
    repo.write('f.ts', 'const a = 1;\nconst b = 2;\nexport const sum = a + b;   \nexport const product = a * b;\t\n');
    assert.equal((await vouch(repo.dir, 'mark', 'f.ts', '--lines', '3-4', '--tool', 'copilot')).code, 0);
    await repo.git(['add', 'f.ts']);
    const gate = await vouch(repo.dir, 'check', '--staged');
    assert.equal(gate.code, 1);
    assert.match(gate.stdout, /Edit those lines so that git's filters leave them as they are, review them \(again\) and stage again/);
    repo.write('f.ts', 'const a = 1;\nconst b = 2;\nexport const sum = a + b;\nexport const product = a * b;\n');
    assert.equal((await vouch(repo.dir, 'review', 'f.ts', '--lines', '3-4', '--intent', 'sums', '--scope', 'none')).code, 0);
    await repo.git(['add', 'f.ts']);
    const passed = await vouch(repo.dir, 'check', '--staged');
    assert.equal(passed.code, 0, passed.stdout + passed.stderr);
    await repo.commitAll('ai lines');
    const recorded = await vouch(repo.dir, 'record-commit');
    assert.equal(recorded.stderr, '');
    assert.match(recorded.stdout, /recorded 2 AI line\(s\) in 1 file\(s\)/);
  });

  it('a filter that leaves the AI lines as they are changes nothing: the gate passes, every staged AI line is recorded, no message', async () => {
    repo = await filteredRepo();
    // The filter changes a human line only.
    repo.write('f.ts', 'const a = 1;   \nconst b = 2;\nexport const sum = a + b;\nexport const product = a * b;\n');
    assert.equal((await vouch(repo.dir, 'mark', 'f.ts', '--lines', '3-4', '--tool', 'copilot')).code, 0);
    assert.equal((await vouch(repo.dir, 'review', 'f.ts', '--lines', '3-4', '--intent', 'sums', '--scope', 'none')).code, 0);
    await repo.git(['add', 'f.ts']);
    // An AI line written after staging is not in the staged text, and not by the filter's doing.
    repo.write('f.ts', 'const a = 1;   \nconst b = 2;\nexport const sum = a + b;\nexport const product = a * b;\nexport const later = 1;\n');
    assert.equal((await vouch(repo.dir, 'mark', 'f.ts', '--lines', '5', '--tool', 'copilot')).code, 0);
    const gate = await vouch(repo.dir, 'check', '--staged');
    assert.equal(gate.code, 0, gate.stdout + gate.stderr);
    assert.doesNotMatch(gate.stdout + gate.stderr, /filters/);
    await repo.git(['commit', '-q', '-m', 'ai lines']);
    const recorded = await vouch(repo.dir, 'record-commit');
    assert.equal(recorded.stderr, '');
    assert.match(recorded.stdout, /recorded 2 AI line\(s\) in 1 file\(s\)/);
    assert.match((await vouch(repo.dir, 'status')).stdout, /line 5\s+unreviewed/, 'the unstaged AI line stays pending');
  });

  it("the editor's gate checks a staged file with the same rule (checkStagedFile): the same blocks and AI lines changed by the filter as check --staged", async () => {
    repo = await filteredRepo();
    const git = new GitRunner();
    const repository = await findRepository(git, repo.dir);
    const store = new WorkingStateStore(repository, git, silentLogger);
    /** What `vouch check --staged --json` and the editor's check of f.ts (from the stored state, or the open document's text) find. */
    const verdicts = async () => {
      const cli = JSON.parse((await vouch(repo.dir, 'check', '--staged', '--json')).stdout) as CheckReport;
      const attributed = await storedAttribution(store, 'f.ts');
      assert.ok(attributed, 'f.ts has AI marks');
      const fromStore = await checkStagedFile(git, repository, 'f.ts', attributed);
      const fromDocument = await checkStagedFile(git, repository, 'f.ts', { text: readFileSync(path.join(repo.dir, 'f.ts'), 'utf8'), spans: attributed.spans });
      const blocks = (check: typeof fromStore) => check?.blocks.map((block) => [block.startLine, block.endLine, block.state]);
      assert.deepEqual(blocks(fromDocument), blocks(fromStore));
      assert.equal(fromDocument?.filterChangedAiLines, fromStore?.filterChangedAiLines);
      return {
        cli: { blocks: cli.files.flatMap((file) => file.blocks.map((block) => [block.startLine, block.endLine, block.state])), filterChanged: cli.filterChanged },
        editor: { blocks: blocks(fromStore), filterChanged: fromStore?.filterChangedAiLines ? [{ path: 'f.ts', aiLines: fromStore.filterChangedAiLines }] : [] },
      };
    };

    repo.write('f.ts', 'const a = 1;\nconst b = 2;\nexport const sum = a + b;   \nexport const product = a * b; // $Date$\nexport const three = 3;\n');
    assert.equal((await vouch(repo.dir, 'mark', 'f.ts', '--lines', '3-5', '--tool', 'copilot')).code, 0);
    assert.equal((await vouch(repo.dir, 'review', 'f.ts', '--lines', '3-5', '--intent', 'sums', '--scope', 'none')).code, 0);
    await repo.git(['add', 'f.ts']);
    const changed = await verdicts();
    assert.deepEqual(changed.cli.filterChanged, [{ path: 'f.ts', aiLines: 2 }], 'test setup: check --staged fails for the filter');
    assert.deepEqual(changed.editor, changed.cli);

    // Edited so that the filter leaves the AI lines as they are, reviewed again and staged: both pass.
    repo.write('f.ts', 'const a = 1;\nconst b = 2;\nexport const sum = a + b;\nexport const product = a * b;\nexport const three = 3;\n');
    assert.equal((await vouch(repo.dir, 'review', 'f.ts', '--lines', '3-5', '--intent', 'sums', '--scope', 'none')).code, 0);
    await repo.git(['add', 'f.ts']);
    const passed = await verdicts();
    assert.deepEqual(passed.cli, { blocks: [], filterChanged: [] });
    assert.deepEqual(passed.editor, passed.cli);
  });

  it('an AI span that the filter removes whole leaves no block to review, and still fails the check: ident collapsed the AI-written keyword value', async () => {
    repo = await TestRepo.withBaseCommit({ 'README.md': 'base\n' });
    repo.write('.gitattributes', '*.ts ident\n');
    await repo.commitAll('attributes');
    const working = 'const a = 1;\n// $Id: 0123456789abcdef $\n';
    repo.write('f.ts', working);
    await repo.git(['add', 'f.ts']);
    const staged = await repo.text(['cat-file', '-p', ':f.ts']);
    assert.match(staged, /\$Id\$/, 'ident collapsed the keyword');
    const attributed = { text: working, spans: [aiSpanOver(working, ': 0123456789abcdef ')] };
    assert.deepEqual(pendingBlocksInText('f.ts', attributed, `${staged}\n`), [], 'the carried span is gone: no block to review');
    const git = new GitRunner();
    const check = await checkStagedFile(git, await findRepository(git, repo.dir), 'f.ts', attributed);
    assert.deepEqual(check?.blocks, []);
    assert.equal(check?.filterChangedAiLines, 1, 'the AI line is in no staged line: the gate fails for it');
  });

  it('ident and working-tree-encoding=UTF-16 are conversions too; a hostile file name is escaped', async () => {
    repo = await TestRepo.withBaseCommit({ 'README.md': 'base\n' });
    const hostile = 'evil\u001b[2K.ts';
    repo.write('.gitattributes', '*.ts ident\n*.txt working-tree-encoding=UTF-16\n');
    repo.write(hostile, 'const a = 1;\n');
    const utf16 = (text: string): Buffer => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    writeFileSync(path.join(repo.dir, 'u.txt'), utf16('hello\n'));
    await repo.commitAll('base files');
    writeFileSync(path.join(repo.dir, 'u.txt'), utf16('hello\nai line one\nai line two\n'));
    await repo.git(['add', 'u.txt']);
    assert.equal((await vouch(repo.dir, 'mark', 'u.txt', '--lines', '2-3', '--tool', 'copilot')).code, 0);
    repo.write(hostile, 'const a = 1;\n// $Id: 0123456789abcdef $\nconst ai = 2;\n');
    await repo.git(['add', '--', hostile]);
    assert.match(await repo.text(['cat-file', '-p', `:${hostile}`]), /\$Id\$/, 'ident collapsed the keyword');
    assert.equal((await vouch(repo.dir, 'mark', hostile, '--lines', '2-3', '--tool', 'copilot')).code, 0);
    const gate = await vouch(repo.dir, 'check', '--staged');
    assert.equal(gate.code, 1);
    assert.ok(gate.stdout.includes(`${escapeDisplay(hostile)}: git's filters (.gitattributes filter, ident or working-tree-encoding) changed 1 AI line when the file was staged, so Vouch cannot tell which staged line it is`), gate.stdout);
    assert.ok(!gate.stdout.includes('\u001b'), 'the file name is escaped');
    assert.match(gate.stdout, /u\.txt: git's filters .* changed 2 AI lines when the file was staged/);
    await repo.git(['commit', '-q', '-m', 'ai lines']);
    const recorded = await vouch(repo.dir, 'record-commit');
    assert.ok(recorded.stderr.includes(`${escapeDisplay(hostile)}: git's filters`), recorded.stderr);
    assert.ok(!recorded.stderr.includes('\u001b'), 'the file name is escaped');
    assert.match(recorded.stderr, /u\.txt: git's filters .* changed 2 AI lines when the file was committed/);
  });
});

import * as assert from 'node:assert/strict';
import type { RangeReport } from '../../../src/core/report/rangeReport';
import { vouch } from '../../support/cliRun';
import { createRangeHistory, type RangeHistory } from './rangeHistory';


describe('vouch report', function () {
  this.timeout(60_000);
  let history: RangeHistory;

  before(async () => {
    history = await createRangeHistory();
  });
  after(() => history.repo.cleanup());

  it('counts AI, reviewed and signed lines of a range with breakdowns, files and risk hints (--json)', async () => {
    const result = await vouch(history.repo.dir, 'report', `${history.base}..HEAD`, '--json');
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout) as RangeReport & { version: number };
    assert.equal(report.version, 2);
    assert.equal(report.commits, 4);
    assert.equal(report.commitsWithRecords, 3);
    // Added: sum.js 3, net.js 5, README 2 (one line changed + one added... "demo" kept), auth.js 2.
    assert.equal(report.addedLines, 3 + 5 + 2 + 2);
    assert.equal(report.aiLines, 2 + 3 + 1);
    assert.equal(report.reviewedLines, 3);
    // No keys given: nothing is verified, so nothing counts as signed; the signature entry is only present.
    assert.equal(report.signaturesVerified, false);
    assert.equal(report.signedLines, 0);
    assert.equal(report.signaturePresentLines, 1);
    assert.deepEqual(
      report.byTool.map((row) => [row.key, row.aiLines, row.reviewedLines]),
      [
        ['claude-code', 3, 0],
        ['github-copilot', 3, 3],
      ],
    );
    assert.deepEqual(
      report.byAuthor.map((row) => [row.key, row.aiLines]),
      [
        ['Alice Author <alice@example.com>', 3],
        ['Bob Builder <bob@example.com>', 3],
      ],
    );
    assert.deepEqual(
      report.byReviewer.map((row) => [row.key, row.aiLines]),
      [
        ['(not reviewed)', 3],
        ['Ada Reviewer <ada@example.com>', 3],
      ],
    );
    assert.deepEqual(report.byModel.map((row) => row.key).sort(), ['claude-sonnet-4', 'gpt-4o']);
    const net = report.files.find((file) => file.path === 'src/net.js');
    assert.deepEqual(net, { path: 'src/net.js', addedLines: 5, aiLines: 3, reviewedLines: 0, signedLines: 0, signaturePresentLines: 0, tools: ['claude-code'] });
    assert.equal(report.riskBlocks.length, 1);
    assert.equal(report.riskBlocks[0].path, 'src/net.js');
    assert.deepEqual(report.riskBlocks[0].categories, ['network']);
    assert.equal(report.riskBlocks[0].hints[0].line, 3);
    assert.equal(report.riskBlocks[0].reviewer, undefined);
  });

  it('prints a terminal summary and Markdown with collapsible details', async () => {
    const text = await vouch(history.repo.dir, 'report', `${history.base}..HEAD`);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /AI lines: {2}6 of 12 added lines \(50%\)/);
    assert.match(text.stdout, /reviewed: {2}3 of 6 AI lines \(50%\)/);
    assert.match(text.stdout, /signed: {4}not verified \(give --allowed-signers FILE or --openpgp-keyring FILE\); a signature is present on 1 of 6 AI lines \(17%\)/);
    assert.match(text.stdout, /src\/net\.js:3-5 \(commit [0-9a-f]{12}, claude-code\), NOT REVIEWED\n {4}line 3: Network access/);
    const markdown = await vouch(history.repo.dir, 'report', `${history.base}..HEAD`, '--markdown');
    assert.equal(markdown.code, 0, markdown.stderr);
    assert.match(markdown.stdout, /^### Vouch report: /);
    assert.match(markdown.stdout, /\*\*6\*\* of 12 added lines were written by AI \(50%\)/);
    assert.match(markdown.stdout, /<details open><summary>Files \(4\)<\/summary>/);
    assert.match(markdown.stdout, /⚠ 3 AI line\(s\) are not reviewed/);
    assert.equal((markdown.stdout.match(/<details/g) ?? []).length, (markdown.stdout.match(/<\/details>/g) ?? []).length);
  });

  it('cuts Markdown beyond --max-chars, closing open sections and saying so', async () => {
    const result = await vouch(history.repo.dir, 'report', `${history.base}..HEAD`, '--markdown', '--max-chars', '900');
    assert.equal(result.code, 0, result.stderr);
    assert.ok(result.stdout.length <= 900, `${result.stdout.length} characters`);
    assert.match(result.stdout, /Report truncated:\*\* \d+ characters left out/);
    assert.equal((result.stdout.match(/<details/g) ?? []).length, (result.stdout.match(/<\/details>/g) ?? []).length);
  });

  it('refuses --json with --markdown', async () => {
    const result = await vouch(history.repo.dir, 'report', '--json', '--markdown');
    assert.equal(result.code, 2);
  });
});

import * as assert from 'node:assert/strict';
import { reportText } from '../../../src/cli/commands/report';
import { percent, type RangeReport } from '../../../src/core/report/rangeReport';
import { fitMarkdown, reportMarkdown } from '../../../src/core/report/reportMarkdown';

const hostile = '<img src=x onerror=alert(1)> [click](https://evil.example) | `code` \u001b[31m\n::error::boom';

function reportWith(key: string): RangeReport {
  const row = { key, aiLines: 2, reviewedLines: 1, signedLines: 0, signaturePresentLines: 0 };
  return {
    range: key,
    commits: 1,
    commitsWithRecords: 1,
    addedLines: 4,
    aiLines: 2,
    reviewedLines: 1,
    signedLines: 0,
    signaturePresentLines: 0,
    signaturesVerified: false,
    staleRanges: 0,
    unreadableRecords: 0,
    byTool: [row],
    byModel: [row],
    byAgent: [row],
    byAuthor: [row],
    byReviewer: [row],
    files: [{ path: key, addedLines: 4, aiLines: 2, reviewedLines: 1, signedLines: 0, signaturePresentLines: 0, tools: [key] }],
    riskBlocks: [{ commit: 'a'.repeat(40), path: key, start: 1, end: 2, tool: key, categories: ['network'], hints: [{ category: 'network', message: key, line: 1 }] }],
    riskBlocksOmitted: 0,
  };
}

describe('range report rendering', () => {
  it('escapes note and path text in Markdown: no HTML, links, code spans or table breaks', () => {
    const markdown = reportMarkdown(reportWith(hostile));
    assert.ok(!/(^|[^\\])<img/.test(markdown), 'no raw HTML from a note');
    assert.ok(!markdown.includes('](https'), 'no link from a note');
    assert.ok(!/[^\\]`code/.test(markdown), 'no code span from a note');
    assert.ok(!markdown.includes('\u001b'), 'no escape character');
    for (const line of markdown.split('\n').filter((item) => item.startsWith('| '))) {
      const cells = line.replace(/\\\|/g, '').split('|').length;
      assert.ok(cells <= 9, `a table row keeps its columns: ${line}`);
    }
  });

  it('escapes note and path text for a terminal: control characters shown, no workflow command at a line start', () => {
    const text = reportText(reportWith(hostile));
    assert.ok(!text.includes('\u001b'));
    assert.ok(!/^::/m.test(text), 'no line starts a workflow command');
    assert.match(text, /\\x1b\[31m\\n::error::boom/);
  });

  it('fits Markdown into a limit at a line boundary with a note', () => {
    const long = `<details><summary>x</summary>\n\n${'row\n'.repeat(5_000)}</details>\n`;
    const fitted = fitMarkdown(long, 1_000);
    assert.ok(fitted.length <= 1_000);
    assert.match(fitted, /<\/details>\n\n\*\*Report truncated:\*\*/);
    assert.equal(fitMarkdown('short\n', 1_000), 'short\n');
  });

  it('rounds shares without claiming 0% or 100% for partial counts', () => {
    assert.equal(percent(0, 0), '-');
    assert.equal(percent(1, 1000), '<1%');
    assert.equal(percent(999, 1000), '>99%');
    assert.equal(percent(1, 2), '50%');
    assert.equal(percent(3, 3), '100%');
  });
});

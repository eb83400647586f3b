import assert from 'node:assert/strict';
import type { AttributedSpan, Review } from '../../../src/core/attribution';
import { sha256Hex } from '../../../src/core/textHash';
import type { CommittedAiLine } from '../../../src/core/visibility/committedLines';
import { hoverAnchorColumns } from '../../../src/core/visibility/hoverText';
import { committedAnnotation, formatAge, uncommittedAnnotation, unreviewedBlocksTitle } from '../../../src/core/visibility/lineAnnotation';
import type { UncommittedLineMark } from '../../../src/core/visibility/lineMarks';
import { addShares, describeLineShare, formatLineShare } from '../../../src/core/visibility/summary';
import { english } from '../../../src/core/text/translate';
import { aiSpanOver } from '../../support/spans';

const NOW = Date.UTC(2026, 5, 10, 12, 0);
const HOUR = 3_600_000;
const text = 'const a = 1;';

function mark(state: UncommittedLineMark['state']): UncommittedLineMark {
  return { line: 0, state, lineKind: 'ai', spanIds: ['s1'] };
}

function review(extra: Partial<Review> = {}): Review {
  return { decision: 'accepted', intent: 'i', scope: ['none'], reviewer: { name: 'Dana Developer', email: 'dana@example.com' }, reviewedAt: new Date(NOW - 50 * HOUR).toISOString(), textHash: sha256Hex(text), ...extra };
}

function span(extra: Partial<AttributedSpan> = {}): AttributedSpan {
  return aiSpanOver(text, text, { id: 's1', origin: { kind: 'agent', tool: 'claude-code' }, ...extra });
}

describe('visibility: current-line annotation and CodeLens text', () => {
  it('says the tool and "unreviewed", or who reviewed and how long ago', () => {
    assert.equal(uncommittedAnnotation({ mark: mark('ai-unreviewed'), spans: [{ span: span(), status: 'unreviewed' }], now: NOW }, english), 'AI · claude-code · unreviewed');
    assert.equal(uncommittedAnnotation({ mark: mark('ai-accepted'), spans: [{ span: span({ review: review() }), status: 'accepted' }], now: NOW }, english), 'AI · reviewed by Dana Developer · 2d');
    assert.equal(uncommittedAnnotation({ mark: mark('ai-human-changed'), spans: [{ span: span({ review: review() }), status: 'accepted-changed-after-review' }], now: NOW }, english), 'AI · claude-code · changed after review');
    assert.equal(uncommittedAnnotation({ mark: mark('ai-human-changed'), spans: [{ span: span({ humanChangedChars: 2 }), status: 'unreviewed' }], now: NOW }, english), 'AI · claude-code · changed by a person · unreviewed');
    assert.equal(uncommittedAnnotation({ mark: mark('ai-unreviewed'), spans: [{ span: span({ origin: { kind: 'inline', tool: 'unknown-ai' } }), status: 'unreviewed' }], now: NOW }, english), 'AI · unknown AI tool · unreviewed');
  });

  it('committed lines name the reviewer and the commit, or say they were not reviewed', () => {
    const line: CommittedAiLine = { line: 3, commit: 'abcdef1234567890abcdef1234567890abcdef12', source: 'vouch', path: 'a.ts', originalLine: 4, origin: { tool: 'copilot' } };
    assert.equal(committedAnnotation({ ...line, review: review() }, NOW, english), 'AI · reviewed by Dana Developer · 2d · abcdef1');
    assert.equal(committedAnnotation({ ...line, review: null }, NOW, english), 'AI · copilot · abcdef1 · not reviewed');
    assert.equal(committedAnnotation({ ...line, review: review({ decision: 'rejected' }) }, NOW, english), 'AI · copilot · abcdef1 · not reviewed');
    // An accepted review that does not cover the committed lines (vouch verify's reviewed-text-differs).
    assert.equal(committedAnnotation({ ...line, review: review(), reviewCovers: false }, NOW, english), 'AI · copilot · abcdef1 · changed after review');
    assert.equal(committedAnnotation({ ...line, review: review(), reviewCovers: true }, NOW, english), 'AI · reviewed by Dana Developer · 2d · abcdef1');
  });

  it('hostile names cannot break the line or reorder it, and are kept short', () => {
    const hostile = 'Eve\n\u202eevil\u001b[2J' + 'x'.repeat(100);
    const shown = uncommittedAnnotation({ mark: mark('ai-accepted'), spans: [{ span: span({ review: review({ reviewer: { name: hostile, email: 'e@x' } }) }), status: 'accepted' }], now: NOW }, english);
    assert.doesNotMatch(shown, /[\n\u202e\u001b]/);
    assert.match(shown, /Eve\\n\\u202eevil\\x1b\[2J/);
    assert.ok(shown.length < 80, shown);
  });

  it('ages read at a glance', () => {
    assert.equal(formatAge(NOW - 10_000, NOW, english), 'now');
    assert.equal(formatAge(NOW - 5 * 60_000, NOW, english), '5m');
    assert.equal(formatAge(NOW - 3 * HOUR, NOW, english), '3h');
    assert.equal(formatAge(NOW - 49 * HOUR, NOW, english), '2d');
    assert.equal(formatAge(NOW - 65 * 24 * HOUR, NOW, english), '2mo');
    assert.equal(formatAge(NOW - 800 * 24 * HOUR, NOW, english), '2y');
    assert.equal(formatAge('not a time', NOW, english), undefined);
    assert.equal(formatAge(NOW + HOUR, NOW, english), 'now', 'a clock ahead is not a negative age');
  });

  it('the CodeLens title counts blocks', () => {
    assert.equal(unreviewedBlocksTitle(1, english), '1 AI block unreviewed');
    assert.equal(unreviewedBlocksTitle(3, english), '3 AI blocks unreviewed');
  });
});

describe('visibility: where the hover answers', () => {
  it('on the indentation and the first character, and at the end of the line; not over the code', () => {
    const line = '    return a + b;';
    assert.deepEqual(hoverAnchorColumns(line, 0), { start: 0, end: 5 });
    assert.deepEqual(hoverAnchorColumns(line, 4), { start: 0, end: 5 });
    assert.equal(hoverAnchorColumns(line, 6), undefined);
    assert.equal(hoverAnchorColumns(line, 12), undefined);
    assert.deepEqual(hoverAnchorColumns(line, line.length), { start: line.length, end: line.length });
    assert.deepEqual(hoverAnchorColumns('}', 0), { start: 0, end: 1 });
    assert.deepEqual(hoverAnchorColumns('', 0), { start: 0, end: 0 });
    assert.deepEqual(hoverAnchorColumns('   ', 2), { start: 0, end: 3 });
  });
});

describe('visibility: AI share figures', () => {
  it('adds files up and says the shares of AI lines and of reviewed AI lines', () => {
    const total = addShares([
      { totalLines: 14, aiLines: 12, reviewedAiLines: 6 },
      { totalLines: 86, aiLines: 0, reviewedAiLines: 0 },
    ]);
    assert.deepEqual(total, { totalLines: 100, aiLines: 12, reviewedAiLines: 6 });
    assert.equal(formatLineShare(total, english), '12% AI · 50% of it reviewed');
    assert.equal(formatLineShare({ totalLines: 14, aiLines: 12, reviewedAiLines: 6 }, english), '86% AI · 50% of it reviewed');
    assert.equal(formatLineShare({ totalLines: 1000, aiLines: 3, reviewedAiLines: 0 }, english), '<1% AI · 0% of it reviewed');
    assert.equal(formatLineShare({ totalLines: 40, aiLines: 0, reviewedAiLines: 0 }, english), 'no AI lines (40 lines)');
    assert.equal(describeLineShare(total, english), '12 of 100 lines written by AI; 6 of those reviewed and accepted');
  });
});

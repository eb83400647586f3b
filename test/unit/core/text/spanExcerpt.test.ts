import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { AttributedSpan, Review } from '../../../../src/core/attribution';
import { buildReviewBlocks, countReviewBlocks } from '../../../../src/core/review/reviewModel';
import { spanExcerpt, stringLineSource, type LineSource } from '../../../../src/core/text/spanExcerpt';
import { sha256Hex } from '../../../../src/core/textHash';
import { computeLineMarks, computeLineMarksOfSource } from '../../../../src/core/visibility/lineMarks';

function review(decision: Review['decision'], text: string): Review {
  return { decision, intent: 'i', scope: ['none'], reviewer: { name: 'R', email: 'r@example.com' }, reviewedAt: '2025-01-01T00:00:00.000Z', textHash: sha256Hex(text) };
}

/** Texts with long human stretches, blank runs and CRLF lines; sorted spans from cut points, some reviewed. */
const textAndSpans = fc
  .array(fc.constantFrom('a', 'b;', ' ', '\t', '\n', '\n', '\n', '\r\n', '\u00a0', 'é', 'x\n', 'human line\n', '\n  \n'), { minLength: 0, maxLength: 100 })
  .map((parts) => parts.join(''))
  .chain((text) =>
    fc
      .tuple(
        fc.uniqueArray(fc.integer({ min: 0, max: text.length }), { maxLength: 16 }),
        fc.array(fc.constantFrom('none', 'none', 'accepted', 'accepted-stale', 'rejected'), { minLength: 8, maxLength: 8 }),
        fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 8, maxLength: 8 }),
      )
      .map(([cuts, reviews, insertions]) => {
        const points = [...cuts].sort((a, b) => a - b);
        const spans: AttributedSpan[] = [];
        for (let index = 0; index + 1 < points.length; index += 2) {
          const [start, end] = [points[index], points[index + 1]];
          const kind = reviews[index / 2];
          const spanReview = kind === 'accepted' ? review('accepted', text.slice(start, end)) : kind === 'accepted-stale' ? review('accepted', 'other') : kind === 'rejected' ? review('rejected', text.slice(start, end)) : undefined;
          spans.push({
            id: `s${index}`,
            start,
            end,
            origin: { kind: 'inline', tool: 'github-copilot' },
            confidence: 'high',
            insertedAt: insertions[index / 2],
            insertedTextHash: '',
            insertedLength: end - start,
            humanChangedChars: 0,
            ...(spanReview ? { review: spanReview } : {}),
          });
        }
        return { text, spans };
      }),
  );

/** A source that fails the test when asked for more than the lines around the spans and the stretches between them. */
function countingSource(text: string): { source: LineSource; sliced: () => number } {
  const inner = stringLineSource(text);
  let sliced = 0;
  return {
    source: {
      ...inner,
      slice(start, end) {
        sliced += end - start;
        return inner.slice(start, end);
      },
    },
    sliced: () => sliced,
  };
}

describe('spanExcerpt: the lines around spans stand for the whole text', () => {
  it('gives the same line marks as the whole text', () => {
    fc.assert(
      fc.property(textAndSpans, fc.uniqueArray(fc.integer({ min: 0, max: 40 }), { maxLength: 6 }), ({ text, spans }, committed) => {
        assert.deepEqual(computeLineMarksOfSource(stringLineSource(text), spans, committed), computeLineMarks(text, spans, committed));
      }),
      { numRuns: 2000 },
    );
  });

  it('gives the same review blocks (lines, spans, state) as the whole text', () => {
    fc.assert(
      fc.property(textAndSpans, ({ text, spans }) => {
        const excerpt = spanExcerpt(stringLineSource(text), spans);
        const summary = (blocks: ReturnType<typeof buildReviewBlocks>, lineOf: (line: number) => number) =>
          blocks.map((block) => [lineOf(block.startLine - 1), lineOf(block.endLine - 1), block.spanIds.join(','), block.state, block.lines.length]);
        assert.deepEqual(
          summary(buildReviewBlocks({ path: 'a.ts', text: excerpt.text, spans: excerpt.spans }), (line) => excerpt.documentLine(line)),
          summary(buildReviewBlocks({ path: 'a.ts', text, spans }), (line) => line),
        );
        assert.equal(countReviewBlocks({ path: 'a.ts', text: excerpt.text, spans: excerpt.spans }), countReviewBlocks({ path: 'a.ts', text, spans }));
      }),
      { numRuns: 2000 },
    );
  });

  it('reads the lines around the spans of a long text, not the text', () => {
    const line = '  record = transform(record, 0123456789); // a line of a data file\n';
    const text = line.repeat(200_000);
    const at = (lineNumber: number) => lineNumber * line.length;
    const spans = [10, 100_000, 199_990].map((lineNumber, index): AttributedSpan => ({
      id: `s${index}`,
      start: at(lineNumber),
      end: at(lineNumber + 2),
      origin: { kind: 'agent', tool: 'bench-ai' },
      confidence: 'high',
      insertedAt: index,
      insertedTextHash: '',
      insertedLength: 2 * line.length,
      humanChangedChars: 0,
    }));
    const { source, sliced } = countingSource(text);
    const marks = computeLineMarksOfSource(source, spans);
    assert.deepEqual(marks, computeLineMarks(text, spans));
    assert.ok(sliced() < 20 * line.length, `read ${sliced()} characters of ${text.length}`);
  });
});

import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { AttributedSpan } from '../../../../src/core/attribution';
import { buildReviewBlocks, countReviewBlocks } from '../../../../src/core/review/reviewModel';
import { spanExcerpt, stringLineSource, type LineSource } from '../../../../src/core/text/spanExcerpt';
import { computeLineMarks, computeLineMarksOfSource } from '../../../../src/core/visibility/lineMarks';
import { textAndSpans } from '../../../support/spanArbitraries';

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

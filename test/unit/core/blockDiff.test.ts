import * as assert from 'node:assert/strict';
import { replacedLinesOfBlocks } from '../../../src/core/review/blockDiff';
import { buildReviewBlocks } from '../../../src/core/review/reviewModel';
import { aiSpanOver } from '../../support/spans';

describe('review model: what a block replaced, and where it sits', () => {
  const base = ['import x from "x";', '', 'function total(items) {', '  let sum = 0;', '  for (const i of items) sum += i;', '  return sum;', '}', ''].join('\n');
  const text = ['import x from "x";', '', 'function total(items) {', '  return items.reduce((a, b) => a + b, 0);', '}', ''].join('\n');

  it('gives a block the lines of the last commit its hunk removed', () => {
    const [block] = buildReviewBlocks({ path: 't.ts', text, spans: [aiSpanOver(text, '  return items.reduce((a, b) => a + b, 0);')] });
    assert.deepEqual([block.startLine, block.endLine], [4, 4]);
    assert.deepEqual(replacedLinesOfBlocks(base, text, [block]).get(block.id), ['  let sum = 0;', '  for (const i of items) sum += i;', '  return sum;']);
    // Where it sits: two lines above and below.
    assert.deepEqual(block.contextBefore, ['', 'function total(items) {']);
    assert.deepEqual(block.contextAfter, ['}', '']);
  });

  it('gives nothing to a pure addition, to blocks away from the change, and when the texts are equal', () => {
    const added = ['a', 'b', 'new();', 'c'].join('\n');
    const [block] = buildReviewBlocks({ path: 'a.ts', text: added, spans: [aiSpanOver(added, 'new();')] });
    assert.equal(replacedLinesOfBlocks('a\nb\nc', added, [block]).size, 0);
    const far = ['gone', 'a', 'b', 'ai();'].join('\n');
    const [farBlock] = buildReviewBlocks({ path: 'f.ts', text: far, spans: [aiSpanOver(far, 'ai();')] });
    assert.equal(replacedLinesOfBlocks(['old', 'a', 'b', 'ai();'].join('\n'), far, [farBlock]).size, 0, 'the changed first line is not the block\'s');
    assert.equal(replacedLinesOfBlocks(far, far, [farBlock]).size, 0);
  });

  it('counts a deletion inside a block, but not one just below it', () => {
    const now = ['one();', 'two();', 'after'].join('\n');
    const [block] = buildReviewBlocks({ path: 'd.ts', text: now, spans: [aiSpanOver(now, 'one();\ntwo();')] });
    assert.deepEqual(replacedLinesOfBlocks(['one();', 'removed', 'two();', 'after'].join('\n'), now, [block]).get(block.id), ['removed']);
    assert.equal(replacedLinesOfBlocks(['one();', 'two();', 'removed', 'after'].join('\n'), now, [block]).size, 0);
  });
});

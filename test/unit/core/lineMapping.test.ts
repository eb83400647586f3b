import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { mapUnchangedLines } from '../../../src/core/visibility/lineMapping';

describe('mapUnchangedLines', () => {
  it('maps every line of an unchanged text to itself', () => {
    const map = mapUnchangedLines('a\nb\nc', 'a\nb\nc');
    assert.deepEqual([0, 1, 2].map((line) => map?.(line)), [0, 1, 2]);
  });

  it('moves lines below an insertion and drops changed and deleted lines', () => {
    const map = mapUnchangedLines('one\ntwo\nthree\nfour\n', 'zero\none\nTWO\nthree\n');
    assert.ok(map);
    assert.equal(map(0), 1, 'one moved down');
    assert.equal(map(1), undefined, 'two was changed');
    assert.equal(map(2), 3, 'three moved down');
    assert.equal(map(3), undefined, 'four was deleted');
    assert.equal(map(4), 4, 'the empty last line stays last');
  });

  it('gives up (undefined) when the texts differ in too many lines', () => {
    const before = Array.from({ length: 5000 }, (_, i) => `line ${i}`).join('\n');
    const after = Array.from({ length: 5000 }, (_, i) => `other ${i}`).join('\n');
    assert.equal(mapUnchangedLines(before, after), undefined);
  });

  it('maps each kept line to a line with the same text, in order', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', 'b', 'c', 'd'), { maxLength: 30 }), fc.array(fc.constantFrom('a', 'b', 'c', 'd'), { maxLength: 30 }), (beforeLines, afterLines) => {
        const map = mapUnchangedLines(beforeLines.join('\n'), afterLines.join('\n'));
        assert.ok(map);
        let last = -1;
        for (let line = 0; line < beforeLines.length; line++) {
          const moved: number | undefined = map(line);
          if (moved === undefined) continue;
          assert.equal(afterLines[moved], beforeLines[line]);
          assert.ok(moved > last);
          last = moved;
        }
      }),
    );
  });
});

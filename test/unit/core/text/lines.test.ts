import assert from 'node:assert/strict';
import fc from 'fast-check';
import { committedTextInWorkingLineEnds, lineBreaksIn, lineHolding, lineStartOffsets } from '../../../../src/core/text/lines';

/** The reference: the last line whose start is at or before the offset, by a walk over every line. */
function lineByWalk(starts: readonly number[], offset: number): number {
  let line = 0;
  while (line + 1 < starts.length && starts[line + 1] <= offset) line++;
  return line;
}

const texts = fc.array(fc.constantFrom('a', 'bc', '\n', '\r\n', ' ', 'é'), { maxLength: 80 }).map((parts) => parts.join(''));

describe('lines', () => {
  it('counts the line breaks a text adds ("\\r\\n" once)', () => {
    assert.equal(lineBreaksIn(''), 0);
    assert.equal(lineBreaksIn('abc'), 0);
    assert.equal(lineBreaksIn('\n'), 1);
    assert.equal(lineBreaksIn('a\r\nb\nc\n'), 3);
    fc.assert(fc.property(texts, (text) => lineBreaksIn(text) === lineStartOffsets(text).length - 1));
  });

  it('finds the line holding an offset from any hint, as a walk over every line does', () => {
    fc.assert(
      fc.property(texts, fc.nat(), fc.nat(), (text, offsetSeed, hintSeed) => {
        const starts = lineStartOffsets(text);
        const offset = offsetSeed % (text.length + 2);
        const hint = hintSeed % starts.length;
        return lineHolding(offset, hint, starts.length, (line) => starts[line]) === lineByWalk(starts, offset);
      }),
      { numRuns: 2000 },
    );
  });

  it('asks for line starts near the hint only: a number of lookups that grows with the log of the distance', () => {
    const starts = Array.from({ length: 1_000_000 }, (_, line) => line * 10);
    for (const [hint, target] of [
      [500_000, 500_000],
      [500_000, 500_003],
      [500_000, 499_990],
      [10, 1_000],
      [999_999, 0],
    ]) {
      const asked: number[] = [];
      const found = lineHolding(target * 10 + 4, hint, starts.length, (line) => {
        asked.push(line);
        return starts[line];
      });
      assert.equal(found, target);
      const distance = Math.abs(target - hint) + 1;
      assert.ok(asked.length <= 2 * Math.ceil(Math.log2(distance)) + 3, `${asked.length} lookups for a distance of ${distance}`);
      // Never further from the hint than twice the distance: the editor totals line lengths only that far.
      assert.ok(asked.every((line) => Math.abs(line - hint) <= 2 * distance), `looked at line ${Math.max(...asked.map((line) => Math.abs(line - hint)))} lines away`);
    }
  });

  it("gives the committed text the working text's CRLF only when git converted every line break", () => {
    assert.equal(committedTextInWorkingLineEnds('a\nb\n', 'a\r\nb\r\nc\r\n'), 'a\r\nb\r\n');
    assert.equal(committedTextInWorkingLineEnds('a\nb', 'a\r\nb'), 'a\r\nb', 'no line break at the end');
    assert.equal(committedTextInWorkingLineEnds('a\nb\n', 'a\r\nb\n'), 'a\nb\n', 'a working text of mixed line breaks was not converted');
    assert.equal(committedTextInWorkingLineEnds('a\r\nb\n', 'a\r\nb\r\n'), 'a\r\nb\n', 'a committed CR: git did not convert');
    assert.equal(committedTextInWorkingLineEnds('a\nb\n', 'a\nb\n'), 'a\nb\n');
    assert.equal(committedTextInWorkingLineEnds('a\nb\n', 'ab'), 'a\nb\n', 'a working text of one line says nothing');
    assert.equal(committedTextInWorkingLineEnds('\n', '\r\n'), '\r\n');
    // Lines keep their numbers; converted back (as git adds it), it is the committed text.
    fc.assert(
      fc.property(texts, texts, (committed, working) => {
        const result = committedTextInWorkingLineEnds(committed, working);
        assert.equal(lineStartOffsets(result).length, lineStartOffsets(committed).length);
        assert.equal(result.replaceAll('\r\n', '\n') === committed.replaceAll('\r\n', '\n'), true);
        if (result !== committed) assert.ok(!committed.includes('\r') && working.includes('\r\n'));
      }),
    );
  });
});

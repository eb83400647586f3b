import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { LineRun } from '../../../src/core/visibility/lineMarks';
import { gutterWindowAround, overviewRulerRuns, runsOverlapping, windowStillCovers } from '../../../src/core/visibility/decorationRanges';

/** Sorted runs that neither overlap nor touch (as the line marks assemble them per state), within `lineCount` lines. */
const runsAndLineCount = fc
  .array(fc.tuple(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 0, max: 12 })), { maxLength: 200 })
  .chain((steps) => {
    const runs: LineRun[] = [];
    let line = 0;
    for (const [gap, length] of steps) {
      const startLine = line + gap;
      runs.push({ startLine, endLine: startLine + length });
      line = startLine + length + 1;
    }
    return fc.integer({ min: line, max: line + 20_000 }).map((lineCount) => ({ runs, lineCount: Math.max(1, lineCount) }));
  });

const linesOf = (runs: readonly LineRun[]) => runs.flatMap((run) => Array.from({ length: run.endLine - run.startLine + 1 }, (_, index) => run.startLine + index));

describe('decorationRanges: what an editor is sent of its marks', () => {
  it('sends the gutter the runs that share a line with the window, the same as a filter over all of them', () => {
    fc.assert(
      fc.property(runsAndLineCount, fc.nat(25_000), fc.nat(2_000), ({ runs }, first, length) => {
        const window = { first, last: first + length };
        const expected = runs.filter((run) => run.endLine >= window.first && run.startLine <= window.last);
        assert.deepEqual(runsOverlapping(runs, window), expected);
      }),
    );
  });

  it('closes on the overview ruler only gaps shorter than a minimum-height mark on a 3,000-pixel ruler, keeping every line', () => {
    fc.assert(
      fc.property(runsAndLineCount, ({ runs, lineCount }) => {
        const merged = overviewRulerRuns(runs, lineCount);
        const widestHiddenGap = Math.floor((lineCount * 6) / 3_000);
        const before = new Set(linesOf(runs));
        const after = linesOf(merged);
        // Every line shown before is shown after, runs stay sorted and apart.
        for (const line of before) assert.ok(after.includes(line), `line ${line} lost`);
        for (let index = 1; index < merged.length; index++) assert.ok(merged[index].startLine > merged[index - 1].endLine + 1);
        // A line added lies in a gap between two runs no wider than the widest hidden gap; a wider gap stays open.
        const added = after.filter((line) => !before.has(line));
        for (const line of added) {
          const above = runs.filter((run) => run.endLine < line).at(-1);
          const below = runs.find((run) => run.startLine > line);
          assert.ok(above && below && below.startLine - above.endLine - 1 <= widestHiddenGap, `line ${line} filled a gap too wide to hide`);
        }
        for (let index = 1; index < runs.length; index++) {
          const gap = runs[index].startLine - runs[index - 1].endLine - 1;
          if (gap > widestHiddenGap) assert.ok(!after.includes(runs[index].startLine - 1), `a gap of ${gap} lines was closed`);
        }
      }),
    );
  });

  it('makes thousands of one-line runs in a long file a few runs for the ruler', () => {
    const runs = Array.from({ length: 2_000 }, (_, index) => ({ startLine: Math.floor(index * 2.5), endLine: Math.floor(index * 2.5) }));
    const merged = overviewRulerRuns(runs, 5_000);
    assert.deepEqual(merged, [{ startLine: 0, endLine: runs[runs.length - 1].endLine }]);
    // A short file has no gap to hide: the runs are given as they are.
    const few = runs.slice(0, 10);
    assert.equal(overviewRulerRuns(few, 30), few);
    assert.deepEqual(overviewRulerRuns([{ startLine: 0, endLine: 0 }, { startLine: 2, endLine: 2 }], 400), [{ startLine: 0, endLine: 0 }, { startLine: 2, endLine: 2 }]);
  });

  it('gives the gutter a window of several screens around the visible lines, inside the file', () => {
    assert.deepEqual(gutterWindowAround([{ first: 2_000, last: 2_039 }], 5_000), { first: 1_800, last: 2_239 });
    // A tall editor: three screens each way.
    assert.deepEqual(gutterWindowAround([{ first: 1_000, last: 1_099 }], 5_000), { first: 700, last: 1_399 });
    // Folded regions make several visible ranges: one window over all of them.
    assert.deepEqual(gutterWindowAround([{ first: 3_000, last: 3_010 }, { first: 10, last: 20 }], 5_000), { first: 0, last: 3_210 });
    assert.equal(gutterWindowAround([], 5_000), undefined);
  });

  it('trusts a window sent before edits only as far as their added and removed lines could not have moved its edges', () => {
    const window = { first: 1_800, last: 2_239 };
    assert.equal(windowStillCovers(window, [{ first: 1_800, last: 1_839 }], 0, 5_000), true);
    assert.equal(windowStillCovers(window, [{ first: 1_799, last: 1_838 }], 0, 5_000), false);
    assert.equal(windowStillCovers(window, [{ first: 1_805, last: 1_844 }], 10, 5_000), false);
    assert.equal(windowStillCovers(window, [{ first: 1_810, last: 1_849 }], 10, 5_000), true);
    assert.equal(windowStillCovers(window, [{ first: 2_200, last: 2_239 }], 10, 5_000), false);
    // A window from the first line or to the last covers that end whatever moved.
    assert.equal(windowStillCovers({ first: 0, last: 240 }, [{ first: 0, last: 39 }], 50, 5_000), true);
    assert.equal(windowStillCovers({ first: 4_760, last: 4_999 }, [{ first: 4_980, last: 5_010 }], 20, 5_020), true);
    assert.equal(windowStillCovers(window, [], 0, 5_000), true);
  });
});

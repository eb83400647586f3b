import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { AttributedSpan } from '../../../src/core/attribution';
import { deriveLineAttribution, groupAiLines, type LineAttribution } from '../../../src/core/ledger/lineAttribution';
import { attributeLines, buildNoteRanges, splitLines } from '../../../src/core/notes/lineRanges';
import { buildReviewBlocks } from '../../../src/core/review/reviewModel';
import { spanAt } from '../../support/spans';

function span(id: string, start: number, end: number): AttributedSpan {
  return spanAt(id, start, end);
}

/** Spans covering each occurrence of `piece` in `text` (first occurrence after `from`). */
function spanOf(text: string, id: string, piece: string, from = 0): AttributedSpan {
  const start = text.indexOf(piece, from);
  assert.ok(start >= 0, `${piece} not in text`);
  return span(id, start, start + piece.length);
}

const kinds = (lines: LineAttribution[]) => lines.map((l) => [l.line, l.kind, l.spanIds.join(',')]);

describe('deriveLineAttribution', () => {
  it('returns nothing for human text', () => {
    assert.deepEqual(deriveLineAttribution('a\nb\n', []), []);
  });

  it('a line is ai when all its non-whitespace characters are AI, ignoring indentation', () => {
    const text = 'human\n    ai line\nend';
    const lines = deriveLineAttribution(text, [spanOf(text, 's', 'ai line')]);
    assert.deepEqual(kinds(lines), [[1, 'ai', 's']]);
  });

  it('a line with some AI characters is mixed', () => {
    const text = 'let x = compute();\n';
    const lines = deriveLineAttribution(text, [spanOf(text, 's', 'compute()')]);
    assert.deepEqual(kinds(lines), [[0, 'mixed', 's']]);
  });

  it('a span covering several lines, with two spans on one line', () => {
    const text = 'aaa\nbbb ccc\nddd';
    const lines = deriveLineAttribution(text, [span('s1', 0, 7), span('s2', 8, 15)]);
    assert.deepEqual(kinds(lines), [
      [0, 'ai', 's1'],
      [1, 'ai', 's1,s2'],
      [2, 'ai', 's2'],
    ]);
  });

  it('blank lines inside one AI span belong to it', () => {
    const text = 'x\nfoo()\n\n   \nbar()\ny';
    const lines = deriveLineAttribution(text, [spanOf(text, 's', 'foo()\n\n   \nbar()')]);
    assert.deepEqual(kinds(lines), [
      [1, 'ai', 's'],
      [2, 'ai', 's'],
      [3, 'ai', 's'],
      [4, 'ai', 's'],
    ]);
  });

  it('blank lines between AI lines of neighbouring spans count as AI, even if the newlines are human', () => {
    const text = 'foo()\n\nbar()\n';
    const lines = deriveLineAttribution(text, [spanOf(text, 'a', 'foo()'), spanOf(text, 'b', 'bar()')]);
    assert.deepEqual(kinds(lines), [
      [0, 'ai', 'a'],
      [1, 'ai', 'a,b'],
      [2, 'ai', 'b'],
    ]);
  });

  it('blank lines a span runs across belong to it, even next to a mixed line (a span lies in one block)', () => {
    const text = 'x;x;\n\t\nbéa';
    const lines = deriveLineAttribution(text, [span('s', 0, 8)]);
    assert.deepEqual(kinds(lines), [
      [0, 'ai', 's'],
      [1, 'ai', 's'],
      [2, 'mixed', 's'],
    ]);
    assert.deepEqual(groupAiLines(lines), [{ startLine: 0, endLine: 2, spanIds: ['s'] }]);
  });

  it('blank lines between neighbouring spans next to a mixed or human line, or at the edges, stay human', () => {
    const text = '\nfoo()\n\nhuman bar()\n\n';
    const lines = deriveLineAttribution(text, [spanOf(text, 'a', 'foo()'), spanOf(text, 'b', 'bar()')]);
    assert.deepEqual(kinds(lines), [
      [1, 'ai', 'a'],
      [3, 'mixed', 'b'],
    ]);
  });

  it('blank lines between AI lines of spans with another span between them stay human', () => {
    const text = 'foo()\n\nbar()\n';
    // 'z' is an AI span made only of whitespace between the two.
    const lines = deriveLineAttribution(text, [span('a', 0, 5), span('z', 6, 7), span('b', 7, 12)]);
    assert.deepEqual(kinds(lines), [
      [0, 'ai', 'a'],
      [2, 'ai', 'b'],
    ]);
  });

  it('handles CRLF and non-ASCII whitespace', () => {
    const text = 'foo()\r\n\u00a0\r\nbar()';
    const lines = deriveLineAttribution(text, [span('s', 0, text.length)]);
    assert.deepEqual(kinds(lines), [
      [0, 'ai', 's'],
      [1, 'ai', 's'],
      [2, 'ai', 's'],
    ]);
  });
});

describe('groupAiLines', () => {
  it('groups consecutive non-human lines, collecting span ids once', () => {
    const blocks = groupAiLines([
      { line: 1, kind: 'ai', spanIds: ['a'] },
      { line: 2, kind: 'mixed', spanIds: ['a', 'b'] },
      { line: 3, kind: 'ai', spanIds: ['b'] },
      { line: 6, kind: 'ai', spanIds: ['c'] },
    ]);
    assert.deepEqual(blocks, [
      { startLine: 1, endLine: 3, spanIds: ['a', 'b'] },
      { startLine: 6, endLine: 6, spanIds: ['c'] },
    ]);
  });

  it('works on derived lines', () => {
    const text = 'h\nfoo()\n\nbar()\nh\nbaz()';
    const lines = deriveLineAttribution(text, [spanOf(text, 'a', 'foo()\n\nbar()'), spanOf(text, 'b', 'baz()')]);
    assert.deepEqual(groupAiLines(lines), [
      { startLine: 1, endLine: 3, spanIds: ['a'] },
      { startLine: 5, endLine: 5, spanIds: ['b'] },
    ]);
  });

  it('returns no blocks for no lines', () => {
    assert.deepEqual(groupAiLines([]), []);
  });
});

// The one line rule against a per-character reference model (issue 11 item 0): every consumer
// (notes, review blocks) draws its AI lines from deriveLineAttribution, so they are checked here too.
describe('the line rule (property, against a per-character reference model)', () => {
  interface ReferenceLine {
    line: number;
    kind: 'ai' | 'mixed';
    spanIds: string[];
    aiChars: number;
    nonWhitespaceChars: number;
  }

  /** Per character: is it whitespace, and which span (index) holds it. Then the rule, line by line. */
  function referenceLines(text: string, spans: readonly AttributedSpan[]): ReferenceLine[] {
    const owner = new Int32Array(text.length).fill(-1);
    spans.forEach((item, index) => owner.fill(index, item.start, item.end));
    const rows = text.split('\n');
    let offset = 0;
    const infos = rows.map((row) => {
      let ai = 0;
      let nonWhitespace = 0;
      const owners: number[] = [];
      for (let index = 0; index < row.length; index++) {
        if (/\s/.test(row[index])) continue;
        nonWhitespace++;
        const who = owner[offset + index];
        if (who >= 0) {
          ai++;
          owners.push(who);
        }
      }
      offset += row.length + 1;
      return { ai, nonWhitespace, owners };
    });
    const result: ReferenceLine[] = [];
    infos.forEach((info, line) => {
      if (info.nonWhitespace > 0) {
        if (info.ai === 0) return;
        const spanIds = [...new Set(info.owners)].map((index) => spans[index].id);
        result.push({ line, kind: info.ai === info.nonWhitespace ? 'ai' : 'mixed', spanIds, aiChars: info.ai, nonWhitespaceChars: info.nonWhitespace });
        return;
      }
      // A blank line: AI only between two AI lines when one span runs across it, or between two
      // wholly AI lines whose facing spans are neighbours.
      let above = line - 1;
      while (above >= 0 && infos[above].nonWhitespace === 0) above--;
      let below = line + 1;
      while (below < infos.length && infos[below].nonWhitespace === 0) below++;
      if (above < 0 || below >= infos.length) return;
      const up = infos[above];
      const down = infos[below];
      if (up.ai === 0 || down.ai === 0) return;
      const last = up.owners[up.owners.length - 1];
      const first = down.owners[0];
      const whollyAi = up.ai === up.nonWhitespace && down.ai === down.nonWhitespace;
      if (last !== first && !(whollyAi && first - last === 1)) return;
      result.push({ line, kind: 'ai', spanIds: [...new Set([last, first])].map((index) => spans[index].id), aiChars: 0, nonWhitespaceChars: 0 });
    });
    return result;
  }

  const textAndSpans = fc
    .array(fc.constantFrom('a', 'b', 'x;', ' ', '  ', '\t', '\n', '\n', '\u00a0', 'é'), { minLength: 0, maxLength: 60 })
    .map((parts) => parts.join(''))
    .chain((text) =>
      fc.uniqueArray(fc.integer({ min: 0, max: text.length }), { maxLength: 8 }).map((cuts) => {
        const points = [...cuts].sort((a, b) => a - b);
        const spans: AttributedSpan[] = [];
        // Every other gap between cut points is an AI span.
        for (let index = 0; index + 1 < points.length; index += 2) if (points[index + 1] > points[index]) spans.push(span(`s${index}`, points[index], points[index + 1]));
        return { text, spans };
      }),
    );

  it('a line with any AI non-whitespace character is an AI line, with exact character counts', () => {
    fc.assert(
      fc.property(textAndSpans, ({ text, spans }) => {
        assert.deepEqual(deriveLineAttribution(text, spans), referenceLines(text, spans));
      }),
      { numRuns: 500 },
    );
  });

  it('notes record exactly those lines, with the pooled AI share of each range', () => {
    fc.assert(
      fc.property(textAndSpans, ({ text, spans }) => {
        const expected = referenceLines(text, spans).filter((line) => line.line < splitLines(text).length);
        const lines = attributeLines(text, spans);
        assert.deepEqual(
          lines.flatMap((line, index) => (line ? [index] : [])),
          expected.map((line) => line.line),
        );
        const ranges = buildNoteRanges(splitLines(text), lines);
        const byLine = new Map(expected.map((line) => [line.line, line]));
        const covered: number[] = [];
        for (const range of ranges) {
          let ai = 0;
          let all = 0;
          for (let line = range.start; line <= range.end; line++) {
            covered.push(line - 1);
            const reference = byLine.get(line - 1);
            assert.ok(reference);
            ai += reference.aiChars;
            all += reference.nonWhitespaceChars;
          }
          const share = all === 0 || ai === all ? 1 : Math.min(0.9999, Math.max(0.0001, Math.round((ai / all) * 10_000) / 10_000));
          assert.equal(range.aiShare, share);
        }
        assert.deepEqual(covered, expected.map((line) => line.line));
      }),
      { numRuns: 500 },
    );
  });

  it('review blocks cover exactly the AI lines of unreviewed spans', () => {
    fc.assert(
      fc.property(textAndSpans, ({ text, spans }) => {
        const expected = referenceLines(text, spans).map((line) => line.line + 1);
        const blocks = buildReviewBlocks({ path: 'p.ts', text, spans });
        assert.deepEqual(
          blocks.flatMap((block) => Array.from({ length: block.endLine - block.startLine + 1 }, (_, index) => block.startLine + index)),
          expected,
        );
        assert.ok(blocks.every((block) => block.state === 'unreviewed'));
      }),
      { numRuns: 300 },
    );
  });
});

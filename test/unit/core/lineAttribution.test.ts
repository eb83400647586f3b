import assert from 'node:assert/strict';
import type { AttributedSpan } from '../../../src/core/attribution';
import { deriveLineAttribution, groupAiLines, type LineAttribution } from '../../../src/core/ledger/lineAttribution';

function span(id: string, start: number, end: number): AttributedSpan {
  return {
    id,
    start,
    end,
    origin: { kind: 'inline', tool: 'github-copilot' },
    confidence: 'high',
    insertedAt: 0,
    insertedTextHash: '',
    insertedLength: end - start,
    humanChangedChars: 0,
  };
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

  it('blank lines next to a mixed or human line, or at the edges, stay human', () => {
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

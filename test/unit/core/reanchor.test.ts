import * as assert from 'node:assert/strict';
import * as fc from 'fast-check';
import type { AttributedSpan, TextReplacement } from '../../../src/core/attribution';
import { spanAt } from '../../support/spans';
import {
  computeTextReplacements,
  mapSpansThroughReplacements,
  reanchorSpans,
} from '../../../src/core/reanchor';

const HASH = 'a'.repeat(64);

function span(id: string, start: number, end: number, tool = 'tool-' + id): AttributedSpan {
  return spanAt(id, start, end, { origin: { kind: 'agent', tool }, insertedAt: 1, insertedTextHash: HASH });
}

function counter(): () => string {
  let next = 0;
  return () => `new-${next++}`;
}

function applyReplacements(text: string, replacements: readonly TextReplacement[]): string {
  let result = '';
  let position = 0;
  for (const replacement of replacements) {
    result += text.slice(position, replacement.offset) + replacement.insertedText;
    position = replacement.offset + replacement.deletedLength;
  }
  return result + text.slice(position);
}

/** Text covered by each span, for readable assertions. */
function covered(text: string, spans: readonly AttributedSpan[]): string[] {
  return spans.map((s) => `${s.id}:${text.slice(s.start, s.end)}`);
}

describe('reanchor', () => {
  it('keeps spans when the text did not change', () => {
    const spans = [span('a', 2, 5)];
    assert.deepEqual(reanchorSpans('hello world', 'hello world', spans), spans);
  });

  it('shifts spans after an insertion before them', () => {
    const oldText = 'const a = 1;\nconst b = 2;\n';
    const newText = '// header\nconst a = 1;\nconst b = 2;\n';
    const result = reanchorSpans(oldText, newText, [span('b', 13, 25)]);
    assert.deepEqual(covered(newText, result), ['b:const b = 2;']);
  });

  it('shrinks a span whose end was deleted and drops one that was deleted entirely', () => {
    const oldText = 'line one\nline two\nline three\n';
    const newText = 'line one\nline t\n';
    const result = reanchorSpans(oldText, newText, [span('x', 5, 17), span('y', 18, 28)]);
    assert.deepEqual(covered(newText, result), ['x:one\nline t']);
    assert.equal(result[0].humanChangedChars, 2);
  });

  it('splits a span when text is inserted inside it; the new piece gets a new id', () => {
    const oldText = 'function f() {\n  return 1;\n}\n';
    const newText = 'function f() {\n  log();\n  return 1;\n}\n';
    const result = reanchorSpans(oldText, newText, [span('s', 0, oldText.length)], { newId: counter() });
    assert.deepEqual(covered(newText, result), ['s:function f() {\n', 'new-0:  return 1;\n}\n']);
    assert.ok(result.every((piece) => piece.origin.tool === 'tool-s'));
  });

  it('replaced characters lose attribution, the rest of the line keeps it', () => {
    const oldText = 'alpha\nconst value = compute(42);\nomega\n';
    const newText = 'alpha\nconst value = compute(7);\nomega\n';
    const start = oldText.indexOf('const');
    const end = oldText.indexOf(';') + 1;
    const result = reanchorSpans(oldText, newText, [span('s', start, end)], { newId: counter() });
    assert.deepEqual(covered(newText, result), ['s:const value = compute(', 'new-0:);']);
    // The ledger's rule: 2 characters replaced + 1 typed strictly inside the span.
    assert.equal(result[0].humanChangedChars, 3);
    assert.equal(result[1].humanChangedChars, 3);
  });

  it('does not extend a span over text inserted at its edges', () => {
    const oldText = 'aaaBBBccc';
    const newText = 'aaaXBBBYccc';
    const result = reanchorSpans(oldText, newText, [span('b', 3, 6)]);
    assert.deepEqual(covered(newText, result), ['b:BBB']);
  });

  it('follows moved blocks only as far as the diff keeps them (moved text becomes human)', () => {
    const oldText = 'A\nB\nC\nD\n';
    const newText = 'C\nA\nB\nD\n';
    const result = reanchorSpans(oldText, newText, [span('a', 0, 2), span('c', 4, 6)]);
    // The line diff keeps A and B in place and sees C as deleted and re-inserted.
    assert.deepEqual(covered(newText, result), ['a:A\n']);
  });

  it('handles a file rewritten entirely', () => {
    assert.deepEqual(reanchorSpans('abc\ndef', 'xyz uvw', [span('a', 0, 7)]), []);
    // The unchanged newlines keep their attribution; the rewritten characters lose it.
    const result = reanchorSpans('abc\ndef\n', 'xyz\nuvw\n', [span('a', 0, 8)]);
    assert.deepEqual(covered('xyz\nuvw\n', result).map((entry) => entry.split(':')[1]), ['\n', '\n']);
  });

  it('handles empty old or new text', () => {
    assert.deepEqual(reanchorSpans('abc', '', [span('a', 0, 3)]), []);
    assert.deepEqual(reanchorSpans('', 'abc', []), []);
  });

  it('treats CRLF changes as changes of the line ending only', () => {
    const oldText = 'one\r\ntwo\r\n';
    const newText = 'one\ntwo\n';
    const result = reanchorSpans(oldText, newText, [span('a', 0, 3), span('b', 5, 8)]);
    assert.deepEqual(covered(newText, result), ['a:one', 'b:two']);
  });

  it('computes replacements that reproduce the new text', () => {
    const oldText = 'x\n'.repeat(50) + 'middle\n' + 'y\n'.repeat(50);
    const newText = 'x\n'.repeat(49) + 'inserted\n' + 'x\nmiddle changed\n' + 'y\n'.repeat(48);
    const replacements = computeTextReplacements(oldText, newText);
    assert.equal(applyReplacements(oldText, replacements), newText);
  });

  it('falls back to whole-hunk replacement past its limits, still reproducing the new text', () => {
    const oldText = Array.from({ length: 200 }, (_, i) => `old ${i}\n`).join('');
    const newText = Array.from({ length: 200 }, (_, i) => `new ${i}\n`).join('');
    const limits = { maxLineDiffLines: 20, maxLineEdits: 5, maxHunkChars: 100, maxCharEdits: 5 };
    const replacements = computeTextReplacements(oldText, newText, limits);
    assert.equal(applyReplacements(oldText, replacements), newText);
  });

  it('re-anchors a 40,000-line file with a few edits spread over it', () => {
    const lines = Array.from({ length: 40_000 }, (_, i) => `  const value${i} = compute(${i}); // line ${i}\n`);
    const oldText = lines.join('');
    const edited = lines.slice();
    edited[100] = '  inserted();\n' + edited[100];
    edited[20_000] = edited[20_000].replace('compute', 'calculate');
    edited.splice(39_000, 5);
    const newText = edited.join('');
    const lineStarts: number[] = [];
    lines.reduce((offset, line) => (lineStarts.push(offset), offset + line.length), 0);
    const spans = Array.from({ length: 2000 }, (_, i) => span(`s${i}`, lineStarts[i * 20] + 8, lineStarts[i * 20] + 18));
    const spanByTool = new Map(spans.map((s) => [s.origin.tool, s]));
    const replacements = computeTextReplacements(oldText, newText);
    assert.equal(applyReplacements(oldText, replacements), newText);
    const result = mapSpansThroughReplacements(spans, replacements, counter());
    assert.ok(result.length >= 1990);
    for (const piece of result) {
      const original = spanByTool.get(piece.origin.tool);
      assert.ok(original);
      assert.ok(oldText.slice(original.start, original.end).includes(newText.slice(piece.start, piece.end)));
    }
  });

  it('keeps attribution through thousands of edits scattered over a big file (unique-line anchors)', () => {
    const lines = Array.from({ length: 20_000 }, (_, i) => `  const value${i} = compute(${i});\n`);
    const oldText = lines.join('');
    const newText = lines.map((line, i) => (i % 10 === 0 ? line.replace('const', 'let') : line)).join('');
    const starts: number[] = [];
    lines.reduce((offset, line) => (starts.push(offset), offset + line.length), 0);
    // Spans over whole lines 5, 15, 25...: untouched lines between the edited ones.
    const spans = Array.from({ length: 2000 }, (_, i) => span(`s${i}`, starts[i * 10 + 5], starts[i * 10 + 5] + lines[i * 10 + 5].length));
    const result = reanchorSpans(oldText, newText, spans);
    assert.equal(result.length, 2000);
    result.forEach((piece, i) => assert.equal(newText.slice(piece.start, piece.end), lines[i * 10 + 5]));
  });

  it('keeps the unchanged parts of lines when every line of a big file was edited in place', () => {
    const lines = Array.from({ length: 5000 }, (_, i) => `  const value${i} = compute(${i});\n`);
    const oldText = lines.join('');
    const newText = oldText.replaceAll('const', 'let');
    const starts: number[] = [];
    lines.reduce((offset, line) => (starts.push(offset), offset + line.length), 0);
    const spans = [span('s', starts[100], starts[100] + lines[100].length)];
    const result = reanchorSpans(oldText, newText, spans, { newId: counter() });
    assert.deepEqual(covered(newText, result).map((entry) => entry.split(':')[1]), ['  ', 't value100 = compute(100);\n']);
  });

  describe('properties', () => {
    /** One outside edit: delete `deleteCount` characters at `at` (a fraction of the text), then insert fresh text there. */
    const editArbitrary = fc.record({
      at: fc.double({ min: 0, max: 1, noNaN: true }),
      deleteCount: fc.nat({ max: 12 }),
      insertCount: fc.nat({ max: 12 }),
    });
    const spansArbitrary = fc.array(
      fc.record({ at: fc.double({ min: 0, max: 1, noNaN: true }), length: fc.integer({ min: 1, max: 15 }) }),
      { maxLength: 8 },
    );

    /**
     * Builds an old text whose non-newline characters are all distinct, applies the edits to a
     * per-character model (each character remembers which span it belonged to), and checks that
     * re-anchoring gives every surviving non-newline character its old attribution and every
     * inserted character none. Distinct characters make the surviving alignment unambiguous; only
     * newlines repeat, and which of two equal newlines "survived" is a matter of choice.
     */
    it('every character that survives unchanged keeps its attribution (per-character model)', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: 120 }),
          fc.array(fc.boolean(), { minLength: 120, maxLength: 120 }),
          spansArbitrary,
          fc.array(editArbitrary, { minLength: 1, maxLength: 5 }),
          (length, newlineAt, spanSpecs, edits) => {
            let fresh = 0x4e00; // CJK block: plenty of distinct characters
            const nextChar = (): string => String.fromCharCode(fresh++);
            const chars: { char: string; owner: string | undefined }[] = [];
            for (let i = 0; i < length; i++) chars.push({ char: newlineAt[i] && i % 3 === 0 ? '\n' : nextChar(), owner: undefined });
            const oldText = chars.map((c) => c.char).join('');
            const spans: AttributedSpan[] = [];
            let cursor = 0;
            spanSpecs
              .map((s) => ({ start: Math.floor(s.at * length), length: s.length }))
              .sort((a, b) => a.start - b.start)
              .forEach((s, index) => {
                const start = Math.max(cursor, s.start);
                const end = Math.min(length, start + s.length);
                if (start >= end) return;
                spans.push(span(`s${index}`, start, end));
                for (let i = start; i < end; i++) chars[i].owner = `tool-s${index}`;
                cursor = end;
              });
            for (const edit of edits) {
              const at = Math.floor(edit.at * chars.length);
              const inserted = Array.from({ length: edit.insertCount }, () => ({ char: nextChar(), owner: undefined }));
              chars.splice(at, Math.min(edit.deleteCount, chars.length - at), ...inserted);
            }
            const newText = chars.map((c) => c.char).join('');
            const result = reanchorSpans(oldText, newText, spans, { newId: counter() });
            const actual = new Array<string | undefined>(newText.length).fill(undefined);
            let previousEnd = 0;
            for (const piece of result) {
              assert.ok(piece.start >= previousEnd && piece.end > piece.start && piece.end <= newText.length);
              previousEnd = piece.end;
              for (let i = piece.start; i < piece.end; i++) actual[i] = piece.origin.tool;
            }
            chars.forEach((c, i) => {
              if (c.char !== '\n') assert.equal(actual[i], c.owner, `character ${i} of ${JSON.stringify(newText)}`);
            });
          },
        ),
        { numRuns: 300 },
      );
    });

    it('for any texts, span mapping agrees with a per-character model driven by the same replacements', () => {
      fc.assert(
        fc.property(
          fc.string({ unit: fc.constantFrom('a', 'b', '\n', ' '), maxLength: 80 }),
          fc.string({ unit: fc.constantFrom('a', 'b', '\n', ' '), maxLength: 80 }),
          spansArbitrary,
          (oldText, newText, spanSpecs) => {
            const spans: AttributedSpan[] = [];
            let cursor = 0;
            spanSpecs
              .map((s) => ({ start: Math.floor(s.at * oldText.length), length: s.length }))
              .sort((a, b) => a.start - b.start)
              .forEach((s, index) => {
                const start = Math.max(cursor, s.start);
                const end = Math.min(oldText.length, start + s.length);
                if (start >= end) return;
                spans.push(span(`s${index}`, start, end));
                cursor = end;
              });
            const replacements = computeTextReplacements(oldText, newText);
            assert.equal(applyReplacements(oldText, replacements), newText);
            // Model: one owner per character, edited by the same replacements applied back to front.
            const model: (string | undefined)[] = new Array(oldText.length).fill(undefined);
            for (const s of spans) for (let i = s.start; i < s.end; i++) model[i] = s.origin.tool;
            for (const r of [...replacements].reverse()) {
              model.splice(r.offset, r.deletedLength, ...new Array<undefined>(r.insertedText.length).fill(undefined));
            }
            const result = mapSpansThroughReplacements(spans, replacements, counter());
            const actual: (string | undefined)[] = new Array(newText.length).fill(undefined);
            for (const piece of result) for (let i = piece.start; i < piece.end; i++) actual[i] = piece.origin.tool;
            assert.deepEqual(actual, model);
            // Spans of one origin never touch after mapping unless human text was inserted between them.
            assert.ok(result.every((piece) => piece.end > piece.start));
          },
        ),
        { numRuns: 300 },
      );
    });
  });
});

import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import type { TextReplacement } from '../../../src/core/attribution';
import { narrowReload, newWordChars, type NarrowedChange, type TextPosition } from '../../../src/core/detection/reloadChanges';
import { lineStartOffsets } from '../../../src/core/text/lines';

/** The change the editor reports for a reload: everything from the first line that differs to the last (common whole lines kept). */
function editorReloadChange(before: string, after: string): { change: TextReplacement; start: TextPosition } {
  const beforeLines = before.split('\n');
  const afterLines = after.split('\n');
  let prefix = 0;
  while (prefix < Math.min(beforeLines.length, afterLines.length) - 1 && beforeLines[prefix] === afterLines[prefix]) prefix++;
  let suffix = 0;
  while (
    suffix < Math.min(beforeLines.length, afterLines.length) - prefix - 1 &&
    beforeLines[beforeLines.length - 1 - suffix] === afterLines[afterLines.length - 1 - suffix]
  ) {
    suffix++;
  }
  const offset = lineStartOffsets(before)[prefix];
  const beforeEnd = before.length - beforeLines.slice(beforeLines.length - suffix).reduce((sum, line) => sum + line.length + 1, 0);
  const afterEnd = after.length - afterLines.slice(afterLines.length - suffix).reduce((sum, line) => sum + line.length + 1, 0);
  return { change: { offset, deletedLength: Math.max(0, beforeEnd - offset), insertedText: after.slice(offset, Math.max(offset, afterEnd)) }, start: { line: prefix, character: 0 } };
}

function apply(text: string, changes: readonly TextReplacement[]): string {
  let result = text;
  for (const change of [...changes].sort((a, b) => b.offset - a.offset)) result = result.slice(0, change.offset) + change.insertedText + result.slice(change.offset + change.deletedLength);
  return result;
}

function positionOf(text: string, offset: number): TextPosition {
  const starts = lineStartOffsets(text);
  let line = 0;
  while (line + 1 < starts.length && starts[line + 1] <= offset) line++;
  return { line, character: offset - starts[line] };
}

describe('narrowReload: a reload from disk as the changes it really made', () => {
  const person = 'export function greet(person: string): string {\n  return `hello ${person}`;\n}\nexport const retries = 3;\n';

  it("keeps the person's lines between an agent's line at the top and its function at the end out of the changes", () => {
    const header = 'export const loud = true;\n';
    const appended = 'export function shout(text: string): string {\n  return text.toUpperCase();\n}\n';
    const before = person;
    const after = header + person + appended;
    const { change, start } = editorReloadChange(before, after);
    assert.equal(change.deletedLength, before.length - 1, 'the editor reports the whole file as replaced (but its last line break)');
    const narrowed = narrowReload(before, change, start, after);
    assert.ok(narrowed);
    assert.deepEqual(
      narrowed.map((piece) => piece.change),
      [
        { offset: 0, deletedLength: 0, insertedText: header },
        { offset: before.length, deletedLength: 0, insertedText: appended },
      ],
    );
    assert.deepEqual(
      narrowed.map((piece) => [piece.start, piece.end]),
      [
        [
          { line: 0, character: 0 },
          { line: 0, character: 0 },
        ],
        [
          { line: 4, character: 0 },
          { line: 4, character: 0 },
        ],
      ],
    );
  });

  it('refuses a text before that is not the one the change was made to (another length, or other text around the change)', () => {
    const after = person.replace('retries = 3', 'retries = 4');
    const { change, start } = editorReloadChange(person, after);
    assert.ok(narrowReload(person, change, start, after));
    assert.equal(narrowReload(`${person}x`, change, start, after), undefined, 'longer');
    assert.equal(narrowReload(person.replace('greet', 'GREET'), change, start, after), undefined, 'other text before the change');
    assert.equal(narrowReload(person, { ...change, insertedText: change.insertedText.replace('4', '5') }, start, after), undefined, 'not the inserted text');
  });

  it('for any two texts: the narrowed changes lie on the lines of the reported one, lead from the text before to the text after, and their ranges are where their offsets are', () => {
    const line = fc.constantFrom('a', 'b', 'const x = 1;', '  return y;', '', '}', 'export function f() {');
    const text = fc.array(line, { maxLength: 12 }).map((lines) => lines.join('\n'));
    fc.assert(
      fc.property(text, text, (before, after) => {
        fc.pre(before !== after);
        const { change, start } = editorReloadChange(before, after);
        assert.equal(apply(before, [change]), after, 'the model of the editor is right');
        const narrowed = narrowReload(before, change, start, after);
        assert.ok(narrowed, 'the text before is the one the change was made to');
        const changes = narrowed.map((piece) => piece.change);
        assert.equal(apply(before, changes), after);
        for (let index = 0; index < narrowed.length; index++) {
          const entry: NarrowedChange = narrowed[index];
          const { change: piece, start: from, end: to } = entry;
          const lastLineEnd = before.indexOf('\n', change.offset + change.deletedLength);
          assert.ok(piece.offset >= change.offset - start.character && piece.offset + piece.deletedLength <= (lastLineEnd < 0 ? before.length : lastLineEnd + 1), 'on the lines of the reported change');
          if (index > 0) assert.ok(piece.offset > changes[index - 1].offset + changes[index - 1].deletedLength || changes[index - 1].deletedLength === 0, 'in order, apart');
          assert.deepEqual(from, positionOf(before, piece.offset));
          assert.deepEqual(to, positionOf(before, piece.offset + piece.deletedLength));
        }
        // Never more text than the reported change inserted.
        assert.ok(changes.reduce((sum, piece) => sum + piece.insertedText.length, 0) <= change.insertedText.length);
      }),
      { numRuns: 400 },
    );
  });

  describe('newWordChars: what a formatter does not add', () => {
    const narrowed = (before: string, after: string) => {
      const { change, start } = editorReloadChange(before, after);
      const pieces = narrowReload(before, change, start, after);
      assert.ok(pieces);
      return newWordChars(
        pieces.map((piece) => piece.change),
        pieces.map((piece) => piece.replaced),
      );
    };

    it('counts no word for re-spacing, punctuation and lines moved', () => {
      const before = 'import { b } from "./b";\nimport { a } from "./a";\nexport const  total =   a+b\n';
      const after = 'import { a } from "./a";\nimport { b } from "./b";\n\nexport const total = (a + b);\n';
      assert.equal(narrowed(before, after), 0);
    });

    it("counts a program's new code, and a renamed word as its new characters", () => {
      const before = 'export const retryLimit = 1;\n';
      const appended = 'export function nextDelay(attempt: number): number {\n  return 250 * 2 ** attempt;\n}\n';
      assert.equal(narrowed(before, before + appended), 'exportfunctionnextDelayattemptnumbernumberreturn2502attempt'.length);
      assert.equal(narrowed(before, before.replace('retryLimit', 'retryLimits')), 's'.length);
      assert.equal(newWordChars([{ offset: 0, deletedLength: 3, insertedText: 'ünïcode_$ 42' }], ['x']), 'ünïcode_$42'.length);
    });
  });
});

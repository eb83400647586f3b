import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import type { AttributedSpan, EditAuthor } from '../../../src/core/attribution';
import { AttributionLedger } from '../../../src/core/ledger/attributionLedger';
import { stringLineSource } from '../../../src/core/text/spanExcerpt';
import { SpanStatusCache, computeLineMarks, countLines, editKeepsEveryMark, lineEditKeepsMarks, updateUncommittedMarks, type LineEdit } from '../../../src/core/visibility/lineMarks';
import { textAndSpans } from '../../support/spanArbitraries';

const HUMAN: EditAuthor = { kind: 'human' };
const AI: EditAuthor = { kind: 'ai', origin: { kind: 'inline', tool: 'github-copilot' }, confidence: 'high' };

/** The edit in lines, as the editor's host finds it: from the text after it and the line counts. */
function lineEditOf(before: string, after: string, offset: number, insertedText: string): LineEdit {
  const source = stringLineSource(after);
  const newLastLine = source.lineAt(offset + insertedText.length);
  return { firstLine: source.lineAt(offset), oldLastLine: newLastLine - (countLines(after) - countLines(before)), newLastLine, start: offset, end: offset + insertedText.length };
}

/** Applies one change to the text and the ledger; returns the marks update next to the marks of the whole new text. */
function edited(text: string, spans: readonly AttributedSpan[], change: { offset: number; deletedLength: number; insertedText: string }, author: EditAuthor) {
  const ledger = AttributionLedger.fromSpans(spans);
  const before = computeLineMarks(text, ledger.spans());
  ledger.applyChanges([change], author);
  const after = text.slice(0, change.offset) + change.insertedText + text.slice(change.offset + change.deletedLength);
  const update = updateUncommittedMarks(before.uncommitted, lineEditOf(text, after, change.offset, change.insertedText), stringLineSource(after), (start, end) => ledger.spansInRange(start, end), new SpanStatusCache());
  return { before, update, whole: computeLineMarks(after, ledger.spans()) };
}

describe('updateUncommittedMarks: the line marks after one edit, from the lines around it', () => {
  it('gives the same marks as the whole text after the edit (typing, deleting, line breaks, AI inserts, in and around spans)', () => {
    const change = fc
      .tuple(fc.nat(), fc.integer({ min: 0, max: 5 }), fc.constantFrom('x', ' ', '\n', '', 'ab', '\r\n', 'y\n z', '\n\n', ';', '\n  '))
      .filter(([, deleted, inserted]) => deleted > 0 || inserted.length > 0);
    let onlyMoved = 0;
    fc.assert(
      fc.property(textAndSpans, change, fc.boolean(), ({ text, spans }, [at, deleted, insertedText], byAi) => {
        const offset = text.length === 0 ? 0 : at % (text.length + 1);
        const deletedLength = Math.min(deleted, text.length - offset);
        if (deletedLength === 0 && insertedText.length === 0) return;
        const { before, update, whole } = edited(text, spans, { offset, deletedLength, insertedText }, byAi ? AI : HUMAN);
        assert.deepEqual(update.uncommitted, whole.uncommitted);
        if (update.unchanged) assert.deepEqual(before.uncommitted, whole.uncommitted);
        // What an editor that moves its decorations with the text shows by itself: the marks before, lines below the edit moved.
        const edit = lineEditOf(text, text.slice(0, offset) + insertedText + text.slice(offset + deletedLength), offset, insertedText);
        const delta = edit.newLastLine - edit.oldLastLine;
        const moved = before.uncommitted.map((mark) => (mark.line > edit.oldLastLine ? { ...mark, line: mark.line + delta } : mark));
        assert.equal(update.marksChanged, !isDeepStrictEqual(moved, whole.uncommitted), 'marksChanged: the marks differ from those moved with the text');
        // A line break in a person's line: the marks only moved, no line derived.
        if (!update.unchanged && update.linesDerived === 0) onlyMoved++;
      }),
      { numRuns: 3000 },
    );
    assert.ok(onlyMoved > 20, `marks only moved ${onlyMoved} times`);
  });

  it('derives a few lines per keystroke whatever the number of spans, and reports no change while typing inside an AI line', () => {
    const lines = Array.from({ length: 5_000 }, (_, line) => `  value${line} = compute(${line}, ${line % 7}); // line ${line}`);
    let text = `${lines.join('\n')}\n`;
    const source = stringLineSource(text);
    // 2,000 one-line AI spans, never on neighbouring lines (as the keystroke benchmark marks them).
    const spans: AttributedSpan[] = Array.from({ length: 2_000 }, (_, index) => {
      const line = Math.floor((index * 4_998) / 2_000);
      const start = source.lineStart(line) + 2;
      const end = source.lineStart(line) + lines[line].length;
      return { id: `s${index}`, start, end, origin: AI.kind === 'ai' ? AI.origin : { kind: 'inline', tool: 'x' }, confidence: 'high', insertedAt: index, insertedTextHash: '', insertedLength: end - start, humanChangedChars: 0 };
    });
    const ledger = AttributionLedger.fromSpans(spans);
    let marks = computeLineMarks(text, ledger.spans());
    const typed = 'let total = 1;\nx';
    let offset = spans[1_000].start + 10;
    const unchangedAfter: boolean[] = [];
    for (const character of typed) {
      const before = text;
      ledger.applyChanges([{ offset, deletedLength: 0, insertedText: character }], HUMAN);
      text = text.slice(0, offset) + character + text.slice(offset);
      const update = updateUncommittedMarks(marks.uncommitted, lineEditOf(before, text, offset, character), stringLineSource(text), (start, end) => ledger.spansInRange(start, end), new SpanStatusCache());
      assert.ok(update.linesDerived <= 5, `${update.linesDerived} lines derived for one keystroke`);
      unchangedAfter.push(update.unchanged);
      marks = { ...marks, uncommitted: update.uncommitted };
      offset += 1;
    }
    assert.deepEqual(marks.uncommitted, computeLineMarks(text, ledger.spans()).uncommitted);
    // The first keystroke turns the line human-changed, the line break moves the lines below, and the
    // first character before the AI text on the new line makes it a mixed line; the others change no mark.
    assert.deepEqual(
      unchangedAfter.flatMap((unchanged, index) => (unchanged ? [] : [typed[index]])),
      ['l', '\n', 'x'],
    );
  });
  it("derives no line while a person types on a line of theirs between AI lines (the typing fast path), and the marks stay those of the whole text", () => {
    let text = 'const a = ai();\nconst b = 1;\nconst c = ai();\n\n';
    const ledger = AttributionLedger.fromSpans([]);
    ledger.markRange(0, 15, AI, text.slice(0, 15));
    ledger.markRange(29, 43, AI, text.slice(29, 43));
    let marks = computeLineMarks(text, ledger.spans());
    let offset = text.indexOf('1;');
    const derived: number[] = [];
    for (const [deletedLength, insertedText] of [[0, '2'], [0, ' '], [1, '3'], [1, '']] as const) {
      const before = text;
      ledger.applyChanges([{ offset, deletedLength, insertedText }], HUMAN);
      text = text.slice(0, offset) + insertedText + text.slice(offset + deletedLength);
      const update = updateUncommittedMarks(marks.uncommitted, lineEditOf(before, text, offset, insertedText), stringLineSource(text), (start, end) => ledger.spansInRange(start, end), new SpanStatusCache());
      derived.push(update.linesDerived);
      assert.equal(update.unchanged, true);
      marks = { ...marks, uncommitted: update.uncommitted };
      assert.deepEqual(marks.uncommitted, computeLineMarks(text, ledger.spans()).uncommitted);
      offset += insertedText.length;
    }
    assert.deepEqual(derived, [0, 0, 0, 0]);
  });

  it('editKeepsEveryMark, given the edited line without its line break (as the editor host reads it), says so only when every mark is as before', () => {
    const change = fc.tuple(fc.nat(), fc.integer({ min: 0, max: 3 }), fc.constantFrom('x', ' ', '', 'ab', ';', '\t'));
    let kept = 0;
    fc.assert(
      fc.property(textAndSpans, change, fc.boolean(), ({ text, spans }, [at, deleted, insertedText], byAi) => {
        const offset = text.length === 0 ? 0 : at % (text.length + 1);
        const deletedLength = Math.min(deleted, text.length - offset);
        // Inside one line: nothing deleted or inserted crosses a line break.
        if ((deletedLength === 0 && insertedText.length === 0) || /[\r\n]/.test(text.slice(offset, offset + deletedLength))) return;
        const ledger = AttributionLedger.fromSpans(spans);
        const before = computeLineMarks(text, ledger.spans());
        ledger.applyChanges([{ offset, deletedLength, insertedText }], byAi ? AI : HUMAN);
        const after = text.slice(0, offset) + insertedText + text.slice(offset + deletedLength);
        const source = stringLineSource(after);
        const lineEdit = lineEditOf(text, after, offset, insertedText);
        const line = lineEdit.firstLine;
        const start = source.lineStart(line);
        const end = line + 1 < source.lineCount ? source.lineStart(line + 1) : after.length;
        const lineText = after.slice(start, end).replace(/\r?\n$/, '');
        if (!editKeepsEveryMark(before.uncommitted, lineEdit, { line, start, end, text: lineText }, (from, to) => ledger.spansInRange(from, to))) return;
        kept++;
        assert.deepEqual(computeLineMarks(after, ledger.spans()).uncommitted, before.uncommitted);
      }),
      { numRuns: 3000 },
    );
    assert.ok(kept > 100, `the fast path was taken ${kept} times`);
  });

  it("lineEditKeepsMarks, given a person's edit inside one line as the attribution service gathers it, says so only when every mark is as before", () => {
    const change = fc.tuple(fc.nat(), fc.integer({ min: 0, max: 3 }), fc.constantFrom('x', ' ', '', 'ab', ';', '\t'));
    let kept = 0;
    fc.assert(
      fc.property(textAndSpans, change, ({ text, spans }, [at, deleted, insertedText]) => {
        const offset = text.length === 0 ? 0 : at % (text.length + 1);
        const deletedLength = Math.min(deleted, text.length - offset);
        if ((deletedLength === 0 && insertedText.length === 0) || /[\r\n]/.test(text.slice(offset, offset + deletedLength))) return;
        const ledger = AttributionLedger.fromSpans(spans);
        const cache = new SpanStatusCache();
        const before = computeLineMarks(text, ledger.spans(), [], cache);
        // The line and the spans on it or next to it, before and after (attributionService.onDidChangeDocument).
        const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
        const lineEndOf = (of: string) => (of.indexOf('\n', lineStart) < 0 ? of.length : of.indexOf('\n', lineStart));
        const lineBefore = text.slice(lineStart, lineEndOf(text));
        const near = (length: number) => ledger.spansInRange(Math.max(0, lineStart - 1), lineStart + length + 2);
        const beforeLine = { lineText: lineBefore, lineStart, spans: near(lineBefore.length), besideBlankLine: false };
        ledger.applyChanges([{ offset, deletedLength, insertedText }], HUMAN);
        const after = text.slice(0, offset) + insertedText + text.slice(offset + deletedLength);
        const lineAfter = after.slice(lineStart, lineEndOf(after));
        const afterLine = { lineText: lineAfter, lineStart, spans: near(lineAfter.length), besideBlankLine: false };
        const keeps = lineEditKeepsMarks(beforeLine, afterLine, cache);
        // Asked again of the same line objects (the facts kept per object) and of copies: the same answer.
        assert.equal(lineEditKeepsMarks(beforeLine, afterLine, cache), keeps);
        assert.equal(lineEditKeepsMarks({ ...beforeLine }, { ...afterLine }, new SpanStatusCache()), keeps);
        if (!keeps) return;
        kept++;
        assert.deepEqual(computeLineMarks(after, ledger.spans()).uncommitted, before.uncommitted);
      }),
      { numRuns: 4000 },
    );
    assert.ok(kept > 50, `the fast path was taken ${kept} times`);
  });

  it("lineEditKeepsMarks looks at each span's facts, not only the line's mark: a blank line below takes its state from the line's last span", () => {
    // Line 0 holds two AI spans, the first already changed by a person (so the line reads
    // "changed by a person" before and after); the blank line 1 lies between line 0 and line 2 (AI),
    // and takes its state from line 0's last span and line 2's.
    const text = 'aaa bbbb\n\nccc\n';
    const ledger = AttributionLedger.fromSpans([]);
    for (const [start, end] of [[0, 3], [4, 8], [10, 13]]) ledger.markRange(start, end, AI, text.slice(start, end));
    ledger.applyChanges([{ offset: 1, deletedLength: 1, insertedText: '' }], HUMAN);
    let current = 'aa bbbb\n\nccc\n';
    const cache = new SpanStatusCache();
    const marksBefore = computeLineMarks(current, ledger.spans(), [], cache).uncommitted;
    const line = (of: string) => ({ lineText: of.slice(0, of.indexOf('\n')), lineStart: 0, spans: ledger.spansInRange(0, of.indexOf('\n') + 2), besideBlankLine: true });
    const before = line(current);
    // A person deletes a character inside the second span: it is now changed by a person too.
    ledger.applyChanges([{ offset: 4, deletedLength: 1, insertedText: '' }], HUMAN);
    current = 'aa bbb\n\nccc\n';
    const after = line(current);
    const marksAfter = computeLineMarks(current, ledger.spans(), [], cache).uncommitted;
    assert.deepEqual(marksAfter.find((mark) => mark.line === 0)?.state, marksBefore.find((mark) => mark.line === 0)?.state, 'line 0 reads the same');
    assert.notDeepEqual(marksAfter.find((mark) => mark.line === 1)?.state, marksBefore.find((mark) => mark.line === 1)?.state, 'the blank line does not');
    assert.equal(lineEditKeepsMarks(before, after, cache), false);
  });
});

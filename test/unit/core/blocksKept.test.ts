import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { AttributedSpan } from '../../../src/core/attribution';
import { AttributionLedger } from '../../../src/core/ledger/attributionLedger';
import { editKeepsReviewBlocks, isBlankLine, type LineWithSpans } from '../../../src/core/review/blocksKept';
import { buildReviewBlocks, countReviewBlocks } from '../../../src/core/review/reviewModel';
import { review, textAndSpans } from '../../support/spanArbitraries';

/** The line holding `offset` (and `more` lines below it) with the spans on them or next to them, as the editor's host reads them. */
function lineAround(text: string, offset: number, ledger: AttributionLedger, more = 0): LineWithSpans {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const lines = text.split('\n');
  const line = text.slice(0, lineStart).split('\n').length - 1;
  const lineText = lines.slice(line, line + 1 + more).join('\n');
  const lineEnd = lineStart + lineText.length;
  // No line above the first or below the last: nothing blank beside it there.
  const besideBlankLine = (line > 0 && isBlankLine(lines[line - 1])) || (line + 1 + more < lines.length && isBlankLine(lines[line + 1 + more]));
  const spans = ledger.spansInRange(Math.max(0, lineStart - 1), lineEnd + 2);
  if (more === 0) return { lineText, lineStart, spans, besideBlankLine };
  // The lines beyond the two, each with its line break (as the host reads them).
  const above = line > 0 && ledger.spansInRange(lineStart - lines[line - 1].length - 1, lineStart).length > 0;
  const below = line + 1 + more < lines.length && ledger.spansInRange(lineEnd + 1, lineEnd + 1 + lines[line + 1 + more].length + 1).length > 0;
  return { lineText, lineStart, spans, besideBlankLine, spansBeside: { above, below } };
}

const blocksOf = (text: string, spans: readonly AttributedSpan[]) => buildReviewBlocks({ path: 'f', text, spans }).map((block) => [block.startLine, block.endLine]);

describe('editKeepsReviewBlocks: an edit inside a line that leaves the review blocks as they were', () => {
  it('never says so when the blocks waiting for review change (their count or lines), and says so for most typing inside AI lines', () => {
    let kept = 0;
    fc.assert(
      fc.property(textAndSpans, fc.nat(), fc.integer({ min: 0, max: 3 }), fc.constantFrom('x', ' ', 'ab', '\t', ';', '', '\n', '\n  ', '\n', '\r\n'), ({ text, spans }, at, deleted, insertedText) => {
        const offset = text.length === 0 ? 0 : at % (text.length + 1);
        const newline = text.indexOf('\n', offset);
        // Inside one line: what is deleted holds no line break; a typed line break deletes nothing.
        const breaks = insertedText.split('\n').length - 1;
        const deletedLength = breaks > 0 ? 0 : Math.min(deleted, (newline < 0 ? text.length : newline) - offset);
        if (deletedLength === 0 && insertedText.length === 0) return;
        const ledger = AttributionLedger.fromSpans(spans);
        const before = lineAround(text, offset, ledger);
        ledger.applyChanges([{ offset, deletedLength, insertedText }], { kind: 'human' });
        const after = text.slice(0, offset) + insertedText + text.slice(offset + deletedLength);
        if (!editKeepsReviewBlocks(before, lineAround(after, offset, ledger, breaks))) return;
        kept++;
        assert.equal(countReviewBlocks({ path: 'f', text: after, spans: ledger.spans() }), countReviewBlocks({ path: 'f', text, spans }));
        // The lines below a typed line break move: the count (what the status bar shows) is what stays.
        if (breaks > 0) return;
        assert.deepEqual(blocksOf(after, ledger.spans()), blocksOf(text, spans));
      }),
      { numRuns: 5000 },
    );
    assert.ok(kept > 600, `the rule held in only ${kept} of 5000 edits`);
  });

  it('never says so for a typed line break that changes the count, on lines without blank ones between them', () => {
    // Non-blank lines, spans of a few insertions: line breaks typed inside AI lines are common here.
    const textAndOneInsertion = fc
      .array(fc.constantFrom('ab', 'c d;', 'x', 'let y = 1;'), { minLength: 1, maxLength: 12 })
      .map((lines) => lines.join('\n') + '\n')
      .chain((text) =>
        fc.tuple(fc.uniqueArray(fc.integer({ min: 0, max: text.length }), { maxLength: 10 }), fc.array(fc.integer({ min: 0, max: 1 }), { minLength: 5, maxLength: 5 })).map(([cuts, insertions]) => {
          const points = [...cuts].sort((a, b) => a - b);
          const spans: AttributedSpan[] = [];
          for (let index = 0; index + 1 < points.length; index += 2) {
            const [start, end] = [points[index], points[index + 1]];
            spans.push({ id: `s${index}`, start, end, origin: { kind: 'inline', tool: 't' }, confidence: 'high', insertedAt: insertions[index / 2], insertedTextHash: '', insertedLength: end - start, humanChangedChars: 0 });
          }
          return { text, spans };
        }),
      );
    let kept = 0;
    /** Kept only because the lines beyond the two were known (a person's line left beside an AI line). */
    let keptBySpansBeside = 0;
    fc.assert(
      fc.property(textAndOneInsertion, fc.nat(), fc.constantFrom('\n', '\n  '), ({ text, spans }, at, insertedText) => {
        const offset = at % (text.length + 1);
        const ledger = AttributionLedger.fromSpans(spans);
        const before = lineAround(text, offset, ledger);
        ledger.applyChanges([{ offset, deletedLength: 0, insertedText }], { kind: 'human' });
        const after = text.slice(0, offset) + insertedText + text.slice(offset);
        const lineAfter = lineAround(after, offset, ledger, 1);
        if (!editKeepsReviewBlocks(before, lineAfter)) return;
        kept++;
        if (!editKeepsReviewBlocks(before, { ...lineAfter, spansBeside: undefined })) keptBySpansBeside++;
        assert.equal(countReviewBlocks({ path: 'f', text: after, spans: ledger.spans() }), countReviewBlocks({ path: 'f', text, spans }));
      }),
      { numRuns: 5000 },
    );
    assert.ok(kept > 20, `the rule held for only ${kept} of 5000 typed line breaks`);
    assert.ok(keptBySpansBeside > 20, `a person's line left beside an AI line was kept in only ${keptBySpansBeside} of 5000 typed line breaks`);
  });

  it('keeps the blocks while a person types inside an AI line, not when the typing splits a span or changes a reviewed one', () => {
    const text = 'const a = compute(1);\nconst b = compute(2);\n';
    const span: AttributedSpan = { id: 'ai', start: 0, end: 21, origin: { kind: 'inline', tool: 'x' }, confidence: 'high', insertedAt: 1, insertedTextHash: '', insertedLength: 21, humanChangedChars: 0 };
    const typeAt = (spans: AttributedSpan[], offset: number, insertedText: string) => {
      const ledger = AttributionLedger.fromSpans(spans);
      const before = lineAround(text, offset, ledger);
      ledger.applyChanges([{ offset, deletedLength: 0, insertedText }], { kind: 'human' });
      return { kept: editKeepsReviewBlocks(before, lineAround(text.slice(0, offset) + insertedText + text.slice(offset), offset, ledger)), spans: ledger.spans() };
    };
    const split = typeAt([span], 10, 'x');
    assert.equal(split.kept, false, 'the first keystroke splits the span');
    assert.equal(typeAt(split.spans, 11, 'y').kept, true, 'the next keystrokes only move offsets');
    assert.equal(typeAt([span], 21, ' ').kept, true, 'typing after the AI text on its line');
    assert.equal(typeAt([span], 0, 'x').kept, true, 'typing before it: the line turns mixed, which matters only beside a blank line');
    const accepted = { ...span, review: review('accepted', text.slice(0, 21)) };
    assert.equal(typeAt([accepted], 21, ' ').kept, false, 'a reviewed span next to the edit');
    const enter = (spans: AttributedSpan[], offset: number) => {
      const ledger = AttributionLedger.fromSpans(spans);
      const before = lineAround(text, offset, ledger);
      ledger.applyChanges([{ offset, deletedLength: 0, insertedText: '\n' }], { kind: 'human' });
      return editKeepsReviewBlocks(before, lineAround(text.slice(0, offset) + '\n' + text.slice(offset), offset, ledger, 1));
    };
    assert.equal(enter(split.spans, 11), true, 'a line break between the parts of one insertion: one block on two lines');
    assert.equal(enter([span], 21), false, 'a line break after the AI text: a human line below it');
    assert.equal(enter([{ ...span, start: 22, end: 43 }], 10), true, 'a line break in a person\'s line above an AI line');
    // Typed at the start of the AI line after a person's code: the person's line stays above the AI line.
    const typedBefore = typeAt([{ ...span, start: 22, end: 43 }], 22, 'x = 1;');
    const textBefore = `${text.slice(0, 22)}x = 1;${text.slice(22)}z();`;
    const breakAt = (spans: AttributedSpan[], body: string, offset: number) => {
      const ledger = AttributionLedger.fromSpans(spans);
      const before = lineAround(body, offset, ledger);
      ledger.applyChanges([{ offset, deletedLength: 0, insertedText: '\n' }], { kind: 'human' });
      return editKeepsReviewBlocks(before, lineAround(body.slice(0, offset) + '\n' + body.slice(offset), offset, ledger, 1));
    };
    assert.equal(breakAt(typedBefore.spans, textBefore, 28), true, 'a person\'s line left above an AI line, below a person\'s line');
    assert.equal(breakAt([{ ...span, id: 'above' }, ...typedBefore.spans], textBefore, 28), false, 'a person\'s line left between two AI lines');
  });
});

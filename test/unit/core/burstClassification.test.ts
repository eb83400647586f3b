import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import type { TextReplacement } from '../../../src/core/attribution';
import { classifyBurst, looksLikeToolEvent, normaliseRanges, type BurstEvent, type BurstVerdict } from '../../../src/core/detection/burstClassification';
import type { OffsetRange } from '../../../src/core/detection/changeClassification';
import { nameIfOnlyCandidate, unknownTool } from '../../../src/core/detection/toolNaming';

function apply(text: string, changes: readonly TextReplacement[]): string {
  let result = text;
  for (const change of [...changes].sort((a, b) => b.offset - a.offset)) {
    result = result.slice(0, change.offset) + change.insertedText + result.slice(change.offset + change.deletedLength);
  }
  return result;
}

function isContent(character: string): boolean {
  return !/[ \t\r\n]/.test(character);
}

/**
 * Reference model: one label per character, moved by every change exactly as the text moves
 * (deleted characters take their labels with them; inserted ones are labelled by whether their
 * event counts), and the burst rules written out plainly over the labels.
 */
function referenceBurst(textBefore: string, events: readonly BurstEvent[], minimum: number, knowsTextBefore = true): { text: string; verdict: BurstVerdict } {
  let text = textBefore;
  let labels: boolean[] = new Array<boolean>(text.length).fill(false);
  const countedInserts: string[] = [];
  for (const event of events) {
    const sizes = event.changes.map((change) => [...change.insertedText].filter(isContent).length);
    const tool =
      event.changes.length >= 2 &&
      ((event.changes.every((change) => change.insertedText === event.changes[0].insertedText) && event.changes[0].insertedText.length > 0 && event.changes[0].insertedText.length <= 200 && !event.changes[0].insertedText.includes('\n')) ||
        sizes.every((size) => size <= 2));
    const counts = !event.excluded && !tool;
    for (const change of [...event.changes].sort((a, b) => b.offset - a.offset)) {
      // A change that only re-lays out the text it replaces is a formatter's, not new text.
      const layoutOnly = knowsTextBefore && text.slice(change.offset, change.offset + change.deletedLength).replace(/[ \t\r\n]/g, '') === change.insertedText.replace(/[ \t\r\n]/g, '');
      labels = [...labels.slice(0, change.offset), ...new Array<boolean>(change.insertedText.length).fill(counts && !layoutOnly), ...labels.slice(change.offset + change.deletedLength)];
      text = text.slice(0, change.offset) + change.insertedText + text.slice(change.offset + change.deletedLength);
      if (!event.excluded && change.insertedText.length > 0) countedInserts.push(change.insertedText);
    }
  }
  const ranges: OffsetRange[] = [];
  for (let index = 0; index < labels.length; index++) {
    if (!labels[index]) continue;
    const last = ranges[ranges.length - 1];
    if (last && last.end === index) ranges[ranges.length - 1] = { start: last.start, end: index + 1 };
    else ranges.push({ start: index, end: index + 1 });
  }
  if (ranges.length === 0) return { text, verdict: { author: 'human', reason: 'nothing-inserted' } };
  const first = countedInserts[0];
  if (countedInserts.length >= 2 && first.length <= 200 && !first.includes('\n') && countedInserts.every((inserted) => inserted === first)) return { text, verdict: { author: 'human', reason: 'rename-like' } };
  if (knowsTextBefore && textBefore.replace(/[ \t\r\n]/g, '') === text.replace(/[ \t\r\n]/g, '')) return { text, verdict: { author: 'human', reason: 'format-like' } };
  let contentChars = 0;
  for (let index = 0; index < labels.length; index++) if (labels[index] && isContent(text[index])) contentChars++;
  if (contentChars < minimum) return { text, verdict: { author: 'human', reason: 'below-threshold', ranges } };
  return { text, verdict: { author: 'ai', ranges, contentChars } };
}

/** Events of non-overlapping changes (as VS Code reports them) over a text that they move. */
const burstArbitrary = fc
  .record({
    textBefore: fc.string({ unit: fc.constantFrom('a', 'b', 'x', ' ', '\n', ';'), maxLength: 30 }),
    knowsTextBefore: fc.boolean(),
    steps: fc.array(
      fc.record({
        changes: fc.array(
          fc.record({
            at: fc.nat(),
            deleted: fc.nat({ max: 6 }),
            inserted: fc.oneof(fc.constantFrom('', '\n', '  ', 'x', 'ab'), fc.string({ unit: fc.constantFrom('a', 'b', 'c', ' ', '\n', '(', ')'), maxLength: 24 })),
          }),
          { minLength: 1, maxLength: 3 },
        ),
        excluded: fc.boolean(),
      }),
      { maxLength: 8 },
    ),
    minimum: fc.integer({ min: 1, max: 30 }),
  })
  .map(({ textBefore, knowsTextBefore, steps, minimum }) => {
    let length = textBefore.length;
    const events: BurstEvent[] = [];
    for (const step of steps) {
      // Place the changes left to right, apart from each other, inside the current text.
      const changes: TextReplacement[] = [];
      let position = 0;
      for (const change of step.changes) {
        if (position > length) break;
        const offset = position + (change.at % (length - position + 1));
        const deletedLength = Math.min(change.deleted, length - offset);
        changes.push({ offset, deletedLength, insertedText: change.inserted });
        position = offset + deletedLength + 1;
      }
      if (changes.length === 0) continue;
      length += changes.reduce((sum, change) => sum + change.insertedText.length - change.deletedLength, 0);
      events.push({ changes, excluded: step.excluded });
    }
    return { textBefore, knowsTextBefore, events, minimum };
  });

describe('detection: bursts of edits to hidden documents', () => {
  const line = (n: number) => `  const value${n} = compute(${n});\n`;

  it('records a stream of small edits, each below the threshold, as one AI burst', () => {
    const textBefore = 'export function build() {\n}\n';
    let text = textBefore;
    const events: BurstEvent[] = [];
    for (let n = 0; n < 6; n++) {
      const offset = text.indexOf('}');
      const changes = [{ offset, deletedLength: 0, insertedText: line(n) }];
      text = apply(text, changes);
      events.push({ changes, excluded: false });
    }
    const verdict = classifyBurst({ events, textBefore, textAfter: text, minimumContentChars: 40 });
    assert.equal(verdict.author, 'ai');
    assert.ok(verdict.author === 'ai');
    assert.deepEqual(verdict.ranges, [{ start: textBefore.indexOf('}'), end: text.lastIndexOf('}') }]);
  });

  it('records delete-then-stream: the old body goes, the streamed body is the AI text', () => {
    const textBefore = 'function f() {\n  return oldImplementation(1, 2, 3);\n}\n';
    const bodyStart = textBefore.indexOf('  return');
    const bodyEnd = textBefore.indexOf('}');
    const deletion = [{ offset: bodyStart, deletedLength: bodyEnd - bodyStart, insertedText: '' }];
    let text = apply(textBefore, deletion);
    const events: BurstEvent[] = [{ changes: deletion, excluded: false }];
    for (let n = 0; n < 3; n++) {
      const changes = [{ offset: text.indexOf('}'), deletedLength: 0, insertedText: line(n) }];
      text = apply(text, changes);
      events.push({ changes, excluded: false });
    }
    const verdict = classifyBurst({ events, textBefore, textAfter: text, minimumContentChars: 40 });
    assert.ok(verdict.author === 'ai');
    assert.equal(text.slice(verdict.ranges[0].start, verdict.ranges[0].end), line(0) + line(1) + line(2));
  });

  it('keeps rename-like, format-like and small bursts human', () => {
    const textBefore = 'let total = 1;\nlet other = total + total;\n';
    const rename = [
      { offset: 4, deletedLength: 5, insertedText: 'grandTotalAfterDiscounts' },
      { offset: 27, deletedLength: 5, insertedText: 'grandTotalAfterDiscounts' },
    ];
    const renamed = apply(textBefore, rename);
    const second = [{ offset: renamed.lastIndexOf('total'), deletedLength: 5, insertedText: 'grandTotalAfterDiscounts' }];
    assert.deepEqual(classifyBurst({ events: [{ changes: rename, excluded: false }, { changes: second, excluded: false }], textBefore, textAfter: apply(renamed, second), minimumContentChars: 5 }), {
      author: 'human',
      reason: 'rename-like',
    });
    const reformatted = 'let total=1;\n\nlet other=total+total;';
    const whole = [{ offset: 0, deletedLength: textBefore.length, insertedText: reformatted }];
    // A whole-file re-layout: the one change only re-lays out what it replaced.
    assert.deepEqual(classifyBurst({ events: [{ changes: whole, excluded: false }], textBefore, textAfter: reformatted, minimumContentChars: 5 }), { author: 'human', reason: 'nothing-inserted' });
    // Text taken out and put back in a later edit (a formatter that works line by line): the burst as a whole changed only layout.
    const cut = [{ offset: 0, deletedLength: 15, insertedText: '' }];
    const putBack = [{ offset: 0, deletedLength: 0, insertedText: 'let total = 1;\n\n' }];
    assert.deepEqual(
      classifyBurst({ events: [{ changes: cut, excluded: false }, { changes: putBack, excluded: false }], textBefore, textAfter: apply(apply(textBefore, cut), putBack), minimumContentChars: 5 }),
      { author: 'human', reason: 'format-like' },
    );
    const small = [{ offset: 0, deletedLength: 0, insertedText: '// ok\n' }];
    assert.deepEqual(classifyBurst({ events: [{ changes: small, excluded: false }], textBefore, textAfter: apply(textBefore, small), minimumContentChars: 40 }), {
      author: 'human',
      reason: 'below-threshold',
      ranges: [{ start: 0, end: 6 }],
    });
  });

  it('does not count a formatter\'s re-indent in the same burst as a rename', () => {
    const name = 'runningSubtotalBeforeTaxesAndDiscountsAreApplied';
    const textBefore = 'export function report(subtotal) {\nreturn subtotal;\n}\n';
    const rename = [
      { offset: textBefore.indexOf('subtotal'), deletedLength: 8, insertedText: name },
      { offset: textBefore.lastIndexOf('subtotal'), deletedLength: 8, insertedText: name },
    ];
    const renamed = apply(textBefore, rename);
    const lineStart = renamed.indexOf('return');
    const lineEnd = renamed.indexOf('\n', lineStart);
    const format = [{ offset: lineStart, deletedLength: lineEnd - lineStart, insertedText: `  ${renamed.slice(lineStart, lineEnd)}` }];
    const formatted = apply(renamed, format);
    const events: BurstEvent[] = [{ changes: rename, excluded: true }, { changes: format, excluded: false }];
    assert.deepEqual(classifyBurst({ events, textBefore, textAfter: formatted, minimumContentChars: 40 }), { author: 'human', reason: 'nothing-inserted' });
    // Without the text before the burst the re-indent cannot be told from new text.
    assert.equal(classifyBurst({ events, textBefore: undefined, textAfter: formatted, minimumContentChars: 40 }).author, 'ai');
  });

  it('moves and cuts counted text through excluded events, and counts text decided late', () => {
    const textBefore = '';
    const agent = [{ offset: 0, deletedLength: 0, insertedText: 'abcdefghij' }];
    const person = [{ offset: 2, deletedLength: 3, insertedText: 'XY' }];
    const text = apply(apply(textBefore, agent), person);
    const verdict = classifyBurst({ events: [{ changes: agent, excluded: false }, { changes: person, excluded: true }], textBefore, textAfter: text, minimumContentChars: 1 });
    assert.deepEqual(verdict, { author: 'ai', ranges: [{ start: 0, end: 2 }, { start: 4, end: 9 }], contentChars: 7 });
    const late = classifyBurst({ events: [], textBefore: undefined, textAfter: text, alsoInserted: [{ start: 0, end: 9 }], minimumContentChars: 9 });
    assert.deepEqual(late, { author: 'ai', ranges: [{ start: 0, end: 9 }], contentChars: 9 });
  });

  it('tells formatter and codemod events from streamed ones', () => {
    assert.equal(looksLikeToolEvent([{ offset: 0, deletedLength: 0, insertedText: 'const value = 1;\n' }]), false);
    assert.equal(looksLikeToolEvent([{ offset: 0, deletedLength: 0, insertedText: ';' }, { offset: 9, deletedLength: 1, insertedText: '"' }]), true);
    assert.equal(looksLikeToolEvent([{ offset: 0, deletedLength: 3, insertedText: 'newName' }, { offset: 9, deletedLength: 3, insertedText: 'newName' }]), true);
  });

  it('agrees with the per-character reference model on generated bursts', () => {
    fc.assert(
      fc.property(burstArbitrary, ({ textBefore, knowsTextBefore, events, minimum }) => {
        const reference = referenceBurst(textBefore, events, minimum, knowsTextBefore);
        let text = textBefore;
        for (const event of events) text = apply(text, event.changes);
        assert.equal(text, reference.text);
        assert.deepEqual(classifyBurst({ events, textBefore: knowsTextBefore ? textBefore : undefined, textAfter: text, minimumContentChars: minimum }), reference.verdict);
      }),
      { numRuns: 3000, seed: 12 },
    );
  });

  it('joins ranges that touch or overlap', () => {
    assert.deepEqual(normaliseRanges([{ start: 5, end: 7 }, { start: 0, end: 2 }, { start: 2, end: 3 }, { start: 6, end: 9 }, { start: 4, end: 4 }]), [
      { start: 0, end: 3 },
      { start: 5, end: 9 },
    ]);
  });
});

describe('detection: naming the tool', () => {
  it('names a tool only when it is the only candidate, and otherwise keeps the candidates', () => {
    assert.deepEqual(nameIfOnlyCandidate(['fake-ai']), { tool: 'fake-ai' });
    assert.deepEqual(nameIfOnlyCandidate(['github-copilot', 'github-copilot']), { tool: 'github-copilot' });
    assert.deepEqual(nameIfOnlyCandidate(['tabnine', 'github-copilot']), { tool: 'unknown-ai', candidates: ['github-copilot', 'tabnine'] });
    assert.deepEqual(nameIfOnlyCandidate([]), { tool: 'unknown-ai' });
    assert.deepEqual(unknownTool(['github-copilot']), { tool: 'unknown-ai', candidates: ['github-copilot'] });
    assert.deepEqual(unknownTool([]), { tool: 'unknown-ai' });
  });
});

import assert from 'node:assert/strict';
import type { AttributedSpan, EditAuthor, Origin } from '../../../src/core/attribution';
import { AttributionLedger, type LedgerOptions } from '../../../src/core/ledger/attributionLedger';
import { sha256Hex } from '../../../src/core/textHash';
import { acceptedReview, spanAt } from '../../support/spans';

const copilot: Origin = { kind: 'inline', tool: 'github-copilot', model: 'gpt-x' };
const claude: Origin = { kind: 'agent', tool: 'claude-code' };
const human: EditAuthor = { kind: 'human' };
const ai = (origin: Origin = copilot, insertedAt = 1000): EditAuthor => ({ kind: 'ai', origin, confidence: 'high', insertedAt });
const review = acceptedReview({ intent: 'parse the config', scope: ['files'], reviewer: { name: 'Ann', email: 'ann@example.com' }, textHash: 'abc' });

function counterIds(): () => string {
  let next = 0;
  return () => `id${next++}`;
}

function options(extra: LedgerOptions = {}): LedgerOptions {
  return { newId: counterIds(), now: () => 42, ...extra };
}

function span(id: string, start: number, end: number, extra: Partial<AttributedSpan> = {}): AttributedSpan {
  return spanAt(id, start, end, { origin: copilot, insertedAt: 1, insertedTextHash: `hash-${id}`, ...extra });
}

/** [id, start, end] of every span. */
function layout(ledger: AttributionLedger): Array<[string, number, number]> {
  return ledger.spans().map((s) => [s.id, s.start, s.end]);
}

const ins = (offset: number, text: string) => ({ offset, deletedLength: 0, insertedText: text });
const del = (offset: number, length: number) => ({ offset, deletedLength: length, insertedText: '' });
const rep = (offset: number, length: number, text: string) => ({ offset, deletedLength: length, insertedText: text });

describe('AttributionLedger', () => {
  describe('fromSpans', () => {
    it('accepts sorted, adjacent, non-overlapping spans', () => {
      const ledger = AttributionLedger.fromSpans([span('a', 0, 5), span('b', 5, 9), span('c', 20, 30)]);
      assert.deepEqual(layout(ledger), [['a', 0, 5], ['b', 5, 9], ['c', 20, 30]]);
      assert.equal(ledger.spanCount, 3);
    });

    it('rejects overlapping, unsorted, empty, fractional and negative spans with a clear message', () => {
      assert.throws(() => AttributionLedger.fromSpans([span('a', 0, 5), span('b', 4, 9)]), /must not overlap/);
      assert.throws(() => AttributionLedger.fromSpans([span('a', 10, 15), span('b', 0, 5)]), /sorted/);
      assert.throws(() => AttributionLedger.fromSpans([span('a', 3, 3)]), /empty or reversed/);
      assert.throws(() => AttributionLedger.fromSpans([span('a', 1.5, 3)]), /integers/);
      assert.throws(() => AttributionLedger.fromSpans([span('a', -1, 3)]), /integers/);
      assert.throws(() => AttributionLedger.fromSpans([span('a', 0, 3), span('a', 4, 6)]), /duplicate span id/);
    });

    it('round-trips every field, review included', () => {
      const original = [span('a', 2, 8, { review, humanChangedChars: 3, insertedLength: 9, confidence: 'low' })];
      assert.deepEqual(AttributionLedger.fromSpans(original).spans(), original);
    });
  });

  describe('human edits', () => {
    it('insert before a span shifts it; insert after leaves it', () => {
      const ledger = AttributionLedger.fromSpans([span('a', 10, 20)], options());
      ledger.applyChanges([ins(3, 'xyz')], human);
      assert.deepEqual(layout(ledger), [['a', 13, 23]]);
      ledger.applyChanges([ins(30, 'xyz')], human);
      assert.deepEqual(layout(ledger), [['a', 13, 23]]);
    });

    it('insert exactly at either boundary does not join the span', () => {
      const ledger = AttributionLedger.fromSpans([span('a', 10, 20)], options());
      ledger.applyChanges([ins(10, 'ab')], human);
      assert.deepEqual(layout(ledger), [['a', 12, 22]]);
      ledger.applyChanges([ins(22, 'ab')], human);
      assert.deepEqual(layout(ledger), [['a', 12, 22]]);
      assert.equal(ledger.spans()[0].humanChangedChars, 0);
    });

    it('insert inside splits the span: left keeps the id, right gets a new one, both keep the record', () => {
      const ledger = AttributionLedger.fromSpans([span('a', 10, 20, { review })], options());
      ledger.applyChanges([ins(14, 'xy')], human);
      assert.deepEqual(layout(ledger), [['a', 10, 14], ['id0', 16, 22]]);
      const [left, right] = ledger.spans();
      for (const part of [left, right]) {
        assert.equal(part.humanChangedChars, 2);
        assert.equal(part.insertedLength, 10);
        assert.equal(part.insertedTextHash, 'hash-a');
        assert.equal(part.insertedAt, 1);
        assert.deepEqual(part.origin, copilot);
        assert.deepEqual(part.review, review, 'a review survives a human edit');
      }
    });

    it('delete inside shrinks without splitting and counts the deleted characters', () => {
      const ledger = AttributionLedger.fromSpans([span('a', 10, 20)], options());
      ledger.applyChanges([del(12, 3)], human);
      assert.deepEqual(layout(ledger), [['a', 10, 17]]);
      assert.equal(ledger.spans()[0].humanChangedChars, 3);
    });

    it('delete across boundaries trims both spans and drops the one wholly inside', () => {
      const ledger = AttributionLedger.fromSpans([span('a', 0, 10), span('b', 12, 15), span('c', 20, 30), span('d', 40, 50)], options());
      ledger.applyChanges([del(5, 20)], human);
      assert.deepEqual(layout(ledger), [['a', 0, 5], ['c', 5, 10], ['d', 20, 30]]);
      const [a, c] = ledger.spans();
      assert.equal(a.humanChangedChars, 5);
      assert.equal(c.humanChangedChars, 5);
    });

    it('deleting all of a span drops it', () => {
      const ledger = AttributionLedger.fromSpans([span('a', 10, 20)], options());
      ledger.applyChanges([del(10, 10)], human);
      assert.equal(ledger.spanCount, 0);
      assert.deepEqual(ledger.spans(), []);
    });

    it('replace spanning two spans trims both; the inserted text is human', () => {
      const ledger = AttributionLedger.fromSpans([span('a', 0, 10), span('b', 10, 20)], options());
      ledger.applyChanges([rep(8, 4, 'XYZWV')], human);
      assert.deepEqual(layout(ledger), [['a', 0, 8], ['b', 13, 21]]);
      assert.deepEqual(ledger.spans().map((s) => s.humanChangedChars), [2, 2]);
      assert.equal(ledger.spanAt(10), undefined);
    });

    it('replace strictly inside counts replaced plus inserted characters', () => {
      const ledger = AttributionLedger.fromSpans([span('a', 0, 20)], options());
      ledger.applyChanges([rep(5, 3, 'abc')], human);
      assert.deepEqual(layout(ledger), [['a', 0, 5], ['id0', 8, 20]]);
      assert.deepEqual(ledger.spans().map((s) => s.humanChangedChars), [6, 6]);
    });

    it('multi-change events give the same result in any order', () => {
      const changes = [ins(2, 'aa'), del(12, 3), rep(25, 2, 'zzzz'), ins(40, 'q')];
      const results = [changes, changes.slice().reverse(), [changes[2], changes[0], changes[3], changes[1]]].map((order) => {
        const ledger = AttributionLedger.fromSpans([span('a', 0, 10), span('b', 10, 20), span('c', 22, 30), span('d', 35, 45)], options());
        ledger.applyChanges(order, human);
        return ledger.spans();
      });
      assert.deepEqual(results[1], results[0]);
      assert.deepEqual(results[2], results[0]);
      assert.deepEqual(
        results[0].map((s) => [s.id, s.start, s.end]),
        // Changes apply by descending offset, so new ids are handed out from the end of the text.
        [['a', 0, 2], ['id2', 4, 12], ['b', 12, 19], ['c', 21, 24], ['id1', 28, 31], ['d', 36, 41], ['id0', 42, 47]],
      );
    });

    it('rejects overlapping or malformed changes without changing anything', () => {
      const ledger = AttributionLedger.fromSpans([span('a', 0, 10)], options());
      assert.throws(() => ledger.applyChanges([del(2, 5), ins(4, 'x')], human), /overlap/);
      assert.throws(() => ledger.applyChanges([ins(4, 'x'), ins(4, 'y')], human), /overlap/);
      assert.throws(() => ledger.applyChanges([ins(-1, 'x')], human), /offset/);
      assert.throws(() => ledger.applyChanges([{ offset: 1, deletedLength: 0.5, insertedText: '' }], human), /deletedLength/);
      assert.deepEqual(layout(ledger), [['a', 0, 10]]);
    });

    it('rejects a malformed author before changing anything', () => {
      const ledger = AttributionLedger.fromSpans([span('a', 0, 10)], options());
      const noOrigin = { kind: 'ai', confidence: 'high' } as unknown as EditAuthor;
      assert.throws(() => ledger.applyChanges([ins(20, 'x'), ins(2, 'y')], noOrigin), /origin/);
      assert.throws(() => ledger.applyChanges([ins(2, 'y')], { kind: 'robot' } as unknown as EditAuthor), /author kind/);
      assert.throws(() => ledger.markRange(0, 2, { kind: 'ai', origin: copilot, confidence: 'sure' } as unknown as EditAuthor), /confidence/);
      assert.deepEqual(layout(ledger), [['a', 0, 10]]);
      assert.equal(ledger.undoDepth, 0);
    });

    it('accepts an insert touching a replacement at the same offset', () => {
      const ledger = AttributionLedger.fromSpans([span('a', 0, 10)], options());
      ledger.applyChanges([ins(4, 'xy'), del(4, 2)], human);
      assert.deepEqual(layout(ledger), [['a', 0, 4], ['id0', 6, 10]]);
      assert.equal(ledger.spans()[0].humanChangedChars, 4);
    });
  });

  describe('AI edits', () => {
    it('gives new spans uuid v4 ids and the current time by default', () => {
      const ledger = new AttributionLedger();
      const before = Date.now();
      ledger.applyChanges([ins(0, 'abc')], { kind: 'ai', origin: copilot, confidence: 'high' });
      const [added] = ledger.spans();
      assert.match(added.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.ok(added.insertedAt >= before && added.insertedAt <= Date.now());
    });

    it('creates a new span with hash, length and time', () => {
      const ledger = new AttributionLedger(options());
      ledger.applyChanges([ins(5, 'const x = 1;')], { kind: 'ai', origin: claude, confidence: 'medium' });
      assert.deepEqual(ledger.spans(), [
        {
          id: 'id0',
          start: 5,
          end: 17,
          origin: claude,
          confidence: 'medium',
          insertedAt: 42,
          insertedTextHash: sha256Hex('const x = 1;'),
          insertedLength: 12,
          humanChangedChars: 0,
        },
      ]);
    });

    it('joins a touching span of the same origin on either side, keeping the existing id', () => {
      const ledger = AttributionLedger.fromSpans([span('a', 0, 10), span('b', 20, 30)], options());
      ledger.applyChanges([ins(10, 'xyz')], ai());
      assert.deepEqual(layout(ledger), [['a', 0, 13], ['b', 23, 33]]);
      assert.equal(ledger.spans()[0].insertedLength, 13);
      assert.equal(ledger.spans()[0].insertedTextHash, sha256Hex(`hash-a${sha256Hex('xyz')}`));
      ledger.applyChanges([ins(23, 'uv')], ai());
      assert.deepEqual(layout(ledger), [['a', 0, 13], ['b', 23, 35]]);
      assert.equal(ledger.spans()[1].insertedLength, 12);
    });

    it('joins both neighbours into the left one when it fills the gap between them', () => {
      const ledger = AttributionLedger.fromSpans([span('a', 0, 10), span('b', 12, 20, { humanChangedChars: 2 })], options());
      ledger.applyChanges([rep(10, 2, 'QQQ')], ai());
      assert.deepEqual(layout(ledger), [['a', 0, 21]]);
      assert.equal(ledger.spans()[0].insertedLength, 10 + 3 + 8);
      assert.equal(ledger.spans()[0].humanChangedChars, 2);
    });

    it('an AI insert inside a span of the same origin grows it', () => {
      const ledger = AttributionLedger.fromSpans([span('a', 0, 10)], options());
      ledger.applyChanges([ins(4, 'xx')], ai());
      assert.deepEqual(layout(ledger), [['a', 0, 12]]);
      assert.equal(ledger.spans()[0].humanChangedChars, 0);
    });

    it('does not join a span of another origin (model or session differ)', () => {
      const ledger = AttributionLedger.fromSpans([span('a', 0, 10)], options());
      ledger.applyChanges([ins(10, 'xx')], ai({ ...copilot, session: 's1' }));
      assert.deepEqual(layout(ledger), [['a', 0, 10], ['id0', 10, 12]]);
      ledger.applyChanges([ins(4, 'yy')], ai(claude));
      assert.deepEqual(layout(ledger), [['a', 0, 4], ['id1', 4, 6], ['id2', 6, 12], ['id0', 12, 14]]);
    });

    it('an AI insert inside a reviewed span makes a new unreviewed span and splits the reviewed one', () => {
      const ledger = AttributionLedger.fromSpans([span('a', 0, 10, { review })], options());
      ledger.applyChanges([ins(5, 'abc')], ai());
      assert.deepEqual(layout(ledger), [['a', 0, 5], ['id0', 5, 8], ['id1', 8, 13]]);
      const [left, added, right] = ledger.spans();
      assert.deepEqual(left.review, review);
      assert.equal(added.review, undefined);
      assert.deepEqual(right.review, review);
      assert.equal(right.humanChangedChars, 0);
    });

    it('an AI edit next to a reviewed span does not join it', () => {
      const ledger = AttributionLedger.fromSpans([span('a', 0, 10, { review })], options());
      ledger.applyChanges([ins(10, 'z')], ai());
      assert.deepEqual(layout(ledger), [['a', 0, 10], ['id0', 10, 11]]);
    });

    it('an AI deletion trims spans without counting human changes', () => {
      const ledger = AttributionLedger.fromSpans([span('a', 0, 10)], options());
      ledger.applyChanges([del(3, 4)], ai());
      assert.deepEqual(layout(ledger), [['a', 0, 6]]);
      assert.equal(ledger.spans()[0].humanChangedChars, 0);
    });
  });

  describe('markRange', () => {
    it('marks human text as a new AI span, splitting a span it lies in', () => {
      const ledger = AttributionLedger.fromSpans([span('a', 0, 20)], options());
      ledger.markRange(5, 8, ai(claude), 'abc');
      assert.deepEqual(layout(ledger), [['a', 0, 5], ['id1', 5, 8], ['id0', 8, 20]]);
      assert.equal(ledger.spans()[1].insertedTextHash, sha256Hex('abc'));
      assert.equal(ledger.spans()[1].insertedLength, 3);
      assert.throws(() => ledger.markRange(0, 2, ai(), 'abc'), /length/);
    });

    it('a human mark makes a range human, trimming every span it covers', () => {
      const ledger = AttributionLedger.fromSpans([span('a', 0, 10), span('b', 12, 14), span('c', 16, 30)], options());
      ledger.markRange(5, 20, human);
      assert.deepEqual(layout(ledger), [['a', 0, 5], ['c', 20, 30]]);
      assert.deepEqual(ledger.spans().map((s) => s.humanChangedChars), [0, 0]);
    });

    it('clears undo history', () => {
      const ledger = new AttributionLedger(options());
      ledger.applyChanges([ins(0, 'abc')], ai());
      ledger.markRange(0, 1, human);
      assert.equal(ledger.undoDepth, 0);
      assert.equal(ledger.applyUndo([del(0, 3)]), false);
      assert.equal(ledger.spanCount, 0);
    });
  });

  describe('setReview and queries', () => {
    it('sets and clears a review by id', () => {
      const ledger = AttributionLedger.fromSpans([span('a', 0, 10), span('b', 12, 20)], options());
      assert.equal(ledger.setReview('b', review), true);
      assert.deepEqual(ledger.spans()[1].review, review);
      assert.equal(ledger.setReview('b', undefined), true);
      assert.equal('review' in ledger.spans()[1], false);
      assert.equal(ledger.setReview('zzz', review), false);
    });

    it('finds spans by offset and range', () => {
      const ledger = AttributionLedger.fromSpans([span('a', 0, 10), span('b', 10, 20), span('c', 30, 40)], options());
      assert.equal(ledger.spanAt(0)?.id, 'a');
      assert.equal(ledger.spanAt(9)?.id, 'a');
      assert.equal(ledger.spanAt(10)?.id, 'b');
      assert.equal(ledger.spanAt(25), undefined);
      assert.equal(ledger.spanAt(40), undefined);
      assert.deepEqual(ledger.spansInRange(10, 30).map((s) => s.id), ['b']);
      assert.deepEqual(ledger.spansInRange(9, 31).map((s) => s.id), ['a', 'b', 'c']);
      assert.deepEqual(ledger.spansInRange(20, 30), []);
    });
  });

  describe('undo and redo', () => {
    it('one undo event reverts several typed characters at once and restores the split span', () => {
      const ledger = AttributionLedger.fromSpans([span('a', 0, 20)], options());
      ledger.applyChanges([ins(5, 'a')], human);
      ledger.applyChanges([ins(6, 'b')], human);
      ledger.applyChanges([ins(7, 'c')], human);
      assert.deepEqual(layout(ledger), [['a', 0, 5], ['id0', 8, 23]]);
      assert.equal(ledger.applyUndo([del(5, 3)]), true);
      assert.deepEqual(ledger.spans(), [span('a', 0, 20)]);
      assert.equal(ledger.redoDepth, 3);
      assert.equal(ledger.applyRedo([ins(5, 'abc')]), true);
      assert.deepEqual(layout(ledger), [['a', 0, 5], ['id0', 8, 23]]);
      assert.equal(ledger.spans()[0].humanChangedChars, 1);
    });

    it('undo of an AI insert removes the span; redo brings back the same id', () => {
      const ledger = AttributionLedger.fromSpans([span('a', 0, 10)], options());
      ledger.applyChanges([ins(20, 'hello')], ai(claude));
      const added = ledger.spans()[1];
      assert.equal(ledger.applyUndo([del(20, 5)]), true);
      assert.deepEqual(layout(ledger), [['a', 0, 10]]);
      assert.equal(ledger.applyRedo([ins(20, 'hello')]), true);
      assert.deepEqual(ledger.spans()[1], added);
    });

    it('undo of a deletion brings the deleted AI text back as AI', () => {
      const ledger = AttributionLedger.fromSpans([span('a', 0, 10), span('b', 15, 25)], options());
      ledger.applyChanges([del(5, 15)], human);
      assert.equal(ledger.applyUndo([ins(5, 'x'.repeat(15))]), true);
      assert.deepEqual(ledger.spans(), [span('a', 0, 10), span('b', 15, 25)]);
    });

    it('undoes a multi-change event reported in another order', () => {
      const ledger = AttributionLedger.fromSpans([span('a', 0, 10), span('b', 20, 30)], options());
      const before = ledger.spans();
      ledger.applyChanges([ins(25, 'yy'), ins(5, 'xx')], human);
      assert.equal(ledger.applyUndo([del(5, 2), del(27, 2)]), true);
      assert.deepEqual(ledger.spans(), before);
    });

    it('an unmatched undo is applied as a human edit and clears history', () => {
      const ledger = AttributionLedger.fromSpans([span('a', 0, 10)], options());
      ledger.applyChanges([ins(3, 'q')], ai(claude));
      assert.equal(ledger.applyUndo([del(0, 2)]), false);
      assert.deepEqual(layout(ledger), [['a', 0, 1], ['id0', 1, 2], ['id1', 2, 9]]);
      assert.equal(ledger.undoDepth, 0);
      assert.equal(ledger.applyRedo([ins(0, 'zz')]), false);
    });

    it('a new edit clears the redo stack', () => {
      const ledger = new AttributionLedger(options());
      ledger.applyChanges([ins(0, 'abc')], ai());
      ledger.applyUndo([del(0, 3)]);
      ledger.applyChanges([ins(0, 'z')], human);
      assert.equal(ledger.redoDepth, 0);
      assert.equal(ledger.applyRedo([ins(0, 'abc')]), false);
    });

    it('keeps at most historyLimit entries', () => {
      const ledger = new AttributionLedger(options({ historyLimit: 2 }));
      ledger.applyChanges([ins(0, 'a')], ai());
      ledger.applyChanges([ins(1, 'b')], human);
      ledger.applyChanges([ins(2, 'c')], human);
      assert.equal(ledger.undoDepth, 2);
      assert.equal(ledger.applyUndo([del(1, 2)]), true);
      assert.equal(ledger.applyUndo([del(0, 1)]), false, 'the AI insert fell out of history');
      assert.equal(ledger.spanCount, 0);
    });

    it('an undo event with no effective change does nothing and reports no match', () => {
      const ledger = new AttributionLedger(options());
      ledger.applyChanges([ins(0, 'ab')], ai());
      assert.equal(ledger.applyUndo([ins(1, '')]), false);
      assert.equal(ledger.undoDepth, 1);
      assert.deepEqual(layout(ledger), [['id0', 0, 2]]);
    });

    it('picks the smallest number of entries that matches', () => {
      const ledger = new AttributionLedger(options());
      ledger.applyChanges([ins(0, 'ab')], ai());
      ledger.applyChanges([ins(2, 'c')], human);
      assert.equal(ledger.applyUndo([del(2, 1)]), true);
      assert.deepEqual(layout(ledger), [['id0', 0, 2]]);
      assert.equal(ledger.applyUndo([del(0, 2)]), true);
      assert.equal(ledger.spanCount, 0);
    });
  });
});

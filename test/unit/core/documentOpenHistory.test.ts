import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { DocumentOpenHistory } from '../../../src/core/detection/documentOpenHistory';

const RETAIN_MS = 100;
const KEYS = ['a.ts', 'b.ts', 'c.ts'];

describe('DocumentOpenHistory: whether a document was open when its file was written', () => {
  it('counts a write made before a quick close as the editor\'s, and one after it as not', () => {
    const history = new DocumentOpenHistory(60_000);
    history.opened('a.ts', 1_000);
    history.closed('a.ts', 2_000); // Ctrl+S at 1.9 s, Ctrl+W at 2 s
    assert.equal(history.wasOpenAt('a.ts', 1_900), true);
    assert.equal(history.wasOpenAt('a.ts', 2_500), false);
    assert.equal(history.wasOpenAt('a.ts', 900), false);
    history.opened('a.ts', 3_000); // opened again (a background reopen)
    assert.equal(history.wasOpenAt('a.ts', 1_900), true, 'the earlier period is still known');
    assert.equal(history.wasOpenAt('a.ts', 2_500), false);
    assert.equal(history.wasOpenAt('a.ts', 9_000), true);
  });

  it('forgets closed periods after the retention, and keeps open ones', () => {
    const history = new DocumentOpenHistory(1_000);
    history.opened('a.ts', 0);
    history.opened('b.ts', 0);
    history.closed('a.ts', 10);
    history.closed('c.ts', 20); // never opened: nothing to close
    assert.equal(history.wasOpenAt('a.ts', 5), true);
    history.opened('c.ts', 3_000);
    history.closed('c.ts', 3_000);
    assert.equal(history.wasOpenAt('a.ts', 5), false, 'closed 3 s ago: forgotten');
    assert.equal(history.wasOpenAt('b.ts', 5), true, 'still open');
  });

  it('agrees with keeping every period, within the retention (open at a time, and the last closing)', () => {
    const step = fc.record({ gap: fc.integer({ min: 0, max: 40 }), key: fc.constantFrom(...KEYS), open: fc.boolean() });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), fc.array(fc.tuple(fc.constantFrom(...KEYS), fc.integer({ min: 0, max: RETAIN_MS + 40 })), { minLength: 1, maxLength: 8 }), (steps, questions) => {
        const history = new DocumentOpenHistory(RETAIN_MS, 1_000);
        const periods: Array<{ key: string; openedAt: number; closedAt: number | undefined }> = [];
        let now = 0;
        for (const { gap, key, open } of steps) {
          now += gap;
          const current = periods.find((period) => period.key === key && period.closedAt === undefined);
          if (open) {
            history.opened(key, now);
            if (!current) periods.push({ key, openedAt: now, closedAt: undefined });
          } else {
            history.closed(key, now);
            if (current) current.closedAt = now;
          }
        }
        for (const [key, back] of questions) {
          const time = now - back;
          if (time < now - RETAIN_MS) continue; // older than what is kept
          const expected = periods.some((period) => period.key === key && period.openedAt <= time && (period.closedAt === undefined || period.closedAt >= time));
          assert.equal(history.wasOpenAt(key, time), expected, `${key} at ${time}`);
        }
        for (const key of KEYS) {
          const last = periods.filter((period) => period.key === key).pop();
          if (last?.closedAt !== undefined && last.closedAt < now - RETAIN_MS) continue; // may be forgotten
          assert.equal(history.closedAt(key), last?.closedAt, `${key} closed at`);
        }
      }),
      { numRuns: 500 },
    );
  });
});

import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { ChangeListingHistory } from '../../../src/core/detection/changeListingHistory';

const RETAIN_MS = 100;
const FILES = ['a.ts', 'b.ts', 'c.ts', 'd.ts'];

/** Reference model: every listing kept whole; the answer is the last one published before the time. */
function referenceListedBefore(listings: ReadonlyArray<{ at: number; listed: ReadonlySet<string> }>, key: string, time: number): boolean | undefined {
  const before = listings.filter((listing) => listing.at < time);
  return before.length === 0 ? undefined : before[before.length - 1].listed.has(key);
}

describe('ChangeListingHistory: what the status listing said before a time', () => {
  it('answers from the last listing published before the time, not from a newer one that may hold the write', () => {
    const history = new ChangeListingHistory(60_000);
    history.record(1_000, []);
    history.record(2_000, ['src/closed.ts']);
    assert.equal(history.listedBefore('src/closed.ts', 1_500), false, 'the write at 1.5 s came before the listing that holds it');
    assert.equal(history.listedBefore('src/closed.ts', 2_000), false, 'a listing published at the write may already hold it');
    assert.equal(history.listedBefore('src/closed.ts', 2_001), true);
    assert.equal(history.listedBefore('src/closed.ts', 900), undefined, 'no listing before 0.9 s');
    assert.equal(history.listedBefore('src/other.ts', 5_000), false);
  });

  it('gives no answer once the changes after a time are forgotten', () => {
    const history = new ChangeListingHistory(1_000);
    history.record(0, ['a.ts']);
    history.record(500, []);
    history.record(5_000, ['b.ts']);
    assert.equal(history.listedBefore('a.ts', 400), undefined, 'the change at 0.5 s is no longer kept');
    assert.equal(history.listedBefore('a.ts', 501), false);
    assert.equal(history.listedBefore('b.ts', 4_999), false);
  });

  it('agrees with keeping every listing whole, within what it keeps', () => {
    const listing = fc.record({ gap: fc.integer({ min: 0, max: 60 }), listed: fc.subarray(FILES) });
    fc.assert(
      fc.property(fc.array(listing, { maxLength: 25 }), fc.array(fc.tuple(fc.constantFrom(...FILES), fc.integer({ min: -10, max: 1_600 })), { minLength: 1, maxLength: 10 }), (steps, questions) => {
        const history = new ChangeListingHistory(RETAIN_MS);
        const listings: Array<{ at: number; listed: ReadonlySet<string> }> = [];
        let at = 0;
        for (const step of steps) {
          at += step.gap;
          history.record(at, step.listed);
          listings.push({ at, listed: new Set(step.listed) });
          for (const [key, time] of questions) {
            const answer = history.listedBefore(key, time);
            const expected = referenceListedBefore(listings, key, time);
            if (answer !== undefined) assert.equal(answer, expected, `${key} before ${time} after ${listings.length} listings`);
            // Within the kept window every answer the model has is given.
            else if (time > at - RETAIN_MS) assert.equal(expected, undefined, `${key} before ${time}: an answer within the window`);
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});

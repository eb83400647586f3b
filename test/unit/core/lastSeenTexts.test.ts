import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { LastSeenTexts } from '../../../src/core/detection/lastSeenTexts';

const KEYS = ['a.ts', 'b.ts', 'c.ts', 'd.ts', 'e.ts'];

type Operation = { kind: 'remember'; key: string; text: string } | { kind: 'take'; key: string } | { kind: 'forget'; key: string };

describe('LastSeenTexts: the text each closed file had when Vouch last looked', () => {
  it('gives a remembered text once, and nothing after it was taken or forgotten', () => {
    const texts = new LastSeenTexts(10, 1_000);
    texts.remember('a.ts', 'one');
    texts.remember('b.ts', 'two');
    texts.forget('b.ts');
    assert.equal(texts.take('a.ts'), 'one');
    assert.equal(texts.take('a.ts'), undefined, 'taken: the caller remembers what it sees next');
    assert.equal(texts.take('b.ts'), undefined);
    assert.equal(texts.chars, 0);
  });

  it('drops the least recently remembered files first, by count and by characters, and never keeps a text over the budget', () => {
    const texts = new LastSeenTexts(2, 10);
    texts.remember('a.ts', 'aaaa');
    texts.remember('b.ts', 'bbbb');
    texts.remember('a.ts', 'AAAA');
    texts.remember('c.ts', 'cc');
    assert.equal(texts.take('b.ts'), undefined, 'b.ts was the oldest of three');
    assert.equal(texts.take('a.ts'), 'AAAA');
    texts.remember('d.ts', 'dddddddd');
    texts.remember('e.ts', 'eee');
    assert.equal(texts.take('c.ts'), undefined, 'three files: the oldest goes');
    assert.equal(texts.take('d.ts'), undefined, '8 + 3 characters are over 10: the older goes too');
    texts.remember('big.ts', 'x'.repeat(11));
    assert.equal(texts.take('big.ts'), undefined);
    assert.equal(texts.take('e.ts'), 'eee', 'a text too big to keep does not push out the others');
  });

  it('agrees with a list of the newest remembered texts that fit the budget', () => {
    const operation: fc.Arbitrary<Operation> = fc.oneof(
      fc.record({ kind: fc.constant('remember' as const), key: fc.constantFrom(...KEYS), text: fc.string({ maxLength: 12 }) }),
      fc.record({ kind: fc.constant('take' as const), key: fc.constantFrom(...KEYS) }),
      fc.record({ kind: fc.constant('forget' as const), key: fc.constantFrom(...KEYS) }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 30 }), fc.array(operation, { maxLength: 40 }), (maxEntries, maxChars, operations) => {
        const texts = new LastSeenTexts(maxEntries, maxChars);
        // Reference: newest last; after each remember, drop from the front until both budgets hold.
        let model: Array<{ key: string; text: string }> = [];
        for (const step of operations) {
          if (step.kind === 'remember') {
            texts.remember(step.key, step.text);
            model = model.filter((entry) => entry.key !== step.key);
            if (step.text.length <= maxChars && maxEntries > 0) {
              model.push({ key: step.key, text: step.text });
              while (model.length > maxEntries || model.reduce((sum, entry) => sum + entry.text.length, 0) > maxChars) model.shift();
            }
          } else if (step.kind === 'take') {
            const expected = model.find((entry) => entry.key === step.key)?.text;
            assert.equal(texts.take(step.key), expected);
            model = model.filter((entry) => entry.key !== step.key);
          } else {
            texts.forget(step.key);
            model = model.filter((entry) => entry.key !== step.key);
          }
          assert.equal(texts.size, model.length);
          assert.equal(texts.chars, model.reduce((sum, entry) => sum + entry.text.length, 0));
        }
      }),
      { numRuns: 500 },
    );
  });
});

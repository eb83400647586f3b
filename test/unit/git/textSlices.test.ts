import assert from 'node:assert/strict';
import fc from 'fast-check';
import { sha256Hex } from '../../../src/core/textHash';
import { nativeSha256HexInSlices, textSlices, utf8BytesInSlices } from '../../../src/git/blame/nativeSha256';

describe('hashing and encoding long texts in slices', () => {
  // Surrogate pairs, lone surrogates and multi-byte characters land on slice boundaries.
  const texts = fc.array(fc.constantFrom('a', 'é', '€', '\n', '\ud83d\ude00', '\ud83d', '\ude00', 'x\ud800'), { maxLength: 40 }).map((parts) => parts.join(''));

  it('slices join up to the text and never split a surrogate pair', () => {
    fc.assert(
      fc.property(texts, fc.integer({ min: 1, max: 7 }), (text, size) => {
        const slices = [...textSlices(text, size)];
        assert.equal(slices.join(''), text);
        for (let index = 0; index + 1 < slices.length; index++) {
          const last = slices[index].charCodeAt(slices[index].length - 1);
          const next = slices[index + 1].charCodeAt(0);
          assert.ok(!(last >= 0xd800 && last <= 0xdbff && next >= 0xdc00 && next <= 0xdfff), 'a surrogate pair is split');
        }
      }),
    );
  });

  it('gives the same sha256 and UTF-8 bytes as the whole text at once', async () => {
    await fc.assert(
      fc.asyncProperty(texts, fc.integer({ min: 1, max: 7 }), async (text, size) => {
        assert.equal(await nativeSha256HexInSlices(text, size), sha256Hex(text));
        assert.deepEqual(await utf8BytesInSlices(text, size), Buffer.from(text, 'utf8'));
      }),
    );
  });
});

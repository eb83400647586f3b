/**
 * Random UUID v4 strings, built flat.
 *
 * crypto.randomUUID (and the uuid package) concatenate hex pairs, so each id starts as a V8 rope of
 * ~20 string pieces (~1 KB of garbage once flattened); the ledger makes one on every split of a
 * span, i.e. on many keystrokes. Here the 36 character codes go through one String.fromCharCode, which
 * yields a flat string directly, and the random bytes come from Web Crypto in batches.
 */

const BYTES_PER_UUID = 16;
const BATCH = 64;
const HEX_DIGITS = '0123456789abcdef';
const DASH = 45;

const randomBytes = new Uint8Array(BYTES_PER_UUID * BATCH);
let nextByte = randomBytes.length;
const codes: number[] = new Array<number>(36).fill(0);
/** Character codes of the two hex digits of every byte value: [2b] high, [2b + 1] low. */
const hexCodes = new Uint8Array(512);
for (let value = 0; value < 256; value++) {
  hexCodes[2 * value] = HEX_DIGITS.charCodeAt(value >> 4);
  hexCodes[2 * value + 1] = HEX_DIGITS.charCodeAt(value & 15);
}

/** A random RFC 4122 version 4 UUID (lowercase, with dashes), e.g. `1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed`. */
export function randomFlatUuid(): string {
  if (nextByte === randomBytes.length) {
    globalThis.crypto.getRandomValues(randomBytes);
    nextByte = 0;
  }
  let at = 0;
  for (let i = 0; i < BYTES_PER_UUID; i++) {
    let value = randomBytes[nextByte + i];
    // Version 4 in the high nibble of byte 6; variant 10xx in the high bits of byte 8.
    if (i === 6) value = (value & 0x0f) | 0x40;
    else if (i === 8) value = (value & 0x3f) | 0x80;
    if (i === 4 || i === 6 || i === 8 || i === 10) codes[at++] = DASH;
    codes[at++] = hexCodes[2 * value];
    codes[at++] = hexCodes[2 * value + 1];
  }
  nextByte += BYTES_PER_UUID;
  return String.fromCharCode.apply(null, codes);
}

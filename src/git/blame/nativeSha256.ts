import { createHash } from 'node:crypto';

/** sha256 of UTF-8 text as lowercase hex with node's native hash: same result as core's sha256Hex, many times faster. */
export function nativeSha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

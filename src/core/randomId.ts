/** A uuid from the Web Crypto global (node >= 20 and browsers), so core needs no node import. */
export function randomId(): string {
  return globalThis.crypto.randomUUID();
}

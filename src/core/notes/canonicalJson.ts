/**
 * Canonical JSON for note records: object keys sorted by UTF-16 code units, no insignificant
 * whitespace, strings and numbers as ECMAScript serialises them. For the values notes hold
 * (strings, integers, short decimals, booleans, null) this is RFC 8785 (JCS), so equal content
 * gives equal bytes and therefore equal record ids.
 */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue | undefined };

export function canonicalJson(value: JsonValue): string {
  // Records Vouch writes already have their keys in order: then the engine's serialiser gives the
  // same bytes, several times faster (reading notes checks every record id this way).
  if (typeof value === 'object' && value !== null && isInCanonicalOrder(value)) return JSON.stringify(value);
  return canonicalJsonOf(value);
}

/** True when JSON.stringify(value) is already canonical: keys sorted at every depth, numbers finite. */
function isInCanonicalOrder(value: JsonValue | undefined): boolean {
  if (value === undefined) return false;
  if (value === null || typeof value !== 'object') return typeof value !== 'number' || Number.isFinite(value);
  if (Array.isArray(value)) {
    for (const item of value) if (!isInCanonicalOrder(item as JsonValue)) return false;
    return true;
  }
  const record = value as { readonly [key: string]: JsonValue | undefined };
  let previous: string | undefined;
  for (const key in record) {
    // Object.keys order puts integer-like keys first; any such disorder falls back to sorting.
    if (previous !== undefined && !(previous < key)) return false;
    previous = key;
    const item = record[key];
    if (item !== undefined && !isInCanonicalOrder(item)) return false;
  }
  return true;
}

function canonicalJsonOf(value: JsonValue): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || typeof value === 'boolean') return value === null ? 'null' : value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('canonical JSON cannot hold a non-finite number');
    return JSON.stringify(value);
  }
  // String concatenation (V8 ropes) beats collecting parts for the megabyte statements of large commits.
  let out: string;
  if (Array.isArray(value)) {
    out = '[';
    for (let index = 0; index < value.length; index++) {
      if (index > 0) out += ',';
      out += canonicalJsonOf(value[index] as JsonValue);
    }
    return `${out}]`;
  }
  const record = value as { readonly [key: string]: JsonValue | undefined };
  const keys = Object.keys(record).sort();
  out = '{';
  for (const key of keys) {
    const item = record[key];
    if (item === undefined) continue;
    if (out.length > 1) out += ',';
    out += `${JSON.stringify(key)}:${canonicalJsonOf(item)}`;
  }
  return `${out}}`;
}

const utf8Encoder = new TextEncoder();
const strictUtf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
// Linear-time check; with the length test below it admits exactly padded standard base64.
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const ASCII = /^[\x00-\x7f]*$/;

export function utf8Bytes(text: string): Uint8Array {
  return utf8Encoder.encode(text);
}

/** Decodes UTF-8, throwing on malformed input instead of inserting replacement characters. */
export function decodeUtf8Strict(bytes: Uint8Array): string {
  return strictUtf8Decoder.decode(bytes);
}

export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  const chunk = 0x8000;
  for (let index = 0; index < bytes.length; index += chunk) {
    binary += String.fromCharCode.apply(null, bytes.subarray(index, index + chunk) as unknown as number[]);
  }
  return btoa(binary);
}

/** base64 of the UTF-8 bytes of `text`; ASCII text (the usual record) skips the byte round trip. */
export function utf8ToBase64(text: string): string {
  return ASCII.test(text) ? btoa(text) : bytesToBase64(utf8Bytes(text));
}

/** Strict standard base64 (padded, no whitespace); undefined when the text is not exactly that. */
export function base64ToBytes(text: string): Uint8Array | undefined {
  if (text.length % 4 !== 0 || !BASE64.test(text)) return undefined;
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    return undefined;
  }
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index++) bytes[index] = binary.charCodeAt(index);
  return bytes;
}

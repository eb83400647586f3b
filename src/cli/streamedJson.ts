/**
 * JSON output written as it is produced: the same text as `jsonOutput` (`JSON.stringify(value, null, 2)`
 * with `escapeJsonText`), but a sequence that offers `jsonElements()` (e.g. the 100,000 commits of
 * a verified range) is written element by element, so neither the whole array nor the whole text
 * is ever held in memory.
 */

import { escapeJsonText } from '../core/text/displayText';

/** A value written as a JSON array of its elements, one at a time. */
export interface JsonElementStream {
  jsonElements(): Iterable<unknown>;
}

/** Text is handed to `write` in pieces of about this many characters (few writes, small pieces). */
const CHUNK_CHARS = 1 << 16;
const INDENT = '  ';

function isElementStream(value: unknown): value is JsonElementStream {
  return typeof value === 'object' && value !== null && typeof (value as Partial<JsonElementStream>).jsonElements === 'function';
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as { toJSON?: unknown }).toJSON !== 'function';
}

/** Whether a plain object holds an element stream somewhere below it (only then is it walked here, not stringified whole). */
function holdsStream(value: unknown): boolean {
  if (isElementStream(value)) return true;
  if (!isPlainObject(value)) return false;
  return Object.values(value).some(holdsStream);
}

/**
 * Writes `value` as `jsonOutput` would (without its final newline), through `write`
 * in pieces, waiting for `drained` (when given) after each piece: a pipe whose reader is slow then
 * holds one piece, not the whole output. Plain objects that hold an element stream are walked key
 * by key; every other value is stringified by JSON.stringify itself and indented to its place.
 */
export async function writeStreamedJson(value: unknown, write: (text: string) => void, drained?: () => Promise<void>): Promise<void> {
  let buffer = '';
  for (const text of valueChunks(value, '', '')) {
    buffer += text;
    if (buffer.length < CHUNK_CHARS) continue;
    write(buffer);
    buffer = '';
    if (drained) await drained();
  }
  if (buffer) write(buffer);
}

/** The JSON text of a value that holds no stream (undefined when JSON.stringify omits it), indented to `indent`. */
function leafText(value: unknown, key: string, indent: string): string | undefined {
  // As JSON.stringify does: a value's toJSON gets the key the value is stored under.
  const toJSON = (value as { toJSON?: unknown } | null | undefined)?.toJSON;
  const prepared: unknown = typeof toJSON === 'function' ? (toJSON as (key: string) => unknown).call(value, key) : value;
  const json = JSON.stringify(prepared, null, 2) as string | undefined;
  const text = json === undefined ? undefined : escapeJsonText(json);
  // Strings in JSON hold no raw line break: every one starts a line of the layout.
  return text === undefined || !indent ? text : text.replaceAll('\n', `\n${indent}`);
}

function isWalked(value: unknown): boolean {
  return isElementStream(value) || (isPlainObject(value) && holdsStream(value));
}

/** The text of one value at `indent`, in pieces. */
function* valueChunks(value: unknown, key: string, indent: string): Generator<string> {
  if (isElementStream(value)) yield* elementChunks(value.jsonElements(), indent);
  else if (isPlainObject(value) && holdsStream(value)) yield* objectChunks(value, indent);
  else {
    const text = leafText(value, key, indent);
    if (text === undefined) throw new TypeError('writeStreamedJson: the value has no JSON form');
    yield text;
  }
}

function* objectChunks(value: Record<string, unknown>, indent: string): Generator<string> {
  const inner = indent + INDENT;
  let first = true;
  for (const key of Object.keys(value)) {
    const member = value[key];
    // Omitted members (undefined, functions, symbols) write nothing, not even their key.
    const text = isWalked(member) ? undefined : leafText(member, key, inner);
    if (text === undefined && !isWalked(member)) continue;
    yield `${first ? '{' : ','}\n${inner}${escapeJsonText(JSON.stringify(key))}: `;
    first = false;
    if (text !== undefined) yield text;
    else yield* valueChunks(member, key, inner);
  }
  yield first ? '{}' : `\n${indent}}`;
}

function* elementChunks(elements: Iterable<unknown>, indent: string): Generator<string> {
  const inner = indent + INDENT;
  let index = 0;
  for (const element of elements) {
    yield `${index === 0 ? '[' : ','}\n${inner}`;
    // In an array an omitted value is null, as JSON.stringify writes it.
    if (isWalked(element)) yield* valueChunks(element, String(index), inner);
    else yield leafText(element, String(index), inner) ?? 'null';
    index++;
  }
  yield index === 0 ? '[]' : `\n${indent}]`;
}

/**
 * JSON output written as it is produced: the same text as `JSON.stringify(value, null, 2)`, but a
 * sequence that offers `jsonElements()` (e.g. the 100,000 commits of a verified range) is written
 * element by element, so neither the whole array nor the whole text is ever held in memory.
 */

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
 * Writes `value` as `JSON.stringify(value, null, 2)` would (followed by nothing), through `write`
 * in pieces. Plain objects that hold an element stream are walked key by key; every other value is
 * stringified by JSON.stringify itself and indented to its place.
 */
export function writeStreamedJson(value: unknown, write: (text: string) => void): void {
  let buffer = '';
  const emit = (text: string) => {
    buffer += text;
    if (buffer.length >= CHUNK_CHARS) {
      write(buffer);
      buffer = '';
    }
  };
  const written = writeValue(value, '', '', emit);
  if (!written) throw new TypeError('writeStreamedJson: the value has no JSON form');
  if (buffer) write(buffer);
}

/** Writes one value at `indent`; false (and nothing written) when JSON.stringify would omit it. */
function writeValue(value: unknown, key: string, indent: string, emit: (text: string) => void): boolean {
  if (isElementStream(value)) {
    writeElements(value.jsonElements(), indent, emit);
    return true;
  }
  if (isPlainObject(value) && holdsStream(value)) {
    writeObject(value, indent, emit);
    return true;
  }
  // As JSON.stringify does: a value's toJSON gets the key the value is stored under.
  const toJSON = (value as { toJSON?: unknown } | null | undefined)?.toJSON;
  const prepared: unknown = typeof toJSON === 'function' ? (toJSON as (key: string) => unknown).call(value, key) : value;
  const text = JSON.stringify(prepared, null, 2) as string | undefined;
  if (text === undefined) return false;
  // Strings in JSON hold no raw line break: every one starts a line of the layout.
  emit(indent ? text.replaceAll('\n', `\n${indent}`) : text);
  return true;
}

function writeObject(value: Record<string, unknown>, indent: string, emit: (text: string) => void): void {
  const inner = indent + INDENT;
  let first = true;
  for (const key of Object.keys(value)) {
    const prefix = `${first ? '{' : ','}\n${inner}${JSON.stringify(key)}: `;
    // Omitted members (undefined, functions, symbols) write nothing, not even their key.
    let started = false;
    const emitMember = (text: string) => {
      if (!started) {
        started = true;
        emit(prefix);
      }
      emit(text);
    };
    if (writeValue(value[key], key, inner, emitMember)) first = false;
  }
  emit(first ? '{}' : `\n${indent}}`);
}

function writeElements(elements: Iterable<unknown>, indent: string, emit: (text: string) => void): void {
  const inner = indent + INDENT;
  let index = 0;
  for (const element of elements) {
    emit(`${index === 0 ? '[' : ','}\n${inner}`);
    // In an array an omitted value is null, as JSON.stringify writes it.
    if (!writeValue(element, String(index), inner, emit)) emit('null');
    index++;
  }
  emit(index === 0 ? '[]' : `\n${indent}]`);
}

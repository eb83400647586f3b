/**
 * Untrusted text (from a note, a working-state file, a file name, a remote) made safe for one line
 * of a terminal or a CI log: nothing in it can move the cursor, erase a line, write the clipboard,
 * reorder what is shown, hide between visible characters, start a new line, or be read by a CI
 * runner as a workflow command. Everything is rendered visibly (ESC becomes `\x1b`, U+202E becomes
 * `\u202e`), so what was there can still be told. JSON output keeps its data exact and writes the
 * same characters as JSON escapes instead (`jsonOutput`).
 */

/** Text that is safe to print: every interpolated value went through `escapeDisplay`. */
export type DisplayText = string & { readonly __displayText: true };

/**
 * Control characters (C0 with tab and newline: a value is one line; DEL; C1), format characters
 * (General_Category Cf: bidi embeddings, overrides, isolates and marks, zero-width characters, the
 * soft hyphen, the byte-order mark, interlinear annotations, tag characters, the Arabic and
 * Egyptian format signs), default-ignorable code points (variation selectors, fillers, the
 * combining grapheme joiner: characters a terminal draws as nothing), line and paragraph
 * separators, and lone surrogates. Property escapes, not a hand list, so the class follows Unicode.
 */
const UNSAFE_CLASS = '\\p{Cc}\\p{Cf}\\p{Default_Ignorable_Code_Point}\\u2028\\u2029\\ud800-\\udfff';
const UNSAFE = new RegExp(`[${UNSAFE_CLASS}]`, 'gu');

/**
 * White space a runner removes before it looks for a command at a line start: GitHub's runner
 * calls .NET `TrimStart()`, which removes every `Char.IsWhiteSpace` (JavaScript's `\s` and U+0085).
 */
const RUNNER_TRIMMED_BLANKS = '[\\s\\u0085]*';

/**
 * A name shown as is (tool, model, reviewer name and email in a note; `vouch mark --tool`): no
 * character that `escapeDisplay` would change, no blank at either end, no `::` or `##` start and no
 * `##[` or `##vso[` anywhere.
 */
export const DISPLAY_SAFE_NAME = new RegExp(`^(?!::|##|.*##(?:[vV][sS][oO])?\\[)[^\\s${UNSAFE_CLASS}](?:[^${UNSAFE_CLASS}]*[^\\s${UNSAFE_CLASS}])?$`, 'u');

const NAMED: Readonly<Record<string, string>> = { '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/**
 * Workflow commands: GitHub Actions reads `::name ...::` at the start of a line (after trimming
 * white space); GitHub's legacy parser and Azure Pipelines read `##[` anywhere in a line, and Azure
 * `##vso[` anywhere.
 */
const COMMAND_AT_START = new RegExp(`^(${RUNNER_TRIMMED_BLANKS})::`, 'u');
const COMMAND_ANYWHERE = /##(?:vso)?\[/gi;

function escapeCharacter(character: string): string {
  const named = NAMED[character];
  if (named) return named;
  const code = character.codePointAt(0) ?? 0;
  if (code <= 0xff) return `\\x${code.toString(16).padStart(2, '0')}`;
  if (code <= 0xffff) return `\\u${code.toString(16).padStart(4, '0')}`;
  return `\\u{${code.toString(16)}}`;
}

/** Neutralises every workflow command in one line by escaping its first character. */
function neutraliseCommands(line: string): string {
  return line.replace(COMMAND_ANYWHERE, (match) => `\\x23${match.slice(1)}`).replace(COMMAND_AT_START, (_match, blanks: string) => `${blanks}\\x3a:`);
}

/** One untrusted value, escaped for a terminal or CI log line. Idempotent; plain text comes back unchanged. */
export function escapeDisplay(value: string): string {
  return neutraliseCommands(value.replace(UNSAFE, escapeCharacter));
}

function valueText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (value === undefined || value === null) return String(value);
  if (value instanceof Error) return value.message;
  return String(value);
}

/**
 * A template tag for human-readable output: `display\`${path}: ${count} blocks\n\`` escapes every
 * interpolated value (strings, errors' messages) and keeps the template's own text. A line of the
 * result that a CI runner would read as a command (however it came together) is neutralised too.
 */
export function display(template: TemplateStringsArray, ...values: readonly unknown[]): DisplayText {
  let text = template[0];
  values.forEach((value, index) => {
    text += escapeDisplay(valueText(value)) + template[index + 1];
  });
  return text.split('\n').map(neutraliseCommands).join('\n') as DisplayText;
}

/** Several display lines as one text, each ending in a newline. */
export function displayLines(lines: readonly DisplayText[]): DisplayText {
  return lines.map((line) => `${line}\n`).join('') as DisplayText;
}

/**
 * Multi-line text that Vouch composed (a table, a report) whose line breaks are its own: every
 * line is escaped as a whole (escapeDisplay is idempotent, so cells escaped already stay as they are).
 */
export function displayComposed(text: string): DisplayText {
  return text.split('\n').map(escapeDisplay).join('\n') as DisplayText;
}

/**
 * The unsafe characters that JSON allows raw in a string (JSON.stringify escapes only C0 and lone
 * surrogates). C0 stays out of the class: outside strings, JSON's own line breaks are C0.
 */
const UNSAFE_IN_JSON = new RegExp(`[\\u007f-\\u009f\\p{Cf}\\p{Default_Ignorable_Code_Point}\\u2028\\u2029\\ud800-\\udfff]`, 'gu');

/** A character as JSON `\u` escapes (two for a character beyond U+FFFF, one per UTF-16 unit). */
function jsonEscape(character: string): string {
  let escaped = '';
  for (let index = 0; index < character.length; index++) escaped += `\\u${character.charCodeAt(index).toString(16).padStart(4, '0')}`;
  return escaped;
}

/**
 * Valid JSON text with the same data but nothing a terminal or a CI log reader acts on: the
 * unsafe characters and the first `#` of `##[` / `##vso[` become `\u` escapes, which parse back to
 * exactly the same strings. Rewriting the text whole is sound: these characters occur only inside
 * strings, and a `#` there never follows an unfinished escape. No `::` can start a line: strings
 * hold no raw line break, and outside strings a colon only follows a key.
 */
export function escapeJsonText(json: string): string {
  return json.replace(UNSAFE_IN_JSON, jsonEscape).replace(COMMAND_ANYWHERE, (match) => `\\u0023${match.slice(1)}`);
}

/** A value as the CLI's JSON output (indented by two spaces, or compact on one line), then a newline. */
export function jsonOutput(value: unknown, layout: 'indented' | 'compact' = 'indented'): DisplayText {
  const json = JSON.stringify(value, null, layout === 'indented' ? 2 : undefined) as string | undefined;
  if (json === undefined) throw new TypeError('jsonOutput: the value has no JSON form');
  return `${escapeJsonText(json)}\n` as DisplayText;
}

/**
 * Text Vouch wrote itself and prints as is: help pages, and JSON that `escapeJsonText` made safe.
 * Never for text that quotes a note, a file name or a remote.
 */
export function ownText(text: string): DisplayText {
  return text as DisplayText;
}

/**
 * Untrusted text (from a note, a working-state file, a file name, a remote) made safe for one line
 * of a terminal or a CI log: nothing in it can move the cursor, erase a line, write the clipboard,
 * reorder what is shown, start a new line, or be read by a CI runner as a workflow command.
 * Everything is rendered visibly (ESC becomes `\x1b`, U+202E becomes `\u202e`), so what was there
 * can still be told. JSON output does not go through this: it stays exact.
 */

/** Text that is safe to print: every interpolated value went through `escapeDisplay`. */
export type DisplayText = string & { readonly __displayText: true };

/**
 * C0 controls (tab and newline included: a value is one line), DEL, C1 controls, the soft hyphen,
 * the Arabic letter mark, the Mongolian vowel separator, zero-width characters and directional
 * marks (U+200B-200F), line and paragraph separators and bidi embeddings/overrides (U+2028-202E),
 * word joiners, invisible operators and bidi isolates (U+2060-206F), the byte-order mark,
 * interlinear annotation characters, Unicode tag characters, and lone surrogates.
 */
const UNSAFE_CLASS = '\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u206f\\ufeff\\ufff9-\\ufffb\\u{e0000}-\\u{e007f}\\ud800-\\udfff';
const UNSAFE = new RegExp(`[${UNSAFE_CLASS}]`, 'gu');

/**
 * A name shown as is (tool, model, reviewer name and email in a note; `vouch mark --tool`): no
 * character that `escapeDisplay` would change, no blank at either end, and no workflow-command start.
 */
export const DISPLAY_SAFE_NAME = new RegExp(`^(?!::|##)[^\\s${UNSAFE_CLASS}](?:[^${UNSAFE_CLASS}]*[^\\s${UNSAFE_CLASS}])?$`, 'u');

const NAMED: Readonly<Record<string, string>> = { '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/**
 * Workflow commands: GitHub Actions reads `::name ...::` at the start of a line, Azure Pipelines
 * `##[...]` there and `##vso[` anywhere. Runners may trim leading blanks first.
 */
const COMMAND_AT_START = /^([ \t]*)(::|##\[)/;
const AZURE_COMMAND = /##vso\[/gi;

function escapeCharacter(character: string): string {
  const named = NAMED[character];
  if (named) return named;
  const code = character.codePointAt(0) ?? 0;
  if (code <= 0xff) return `\\x${code.toString(16).padStart(2, '0')}`;
  if (code <= 0xffff) return `\\u${code.toString(16).padStart(4, '0')}`;
  return `\\u{${code.toString(16)}}`;
}

/** Neutralises a workflow command at the start of a line by escaping its first character. */
function neutraliseCommandStart(line: string): string {
  return line.replace(COMMAND_AT_START, (_match, blanks: string, marker: string) => `${blanks}${marker === '::' ? '\\x3a:' : '\\x23#['}`);
}

/** One untrusted value, escaped for a terminal or CI log line. Idempotent; plain text comes back unchanged. */
export function escapeDisplay(value: string): string {
  const escaped = value.replace(UNSAFE, escapeCharacter).replace(AZURE_COMMAND, (match) => `\\x23${match.slice(1)}`);
  return neutraliseCommandStart(escaped);
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
  return text.split('\n').map(neutraliseCommandStart).join('\n') as DisplayText;
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
 * Text Vouch wrote itself and prints as is: help pages, and machine-readable output (JSON) that
 * must stay exact. Never for text that quotes a note, a file name or a remote.
 */
export function ownText(text: string): DisplayText {
  return text as DisplayText;
}

/**
 * Text read from a repository (note fields, paths, author names) before a terminal or a CI log
 * shows it: control characters (escape sequences, newlines) and bidirectional overrides become
 * visible `\u{..}` escapes, and a `::` at the start cannot open a CI workflow command.
 * The report, blame and export commands print untrusted text through this one function.
 */
export function printable(value: unknown, maxLength = 500): string {
  let text = typeof value === 'string' ? value : String(value);
  if (text.length > maxLength) text = `${text.slice(0, maxLength - 1)}…`;
  text = text.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (char) => `\\u{${char.charCodeAt(0).toString(16)}}`);
  return text.startsWith('::') || text.startsWith('##') ? `\\${text}` : text;
}

import { escapeDisplay } from '../core/text/displayText';

/**
 * Text read from a repository (note fields, paths, author names), cut to `maxLength` and escaped
 * by core's escapeDisplay (the one escaping rule for terminals and CI logs), for tables that pad
 * their cells before the line goes out through a `display` template.
 */
export function printable(value: unknown, maxLength = 500): string {
  let text = typeof value === 'string' ? value : String(value);
  if (text.length > maxLength) text = `${text.slice(0, maxLength - 1)}…`;
  return escapeDisplay(text);
}

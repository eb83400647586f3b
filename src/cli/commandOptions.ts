/** Options and arguments several `vouch` commands share, checked the same way in each. */
import { ownText } from '../core/text/displayText';
import type { CliIo } from './cli';
import { CliUsageError } from './commandErrors';

/** Option `name`'s text as a positive whole number, or `fallback` when the option was not given. */
export function positiveIntegerOption<Fallback extends number | undefined>(text: string | undefined, fallback: Fallback, name: string): number | Fallback {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) throw new CliUsageError(`${name} must be a positive integer`);
  return value;
}

/** How many commits verify, report and export read unless --max-commits says otherwise; more is an error. */
export const DEFAULT_MAX_COMMITS = 10_000;

/** The one commit range a command over commits may be given (none: its default range); an option is not a range. */
export function rangeArgument(positionals: readonly string[], example = 'origin/main..HEAD'): string | undefined {
  if (positionals.length > 1) throw new CliUsageError(`give at most one range (e.g. ${example})`);
  if (positionals[0]?.startsWith('-')) throw new CliUsageError(`not a range: ${positionals[0]}`);
  return positionals[0];
}

/** Prints a command's --help text; the command then ends with exit status 0. */
export function printHelp(io: CliIo, help: string): 0 {
  io.stdout(ownText(help));
  return 0;
}

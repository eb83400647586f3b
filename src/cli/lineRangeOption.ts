import { CliUsageError } from './commandErrors';

/** The value of `--lines`: "A-B" or "A", 1-based inclusive. */
export function parseLineRange(value: string): [number, number] {
  const match = /^\s*(\d{1,9})\s*(?:-\s*(\d{1,9})\s*)?$/.exec(value);
  if (!match) throw new CliUsageError(`--lines ${JSON.stringify(value)} is not a line range like 3-7`);
  const first = Number(match[1]);
  const last = match[2] === undefined ? first : Number(match[2]);
  if (first < 1) throw new CliUsageError(`--lines ${value}: lines start at 1`);
  if (last < first) throw new CliUsageError(`--lines ${value}: the range ends before it starts`);
  return [first, last];
}

/**
 * Finding a recorded range of lines elsewhere in a blob (a range that moved, a range carried to
 * another commit). A record holds only the sha256 of the range's text, which cannot be rolled, so:
 *  - when the range's own lines are known (the recorded blob is in the repository), the search is
 *    exact and linear: every distinct line gets a number once, and the pattern's numbers are found
 *    in the blob's numbers with Knuth-Morris-Pratt, O(file lines + range lines);
 *  - otherwise each window is hashed, which costs O(file x range); a work budget bounds it, and
 *    when the budget runs out the search says so (windows found before that still count) rather
 *    than running for hours.
 */
import { hashLines } from './lineRanges';

/** Characters the hashing fallback may hash for one check (about a second of sha256 on a slow machine). */
export const DEFAULT_SEARCH_BUDGET_CHARS = 32 * 1024 * 1024;

/**
 * What hashing one window costs beyond its characters, in characters: a call of sha256 over a short
 * text costs about as much as hashing a few hundred characters, so a file of empty lines cannot
 * turn the budget into tens of millions of calls (minutes, not a second).
 */
export const WINDOW_COST_CHARS = 256;

/**
 * Work left for hashing searches; shared by the searches of one check so that many ranges cannot
 * multiply it. With a `parent` (the budget of a whole run, e.g. `vouch verify` over many commits),
 * what is spent here is spent there too, and the search stops when either runs out.
 */
export class SearchBudget {
  constructor(
    public remaining: number = DEFAULT_SEARCH_BUDGET_CHARS,
    private readonly parent?: SearchBudget,
  ) {}

  /** Spends `cost` when both this budget and its parent have it; false (and this budget emptied) when either does not. */
  spend(cost: number): boolean {
    if (cost > this.remaining || (this.parent !== undefined && !this.parent.spend(cost))) {
      this.remaining = 0;
      return false;
    }
    this.remaining -= cost;
    return true;
  }
}

export interface WindowSearchOptions {
  /** Only windows whose every line is allowed. */
  readonly allowed?: (lineNumber: number) => boolean;
  /** The range's own lines when known; used (after checking their hash) for the exact linear search. */
  readonly pattern?: readonly string[];
  readonly budget?: SearchBudget;
}

export interface WindowSearchResult {
  /** 1-based start lines of the windows found, nearest to the preferred start first. */
  readonly starts: number[];
  /** The hashing search stopped at its budget: windows after that point were not looked at. */
  readonly budgetExceeded: boolean;
}

/**
 * Where a range of `length` lines whose text hashes to `hash` occurs in `lines`: every start line,
 * nearest to `preferredStart` first.
 */
export function searchLineWindows(lines: readonly string[], length: number, hash: string, preferredStart: number, options: WindowSearchOptions = {}): WindowSearchResult {
  if (length <= 0 || length > lines.length) return { starts: [], budgetExceeded: false };
  const fits = allowedWindows(lines.length, length, options.allowed);
  const pattern = options.pattern;
  const { starts, budgetExceeded } =
    pattern && pattern.length === length && hashLines(pattern, 1, length) === hash
      ? { starts: matchLines(lines, pattern).filter(fits), budgetExceeded: false }
      : hashWindows(lines, length, hash, fits, options.budget ?? new SearchBudget());
  return { starts: starts.sort((a, b) => Math.abs(a - preferredStart) - Math.abs(b - preferredStart) || a - b), budgetExceeded };
}

/** A predicate over window starts: true when every line of the window is allowed (O(1) per query after O(n) set-up). */
function allowedWindows(lineCount: number, length: number, allowed: ((lineNumber: number) => boolean) | undefined): (start: number) => boolean {
  if (!allowed) return () => true;
  // runEnding[i]: allowed lines ending at line i (1-based).
  const runEnding = new Int32Array(lineCount + 1);
  for (let line = 1; line <= lineCount; line++) runEnding[line] = allowed(line) ? runEnding[line - 1] + 1 : 0;
  return (start) => runEnding[start + length - 1] >= length;
}

/** Exact occurrences of `pattern` in `lines` (1-based starts) by Knuth-Morris-Pratt over line numbers. */
function matchLines(lines: readonly string[], pattern: readonly string[]): number[] {
  const ids = new Map<string, number>();
  const patternIds = new Int32Array(pattern.length);
  for (let index = 0; index < pattern.length; index++) {
    let id = ids.get(pattern[index]);
    if (id === undefined) {
      id = ids.size;
      ids.set(pattern[index], id);
    }
    patternIds[index] = id;
  }
  const failure = new Int32Array(pattern.length);
  for (let index = 1, matched = 0; index < pattern.length; index++) {
    while (matched > 0 && patternIds[index] !== patternIds[matched]) matched = failure[matched - 1];
    if (patternIds[index] === patternIds[matched]) matched++;
    failure[index] = matched;
  }
  const found: number[] = [];
  for (let index = 0, matched = 0; index < lines.length; index++) {
    // A line the pattern does not hold breaks every partial match.
    const id = ids.get(lines[index]) ?? -1;
    while (matched > 0 && id !== patternIds[matched]) matched = failure[matched - 1];
    if (id === patternIds[matched]) matched++;
    if (matched === pattern.length) {
      found.push(index - pattern.length + 2);
      matched = failure[matched - 1];
    }
  }
  return found;
}

function hashWindows(lines: readonly string[], length: number, hash: string, fits: (start: number) => boolean, budget: SearchBudget): WindowSearchResult {
  // prefix[i]: characters hashed for lines 1..i (each line and its "\n").
  const prefix = new Float64Array(lines.length + 1);
  for (let line = 1; line <= lines.length; line++) prefix[line] = prefix[line - 1] + lines[line - 1].length + 1;
  const found: number[] = [];
  for (let start = 1; start + length - 1 <= lines.length; start++) {
    if (!fits(start)) continue;
    const cost = prefix[start + length - 1] - prefix[start - 1] + WINDOW_COST_CHARS;
    if (!budget.spend(cost)) return { starts: found, budgetExceeded: true };
    if (hashLines(lines, start, start + length - 1) === hash) found.push(start);
  }
  return { starts: found, budgetExceeded: false };
}

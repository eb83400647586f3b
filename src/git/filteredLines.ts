/**
 * AI lines that git's filters changed on add. A file with a clean filter (`filter=<name>` with
 * `filter.<name>.clean` or `.process`), `ident` or a `working-tree-encoding` is staged and committed
 * as git converts it, not as the working tree holds it: an AI line the conversion changed is in no
 * staged or committed line unchanged, so nothing can tell which line of the blob it became. The
 * gate (`vouch check --staged`) and the record (`vouch record-commit`) ask here about the AI lines
 * they could not find (aiLinesMissingFromBlob, mapAttributionToBlob's missingAiLines), and say so
 * for the files this names, instead of leaving those lines out silently.
 *
 * Vouch runs no filter itself: `git check-attr` tells which files have such attributes (one process
 * for all of them, and none when every AI line was found), and `git hash-object --path` has git
 * convert the missing lines as it converts that file (one process per such file): lines it gives
 * back unchanged were simply not staged or changed since, and stay pending as before.
 */
import { gitBlobIdOfText } from './blame/nativeSha256';
import type { GitRunner } from './gitRunner';

/** The AI lines of one file that were found nowhere unchanged in its staged or committed text. */
export interface MissingAiLines {
  readonly path: string;
  readonly lines: readonly string[];
}

const ATTRIBUTES = ['filter', 'ident', 'working-tree-encoding'] as const;

/** Attribute values that mean "not set" in `git check-attr` output. */
const NOT_SET = new Set(['unspecified', 'unset']);

/**
 * Of `files`, those whose git filters change their missing AI lines, with how many AI lines that
 * makes (all the file's missing lines: which of them a filter changed cannot be told apart). Runs
 * no git process when no file has missing lines.
 */
export async function aiLinesChangedByFilters(git: GitRunner, topLevel: string, files: readonly MissingAiLines[]): Promise<Map<string, number>> {
  const changed = new Map<string, number>();
  const asked = files.filter((file) => file.lines.length > 0);
  if (asked.length === 0) return changed;
  const attributes = await filterAttributes(git, topLevel, asked.map((file) => file.path));
  for (const file of asked) {
    const set = attributes.get(file.path);
    if (!set || set.size === 0) continue;
    const encoding = set.get('working-tree-encoding');
    // The working text of a file kept in another encoding is not what Vouch read as UTF-8: none of its lines can be placed.
    if ((encoding !== undefined && !/^utf-?8$/i.test(encoding)) || (await filtersChange(git, topLevel, file))) changed.set(file.path, file.lines.length);
  }
  return changed;
}

/** The filtering attributes set on each path (attribute name to value), from one `git check-attr --stdin`. */
async function filterAttributes(git: GitRunner, topLevel: string, paths: readonly string[]): Promise<Map<string, Map<string, string>>> {
  const { stdout } = await git.run(['check-attr', '-z', '--stdin', ...ATTRIBUTES], { cwd: topLevel, input: paths.map((repoPath) => `${repoPath}\0`).join('') });
  // "<path>\0<attribute>\0<value>\0" per path and attribute.
  const fields = stdout.split('\0');
  const result = new Map<string, Map<string, string>>();
  for (let at = 0; at + 2 < fields.length; at += 3) {
    const [repoPath, attribute, value] = [fields[at], fields[at + 1], fields[at + 2]];
    let set = result.get(repoPath);
    if (!set) result.set(repoPath, (set = new Map()));
    if (!NOT_SET.has(value)) set.set(attribute, value);
  }
  return result;
}

/**
 * Whether git changes the lines when it adds them as `file.path` (its clean filter, `ident`, line
 * break conversion of lines that have none to convert): their blob id from `git hash-object --path`
 * against the id of the lines as they are. A filter that fails counts as a change (nothing can be placed).
 */
async function filtersChange(git: GitRunner, topLevel: string, file: MissingAiLines): Promise<boolean> {
  const text = file.lines.map((line) => `${line}\n`).join('');
  try {
    const { stdout } = await git.run(['hash-object', `--path=${file.path}`, '--stdin'], { cwd: topLevel, input: text });
    const id = stdout.trim();
    return id !== gitBlobIdOfText(text, id);
  } catch {
    return true;
  }
}


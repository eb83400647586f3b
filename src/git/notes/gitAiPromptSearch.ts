/**
 * Where git-ai finds a legacy prompt that its own note lacks (a cherry-picked commit's note names
 * its original's prompt): it greps all of refs/notes/ai for the key in quotes (`git grep "<key>"
 * refs/notes/ai`), orders the commits of the matching notes newest first (`git log --no-walk`) and
 * takes the prompt record of the newest. This does the same search, bounded: fixed strings read
 * from standard input (no argument list grows with the keys), a key count, a time limit and an
 * output limit; a search that hits a limit gives up and says so (the caller keeps what it read).
 */
import { GIT_AI_NOTES_REF } from '../../core/visibility/gitAiNote';
import { GitError, type GitRunner } from '../gitRunner';

export interface PromptSearchLimits {
  /** Keys searched in one go; more are left unresolved. */
  readonly maxKeys: number;
  readonly timeoutMs: number;
  /** Bytes of `git grep` output (one short line per match). */
  readonly maxOutputBytes: number;
}

export const DEFAULT_PROMPT_SEARCH_LIMITS: PromptSearchLimits = { maxKeys: 256, timeoutMs: 10_000, maxOutputBytes: 4 * 1024 * 1024 };

/** Keys as git-ai writes them (hex prompt hashes); anything else is not searched. */
const SEARCHABLE_KEY = /^[A-Za-z0-9_-]{1,128}$/;
const FANOUT_PATH = /^(?:[0-9a-f]{2}\/)*[0-9a-f]+$/;

export type PromptSearchResult =
  | {
      readonly ok: true;
      /** Per key: the commits whose git-ai note holds `"<key>"`, newest commit first (commits not in the repository last). */
      readonly commitsByKey: ReadonlyMap<string, readonly string[]>;
    }
  | { readonly ok: false; readonly reason: string };

/** Searches every note of refs/notes/ai for the keys, as git-ai does for a prompt missing from a note. */
export async function searchGitAiNotesForKeys(git: GitRunner, cwd: string, keys: Iterable<string>, limits: PromptSearchLimits = DEFAULT_PROMPT_SEARCH_LIMITS): Promise<PromptSearchResult> {
  const wanted = [...new Set(keys)].filter((key) => SEARCHABLE_KEY.test(key)).slice(0, limits.maxKeys);
  if (wanted.length === 0) return { ok: true, commitsByKey: new Map() };
  let output: string;
  try {
    const grep = await git.run(['grep', '-I', '-F', '--only-matching', '-f', '-', GIT_AI_NOTES_REF, '--'], {
      cwd,
      input: wanted.map((key) => `"${key}"\n`).join(''),
      okExitCodes: [1],
      timeoutMs: limits.timeoutMs,
      maxOutputBytes: limits.maxOutputBytes,
    });
    output = grep.stdout;
  } catch (error) {
    if (error instanceof GitError && error.kind === 'exit-code' && /unable to resolve|bad revision|not a valid object/i.test(error.stderr)) return { ok: true, commitsByKey: new Map() };
    if (error instanceof GitError) return { ok: false, reason: error.message };
    throw error;
  }
  // Lines: refs/notes/ai:<fan-out path>:"<key>"
  const prefix = `${GIT_AI_NOTES_REF}:`;
  const commitsOfKey = new Map<string, Set<string>>();
  for (const line of output.split('\n')) {
    if (!line.startsWith(prefix)) continue;
    const rest = line.slice(prefix.length);
    const colon = rest.indexOf(':');
    if (colon < 0) continue;
    const notePath = rest.slice(0, colon);
    const match = rest.slice(colon + 1);
    if (!FANOUT_PATH.test(notePath) || !match.startsWith('"') || !match.endsWith('"')) continue;
    const commit = notePath.replace(/\//g, '');
    if (commit.length !== 40 && commit.length !== 64) continue;
    const key = match.slice(1, -1);
    let commits = commitsOfKey.get(key);
    if (!commits) commitsOfKey.set(key, (commits = new Set()));
    commits.add(commit);
  }
  const allCommits = [...new Set([...commitsOfKey.values()].flatMap((commits) => [...commits]))];
  let newestFirst: string[] = [];
  if (allCommits.length > 1) {
    try {
      // Commit date order, newest first, as git-ai orders them; notes of commits this clone lacks are skipped by git.
      const log = await git.run(['log', '--no-walk', '--ignore-missing', '--format=%H', '--stdin'], { cwd, input: `${allCommits.join('\n')}\n`, timeoutMs: limits.timeoutMs, maxOutputBytes: limits.maxOutputBytes });
      newestFirst = log.stdout.split('\n').filter(Boolean);
    } catch (error) {
      if (!(error instanceof GitError)) throw error;
      return { ok: false, reason: error.message };
    }
  }
  const rank = new Map(newestFirst.map((commit, index) => [commit, index]));
  const byRank = (a: string, b: string) => (rank.get(a) ?? Number.MAX_SAFE_INTEGER) - (rank.get(b) ?? Number.MAX_SAFE_INTEGER) || (a < b ? -1 : a > b ? 1 : 0);
  return { ok: true, commitsByKey: new Map([...commitsOfKey].map(([key, commits]) => [key, [...commits].sort(byRank)])) };
}

/**
 * Reading git-ai authorship logs (`refs/notes/ai`, Git AI Standard v3.0.0, `authorship/3.0.0`)
 * for display. A log is an attestation section, a divider line `---`, then JSON metadata:
 *
 *   src/main.rs
 *     s_c9883b05a2487d::t_9f8e7d6c5b4a32 1-10,15-20     AI session (metadata.sessions, by the part before `::`)
 *     h_31dce776f88375 42-50                            known human (metadata.humans)
 *     abcd1234abcd1234 1-50                             legacy AI prompt (metadata.prompts)
 *   ---
 *   {"schema_version":"authorship/3.0.0","prompts":{...},"sessions":{...},"humans":{...}}
 *
 * Keys are routed by prefix as the standard requires (section 1.2.3.1): `s_` to sessions, `h_` to
 * humans, no prefix to prompts. Known-human lines are NOT AI; lines under no key are untracked (git-ai
 * has no data on them) and appear nowhere. As git-ai's own reader (AuthorshipLog::get_line_attribution)
 * does: a later entry of a file wins over an earlier one for the same line; an entry whose key resolves
 * to no record is skipped, so an earlier entry (or nothing: untracked) speaks for its lines; a bare key
 * without a prompt record in its own note is looked up in the prompts of other notes (a cherry-picked
 * commit's note names its original's prompt), see `withForeignPrompts`; only the first section of a
 * path counts; a quoted path is the text between the quotes, unescaped (git-ai writes it so).
 * Notes are hostile input: this never throws, skips what it does not understand, and bounds sizes.
 */

export const GIT_AI_NOTES_REF = 'refs/notes/ai';

/** How git-ai keyed the lines: a session (>= v1.4.0) or a legacy prompt hash. */
export type GitAiKeyKind = 'session' | 'legacy-prompt';

export interface GitAiRange {
  /** 1-based, inclusive. */
  readonly start: number;
  readonly end: number;
  readonly tool: string;
  readonly model?: string;
  readonly keyKind: GitAiKeyKind;
  /** The attestation key as written (`s_...::t_...` or the prompt hash). */
  readonly key: string;
  /** The agent's own session or conversation id (`agent_id.id`), when recorded. */
  readonly conversationId?: string;
  /** The person who directed the AI (`human_author`), when recorded. */
  readonly humanAuthor?: string;
}

/** Lines git-ai saw a known person type (an `h_` key). */
export interface GitAiHumanRange {
  readonly start: number;
  readonly end: number;
  readonly key: string;
  /** `Name <email>` from `metadata.humans`, when the key is listed there. */
  readonly author?: string;
}

/** What an AI key resolves to (a prompt or session record). */
export type GitAiAgent = Omit<GitAiRange, 'start' | 'end'>;

export interface GitAiNote {
  /** Path -> AI ranges of that file in the annotated commit. */
  readonly files: ReadonlyMap<string, readonly GitAiRange[]>;
  /** Path -> known-human ranges of that file in the annotated commit. */
  readonly humans: ReadonlyMap<string, readonly GitAiHumanRange[]>;
  /** The legacy prompt records of this note, by key: where other notes' missing prompts are looked up. */
  readonly prompts: ReadonlyMap<string, GitAiAgent>;
  /** Bare (legacy) keys this note uses that have no prompt record in it (their lines count as untracked until resolved). */
  readonly missingPrompts: ReadonlySet<string>;
  /** The legacy prompt record of `key` in this note's metadata, whether or not its own lines use it (what git-ai takes from a note found by the key). */
  promptRecord(key: string): GitAiAgent | undefined;
  /** The note read again with prompt records found elsewhere for its missing keys (git-ai searches other notes for them). */
  withForeignPrompts(foreign: (key: string) => GitAiAgent | undefined): GitAiNote;
}

export const UNKNOWN_AI_TOOL = 'unknown-ai';
const MAX_NAME = 200;
const MAX_LINE_NUMBER = 100_000_000;
const MAX_RANGES = 1_000_000;
const MAX_RESOLVED_RANGES = 2_000;

function shortName(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0) return undefined;
  return value.slice(0, MAX_NAME);
}

/** git-ai quotes a path holding whitespace and escapes nothing: the path is the text between the quotes. */
function unquotePath(raw: string): string {
  const trimmed = raw.trimEnd();
  return trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"') ? trimmed.slice(1, -1) : trimmed;
}

function objectField(value: unknown, key: string): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !Object.hasOwn(value, key)) return undefined;
  return (value as Record<string, unknown>)[key];
}

/** What an AI key stands for: the record in `sessions` or `prompts` it resolves to; undefined when the note has none. */
function aiAgentOf(metadata: unknown, key: string): GitAiAgent | undefined {
  const session = key.startsWith('s_');
  // Session keys resolve by the session id, the part before `::` (the trace id differs per checkpoint).
  const record = session ? objectField(objectField(metadata, 'sessions'), key.split('::')[0]) : objectField(objectField(metadata, 'prompts'), key);
  if (typeof record !== 'object' || record === null) return undefined;
  const agent = objectField(record, 'agent_id');
  const tool = shortName(objectField(agent, 'tool')) ?? UNKNOWN_AI_TOOL;
  const model = shortName(objectField(agent, 'model'));
  const conversationId = shortName(objectField(agent, 'id'));
  const humanAuthor = shortName(objectField(record, 'human_author'));
  return {
    tool,
    ...(model ? { model } : {}),
    keyKind: session ? 'session' : 'legacy-prompt',
    key: key.slice(0, MAX_NAME),
    ...(conversationId ? { conversationId } : {}),
    ...(humanAuthor ? { humanAuthor } : {}),
  };
}

/** Earlier major versions are not read (the standard: a 3.x reader SHOULD NOT process them); later ones are read best-effort. */
function isOlderSchema(metadata: unknown): boolean {
  const version = objectField(metadata, 'schema_version');
  const match = typeof version === 'string' ? /^authorship\/(\d+)\./.exec(version) : null;
  return match !== null && Number(match[1]) < 3;
}

function parseLineRanges(text: string, budget: { left: number }): { start: number; end: number }[] {
  const ranges: { start: number; end: number }[] = [];
  for (const part of text.split(',')) {
    const bounds = /^\s*(\d+)(?:\s*-\s*(\d+))?\s*$/.exec(part);
    if (!bounds) continue;
    const start = Number(bounds[1]);
    const end = bounds[2] === undefined ? start : Number(bounds[2]);
    if (start < 1 || end < start || end > MAX_LINE_NUMBER || --budget.left < 0) continue;
    ranges.push({ start, end });
  }
  return ranges;
}

interface Entry {
  readonly ranges: readonly { readonly start: number; readonly end: number }[];
  readonly agent?: GitAiAgent;
  readonly human?: Omit<GitAiHumanRange, 'start' | 'end'>;
}

/** An attestation line as written: its key and line ranges. */
interface RawEntry {
  readonly key: string;
  readonly ranges: readonly { readonly start: number; readonly end: number }[];
}

/** The entries with the lines a later entry also names removed (the common case, no overlap, costs one sort). */
function withoutOverridden(list: readonly Entry[]): Entry[] {
  const all = list.flatMap((entry) => entry.ranges).sort((a, b) => a.start - b.start);
  // A hostile note with very many overlapping ranges is read as written rather than resolved (quadratic).
  if (all.length > MAX_RESOLVED_RANGES || all.every((range, index) => index === 0 || range.start > all[index - 1].end)) return [...list];
  const taken: { start: number; end: number }[] = [];
  const result: Entry[] = [];
  for (let index = list.length - 1; index >= 0; index--) {
    const kept: { start: number; end: number }[] = [];
    for (const range of list[index].ranges) {
      let pieces = [range];
      for (const cover of taken) {
        pieces = pieces.flatMap((piece) => {
          if (cover.end < piece.start || cover.start > piece.end) return [piece];
          const rest = [];
          if (piece.start < cover.start) rest.push({ start: piece.start, end: cover.start - 1 });
          if (piece.end > cover.end) rest.push({ start: cover.end + 1, end: piece.end });
          return rest;
        });
      }
      kept.push(...pieces);
    }
    taken.push(...list[index].ranges);
    result.unshift({ ...list[index], ranges: kept });
  }
  return result;
}

/** Parses a git-ai note; undefined when it is not one (no attestation recognised). */
export function parseGitAiNote(noteText: string): GitAiNote | undefined {
  const lines = noteText.split('\n').map((line) => line.replace(/\r$/, ''));
  // The divider is exactly `---` on its own line.
  const separator = lines.indexOf('---');
  const attestation = separator >= 0 ? lines.slice(0, separator) : lines;
  let metadata: unknown;
  if (separator >= 0) {
    try {
      metadata = JSON.parse(lines.slice(separator + 1).join('\n'));
    } catch {
      metadata = undefined;
    }
  }
  if (isOlderSchema(metadata)) return undefined;
  // Per path, the entries in note order (later entries win over earlier ones for the same line).
  const raw = new Map<string, RawEntry[]>();
  let current: RawEntry[] | undefined;
  const budget = { left: MAX_RANGES };
  for (const line of attestation) {
    if (line.trim() === '') continue;
    if (!/^\s/.test(line)) {
      const path = unquotePath(line);
      // git-ai reads the first section of a path only.
      if (path.length === 0 || path.length > 4096 || raw.has(path)) current = undefined;
      else raw.set(path, (current = []));
      continue;
    }
    if (!current) continue;
    const match = /^\s+(\S+)\s+(\S.*)$/.exec(line);
    if (!match) continue;
    const ranges = parseLineRanges(match[2], budget);
    if (ranges.length > 0) current.push({ key: match[1].slice(0, MAX_NAME), ranges });
  }
  if (![...raw.values()].some((entries) => entries.length > 0)) return undefined;
  const own = new Map<string, GitAiAgent | undefined>();
  const ownAgent = (key: string) => {
    if (!own.has(key)) own.set(key, aiAgentOf(metadata, key));
    return own.get(key);
  };
  const prompts = new Map<string, GitAiAgent>();
  const missingPrompts = new Set<string>();
  for (const entries of raw.values()) {
    for (const { key } of entries) {
      if (key.startsWith('s_') || key.startsWith('h_')) continue;
      const agent = ownAgent(key);
      if (agent) prompts.set(key, agent);
      else missingPrompts.add(key);
    }
  }
  const promptRecord = (key: string) => (key.startsWith('s_') || key.startsWith('h_') ? undefined : ownAgent(key.slice(0, MAX_NAME)));
  const resolve = (foreign: (key: string) => GitAiAgent | undefined): GitAiNote => {
    const files = new Map<string, GitAiRange[]>();
    const humans = new Map<string, GitAiHumanRange[]>();
    for (const [path, rawEntries] of raw) {
      const entries: Entry[] = [];
      for (const { key, ranges } of rawEntries) {
        if (key.startsWith('h_')) {
          // Known humans resolve by the hash (the part before a `::t_` trace id, should one follow it).
          const human = objectField(objectField(metadata, 'humans'), key.split('::')[0]);
          if (typeof human !== 'object' || human === null) continue;
          const author = shortName(objectField(human, 'author'));
          entries.push({ ranges, human: { key, ...(author ? { author } : {}) } });
          continue;
        }
        const agent = ownAgent(key) ?? (key.startsWith('s_') ? undefined : foreign(key));
        if (agent) entries.push({ ranges, agent });
      }
      const ai: GitAiRange[] = [];
      const human: GitAiHumanRange[] = [];
      for (const { ranges, agent, human: who } of withoutOverridden(entries)) {
        for (const range of ranges) {
          if (agent) ai.push({ ...range, ...agent });
          else if (who) human.push({ ...range, ...who });
        }
      }
      if (ai.length > 0) files.set(path, ai.sort((a, b) => a.start - b.start));
      if (human.length > 0) humans.set(path, human.sort((a, b) => a.start - b.start));
    }
    return { files, humans, prompts, missingPrompts, promptRecord, withForeignPrompts: resolve };
  };
  return resolve(() => undefined);
}

/**
 * The notes with every missing legacy prompt looked up in the prompt records of `others`: the
 * fallback when the search of all of refs/notes/ai (git/notes/gitAiPromptSearch.ts, as git-ai does
 * it: the newest commit's record) could not be made; `others` are the notes Vouch has read.
 */
export function resolveForeignPrompts(notes: ReadonlyMap<string, GitAiNote>, others: Iterable<GitAiNote>): Map<string, GitAiNote> {
  if (![...notes.values()].some((note) => note.missingPrompts.size > 0)) return new Map(notes);
  const found = new Map<string, GitAiAgent>();
  for (const note of others) for (const [key, agent] of note.prompts) if (!found.has(key)) found.set(key, agent);
  return new Map([...notes].map(([commit, note]) => [commit, note.missingPrompts.size > 0 ? note.withForeignPrompts((key) => found.get(key)) : note]));
}

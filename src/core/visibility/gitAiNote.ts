/**
 * Best-effort reading of git-ai authorship notes (`refs/notes/ai`) for display. Format (git-ai
 * "authorship/3.x"): an attestation section, a line `---`, then JSON metadata.
 *
 *   path/to/file.ts
 *     <prompt-hash> 1-10,15
 *   ---
 *   {"schema_version":"authorship/3.0.0","prompts":{"<prompt-hash>":{"agent_id":{"tool":"cursor","model":"..."}}}}
 *
 * Notes are hostile input: this never throws, skips what it does not understand, and bounds sizes.
 */

export const GIT_AI_NOTES_REF = 'refs/notes/ai';

export interface GitAiRange {
  /** 1-based, inclusive. */
  readonly start: number;
  readonly end: number;
  readonly tool: string;
  readonly model?: string;
}

export interface GitAiNote {
  /** Path -> AI ranges of that file in the annotated commit. */
  readonly files: ReadonlyMap<string, readonly GitAiRange[]>;
}

const MAX_NAME = 200;
const MAX_LINE_NUMBER = 100_000_000;
const MAX_RANGES = 1_000_000;

function shortName(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0) return undefined;
  return value.slice(0, MAX_NAME);
}

function unquotePath(raw: string): string {
  const trimmed = raw.trim();
  if (trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"')) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (typeof parsed === 'string') return parsed;
    } catch {
      // not JSON-quoted: keep the raw text between the quotes
    }
    return trimmed.slice(1, -1);
  }
  return trimmed;
}

function agentOf(metadata: unknown, promptHash: string): { tool: string; model?: string } {
  const prompts = typeof metadata === 'object' && metadata !== null ? (metadata as Record<string, unknown>).prompts : undefined;
  const prompt = typeof prompts === 'object' && prompts !== null && Object.hasOwn(prompts, promptHash) ? (prompts as Record<string, unknown>)[promptHash] : undefined;
  const agent = typeof prompt === 'object' && prompt !== null ? (prompt as Record<string, unknown>).agent_id : undefined;
  const fields = typeof agent === 'object' && agent !== null ? (agent as Record<string, unknown>) : {};
  const tool = shortName(fields.tool) ?? 'unknown-ai';
  const model = shortName(fields.model);
  return model ? { tool, model } : { tool };
}

/** Parses a git-ai note; undefined when it is not one (no attestation section recognised). */
export function parseGitAiNote(noteText: string): GitAiNote | undefined {
  const lines = noteText.split('\n');
  const separator = lines.findIndex((line) => line.trim() === '---');
  const attestation = separator >= 0 ? lines.slice(0, separator) : lines;
  let metadata: unknown;
  if (separator >= 0) {
    try {
      metadata = JSON.parse(lines.slice(separator + 1).join('\n'));
    } catch {
      metadata = undefined;
    }
  }
  const files = new Map<string, GitAiRange[]>();
  let current: GitAiRange[] | undefined;
  let total = 0;
  for (const rawLine of attestation) {
    const line = rawLine.replace(/\r$/, '');
    if (line.trim() === '') continue;
    if (!/^\s/.test(line)) {
      const path = unquotePath(line);
      if (path.length === 0 || path.length > 4096) {
        current = undefined;
        continue;
      }
      current = files.get(path) ?? [];
      files.set(path, current);
      continue;
    }
    if (!current) continue;
    const match = /^\s+(\S+)\s+(\S.*)$/.exec(line);
    if (!match) continue;
    const agent = agentOf(metadata, match[1]);
    for (const part of match[2].split(',')) {
      const bounds = /^\s*(\d+)(?:\s*-\s*(\d+))?\s*$/.exec(part);
      if (!bounds) continue;
      const start = Number(bounds[1]);
      const end = bounds[2] === undefined ? start : Number(bounds[2]);
      if (start < 1 || end < start || end > MAX_LINE_NUMBER || ++total > MAX_RANGES) continue;
      current.push({ start, end, ...agent });
    }
  }
  for (const [path, ranges] of files) {
    if (ranges.length === 0) files.delete(path);
    else ranges.sort((a, b) => a.start - b.start);
  }
  return files.size > 0 ? { files } : undefined;
}

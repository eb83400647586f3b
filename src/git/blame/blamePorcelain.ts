/**
 * Parsing `git blame --porcelain` output: one entry per line of the blamed text. Git prints a
 * commit's details (author, summary, filename) only the first time the commit appears (and the
 * filename again when the commit touches more than one path), so the last filename seen for a
 * commit applies to its later entries.
 */
import type { BlameCommitInfo, BlameLine } from '../../core/visibility/committedLines';

export interface BlameResult {
  /** Sorted by finalLine. */
  readonly lines: BlameLine[];
  readonly commits: Map<string, BlameCommitInfo>;
}

const HEADER = /^([0-9a-f]{40}|[0-9a-f]{64}) (\d+) (\d+)(?: \d+)?$/;
const MAX_SUMMARY = 500;

/** The zero id git uses for lines that are not committed yet. */
export function isUncommittedId(commit: string): boolean {
  return /^0+$/.test(commit);
}

/** Git C-quotes a path with control characters, quotes or backslashes: `"a\\tb"`; octal escapes are UTF-8 bytes. */
export function unquoteCPath(text: string): string {
  if (!text.startsWith('"') || !text.endsWith('"') || text.length < 2) return text;
  const escapes: Record<string, number> = { n: 10, t: 9, '"': 34, '\\': 92, a: 7, b: 8, f: 12, r: 13, v: 11 };
  const bytes: number[] = [];
  const encoder = new TextEncoder();
  for (let index = 1; index < text.length - 1; index++) {
    const char = text[index];
    if (char !== '\\') {
      bytes.push(...encoder.encode(char));
      continue;
    }
    const next = text[index + 1] ?? '';
    if (/[0-7]{3}/.test(text.slice(index + 1, index + 4))) {
      bytes.push(parseInt(text.slice(index + 1, index + 4), 8));
      index += 3;
    } else {
      bytes.push(escapes[next] ?? next.charCodeAt(0));
      index += 1;
    }
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}

/** Parses porcelain output; throws an Error naming the line when it is not blame output. */
export function parseBlamePorcelain(output: string): BlameResult {
  const lines: BlameLine[] = [];
  const commits = new Map<string, BlameCommitInfo>();
  const filenameOf = new Map<string, string>();
  let position = 0;
  const length = output.length;
  while (position < length) {
    let end = output.indexOf('\n', position);
    if (end < 0) end = length;
    const header = output.slice(position, end);
    position = end + 1;
    if (header.length === 0) continue;
    const match = HEADER.exec(header);
    if (!match) throw new Error(`unexpected git blame output: ${JSON.stringify(header.slice(0, 100))}`);
    const commit = match[1];
    const originalLine = Number(match[2]);
    const finalLine = Number(match[3]);
    let info: { author?: string; authorTime?: number; summary?: string } | undefined;
    // Detail lines up to the content line, which starts with a tab.
    while (position < length && output.charCodeAt(position) !== 9) {
      let lineEnd = output.indexOf('\n', position);
      if (lineEnd < 0) lineEnd = length;
      const detail = output.slice(position, lineEnd);
      position = lineEnd + 1;
      const space = detail.indexOf(' ');
      const key = space < 0 ? detail : detail.slice(0, space);
      const value = space < 0 ? '' : detail.slice(space + 1);
      if (key === 'filename') filenameOf.set(commit, unquoteCPath(value));
      else if (key === 'author') (info ??= {}).author = value.slice(0, MAX_SUMMARY);
      else if (key === 'author-time') (info ??= {}).authorTime = Number(value);
      else if (key === 'summary') (info ??= {}).summary = value.slice(0, MAX_SUMMARY);
    }
    // Skip the content line.
    const contentEnd = output.indexOf('\n', position);
    position = contentEnd < 0 ? length : contentEnd + 1;
    if (info && !commits.has(commit)) {
      commits.set(commit, {
        commit,
        ...(info.author !== undefined ? { author: info.author } : {}),
        ...(info.authorTime !== undefined && Number.isFinite(info.authorTime) ? { authorTime: info.authorTime } : {}),
        ...(info.summary !== undefined ? { summary: info.summary } : {}),
      });
    }
    lines.push({ finalLine, commit, originalLine, path: filenameOf.get(commit) ?? '' });
  }
  lines.sort((a, b) => a.finalLine - b.finalLine);
  return { lines, commits };
}

/**
 * Lines derived from character spans: the project's ONE line rule, used by the gutter, the review
 * blocks (panel, status bar, staging gate, `vouch check`/`status`/`review`) and the notes.
 * Spans stay character-precise; lines are computed on demand.
 *
 * The rule: a line with ANY AI non-whitespace character is an AI line ('ai' when all its
 * non-whitespace characters are AI, 'mixed' when only some are; AI finishing a line a person
 * started is the commonest case). A blank line is an AI line only inside an AI block (see
 * deriveLineAttribution). Each line carries its character counts, so its AI share is exact.
 */
import type { AttributedSpan } from '../attribution';

export type LineKind = 'ai' | 'mixed' | 'human';

export interface LineAttribution {
  /** 0-based. */
  line: number;
  kind: LineKind;
  spanIds: string[];
  /** AI non-whitespace characters on the line (0 for a blank line inside an AI block). */
  aiChars: number;
  /** Non-whitespace characters on the line. */
  nonWhitespaceChars: number;
}

/** A line's AI character share, 0..1: blank lines inside an AI block count as wholly AI. */
export function lineAiShare(line: Pick<LineAttribution, 'aiChars' | 'nonWhitespaceChars'>): number {
  return line.nonWhitespaceChars === 0 ? 1 : line.aiChars / line.nonWhitespaceChars;
}

export interface AiLineBlock {
  startLine: number;
  /** Inclusive, 0-based. */
  endLine: number;
  spanIds: string[];
}

function isWhitespace(code: number): boolean {
  if (code === 32 || (code >= 9 && code <= 13)) return true;
  if (code < 128) return false;
  return /\s/.test(String.fromCharCode(code));
}

interface LineInfo {
  kind: LineKind | 'blank';
  spanIds: string[];
  aiChars: number;
  nonWhitespaceChars: number;
  /** Index (in the span list) of the span of the first / last AI non-whitespace character. */
  firstSpan: number;
  lastSpan: number;
}

/**
 * Only lines that are not 'human' are returned, by line number. A line is 'ai' when all its
 * non-whitespace characters are AI and 'mixed' when some are. A blank (empty or whitespace-only)
 * line counts as 'ai' when it lies strictly inside an AI block: the nearest non-blank lines above
 * and below are AI lines, and either one span runs across it (the last span on the line above is
 * the first span on the line below), or both lines are wholly 'ai' and those two spans are
 * neighbours in the span list (no other span between them). Such a line's spanIds are those
 * spans. So the AI lines of one span are always contiguous: a span lies in one block. Lines end at
 * '\n' ('\r' is whitespace).
 */
export function deriveLineAttribution(text: string, spans: readonly AttributedSpan[]): LineAttribution[] {
  const infos: LineInfo[] = [];
  let spanIndex = 0;
  let lineStart = 0;
  while (lineStart <= text.length) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = text.length;
    let nonWhitespace = 0;
    let ai = 0;
    let firstSpan = -1;
    let lastSpan = -1;
    const spanIds: string[] = [];
    // Spans are sorted; skip those that end before this line.
    while (spanIndex < spans.length && spans[spanIndex].end <= lineStart) spanIndex++;
    let cursor = spanIndex;
    for (let offset = lineStart; offset < lineEnd; offset++) {
      if (isWhitespace(text.charCodeAt(offset))) continue;
      nonWhitespace++;
      while (cursor < spans.length && spans[cursor].end <= offset) cursor++;
      if (cursor < spans.length && spans[cursor].start <= offset) {
        ai++;
        if (firstSpan < 0) firstSpan = cursor;
        if (lastSpan !== cursor) spanIds.push(spans[cursor].id);
        lastSpan = cursor;
      }
    }
    const kind: LineInfo['kind'] = nonWhitespace === 0 ? 'blank' : ai === nonWhitespace ? 'ai' : ai > 0 ? 'mixed' : 'human';
    infos.push({ kind, spanIds, firstSpan, lastSpan, aiChars: ai, nonWhitespaceChars: nonWhitespace });
    lineStart = lineEnd + 1;
  }
  const result: LineAttribution[] = [];
  let previousNonBlank = -1;
  for (let line = 0; line < infos.length; line++) {
    const info = infos[line];
    if (info.kind === 'blank') continue;
    if (info.kind !== 'human' && previousNonBlank >= 0 && previousNonBlank < line - 1) {
      const above = infos[previousNonBlank];
      const oneSpanAcross = above.kind !== 'human' && above.lastSpan === info.firstSpan;
      if (oneSpanAcross || (above.kind === 'ai' && info.kind === 'ai' && info.firstSpan - above.lastSpan <= 1)) {
        const ids = above.lastSpan === info.firstSpan ? [spans[info.firstSpan].id] : [spans[above.lastSpan].id, spans[info.firstSpan].id];
        for (let blank = previousNonBlank + 1; blank < line; blank++) result.push({ line: blank, kind: 'ai', spanIds: ids.slice(), aiChars: 0, nonWhitespaceChars: 0 });
      }
    }
    if (info.kind !== 'human') result.push({ line, kind: info.kind, spanIds: info.spanIds, aiChars: info.aiChars, nonWhitespaceChars: info.nonWhitespaceChars });
    previousNonBlank = line;
  }
  return result;
}

/** Groups consecutive non-human lines (given sorted by line) into blocks. */
export function groupAiLines(lines: readonly Pick<LineAttribution, 'line' | 'kind' | 'spanIds'>[]): AiLineBlock[] {
  const blocks: AiLineBlock[] = [];
  let current: AiLineBlock | undefined;
  let seen = new Set<string>();
  for (const entry of lines) {
    if (entry.kind === 'human') continue;
    if (current === undefined || entry.line !== current.endLine + 1) {
      current = { startLine: entry.line, endLine: entry.line, spanIds: [] };
      seen = new Set<string>();
      blocks.push(current);
    }
    current.endLine = entry.line;
    for (const id of entry.spanIds) {
      if (!seen.has(id)) {
        seen.add(id);
        current.spanIds.push(id);
      }
    }
  }
  return blocks;
}

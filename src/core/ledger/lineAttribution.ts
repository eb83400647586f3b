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

/** The facts of one line the spans touch: what its characters are (see deriveLineAttribution). */
function lineInfoOf(text: string, lineStart: number, lineEnd: number, spans: readonly AttributedSpan[], spanIndex: number): LineInfo {
  let nonWhitespace = 0;
  let ai = 0;
  let firstSpan = -1;
  let lastSpan = -1;
  const spanIds: string[] = [];
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
  return { kind, spanIds, firstSpan, lastSpan, aiChars: ai, nonWhitespaceChars: nonWhitespace };
}

/** The lines that hold a character of some span (in order, each once), with where they start and end ('\n' excluded). */
function linesTouchedBySpans(text: string, spans: readonly AttributedSpan[]): { line: number; start: number; end: number }[] {
  const ranges = spans
    .filter((span) => span.end > span.start && span.start < text.length && span.end > 0)
    .map((span) => ({ start: Math.max(0, span.start), end: Math.min(text.length, span.end) }))
    .sort((a, b) => a.start - b.start);
  const touched: { line: number; start: number; end: number }[] = [];
  const endOf = (start: number) => {
    const newline = text.indexOf('\n', start);
    return newline < 0 ? text.length : newline;
  };
  let line = 0;
  let lineStart = 0;
  let lineEnd = endOf(0);
  const nextLine = () => {
    lineStart = lineEnd + 1;
    lineEnd = endOf(lineStart);
    line++;
  };
  for (const range of ranges) {
    // Only forward: native indexOf over the text between spans, never a walk over every character.
    while (lineEnd < range.start) nextLine();
    for (;;) {
      if (touched.length === 0 || touched[touched.length - 1].line < line) touched.push({ line, start: lineStart, end: lineEnd });
      if (lineEnd + 1 >= range.end) break;
      nextLine();
    }
  }
  return touched;
}

/** Whether text[from, to) holds a non-whitespace character; looks from the end (the line just above comes first). */
function hasNonWhitespace(text: string, from: number, to: number): boolean {
  for (let offset = to - 1; offset >= from; offset--) if (!isWhitespace(text.charCodeAt(offset))) return true;
  return false;
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
 *
 * Cost: the characters of the lines the spans touch, plus a native search for line breaks up to
 * the last span, so a few spans in a 50 MB document cost little (the gutter, the status bar and
 * the panel run this after edits).
 */
export function deriveLineAttribution(text: string, spans: readonly AttributedSpan[]): LineAttribution[] {
  const result: LineAttribution[] = [];
  let spanIndex = 0;
  /** The nearest non-blank line above the current one: a touched line with its facts, or a human line in between (undefined facts). */
  let above: { line: number; info: LineInfo | undefined } | undefined;
  let previousEnd = -1;
  for (const touched of linesTouchedBySpans(text, spans)) {
    // A line between the touched ones holds no AI character: human when it is not blank.
    if (touched.start > previousEnd + 1 && hasNonWhitespace(text, previousEnd + 1, touched.start)) above = { line: -1, info: undefined };
    previousEnd = touched.end;
    // Spans are sorted; skip those that end before this line.
    while (spanIndex < spans.length && spans[spanIndex].end <= touched.start) spanIndex++;
    const info = lineInfoOf(text, touched.start, touched.end, spans, spanIndex);
    if (info.kind === 'blank') continue;
    const upper = above?.info;
    if (info.kind !== 'human' && upper && above && above.line < touched.line - 1) {
      const oneSpanAcross = upper.kind !== 'human' && upper.lastSpan === info.firstSpan;
      if (oneSpanAcross || (upper.kind === 'ai' && info.kind === 'ai' && info.firstSpan - upper.lastSpan <= 1)) {
        const ids = upper.lastSpan === info.firstSpan ? [spans[info.firstSpan].id] : [spans[upper.lastSpan].id, spans[info.firstSpan].id];
        for (let blank = above.line + 1; blank < touched.line; blank++) result.push({ line: blank, kind: 'ai', spanIds: ids.slice(), aiChars: 0, nonWhitespaceChars: 0 });
      }
    }
    if (info.kind !== 'human') result.push({ line: touched.line, kind: info.kind, spanIds: info.spanIds, aiChars: info.aiChars, nonWhitespaceChars: info.nonWhitespaceChars });
    above = { line: touched.line, info };
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

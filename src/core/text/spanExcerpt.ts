/**
 * The part of a text that the line rule needs for a set of spans: every line a span touches, and
 * between them one stand-in line per stretch of other lines. Built from a LineSource (an editor
 * document answers by line, without handing over its whole text), so the gutter and the block
 * counts of a 50 MB document cost the lines around its AI spans, not the document.
 *
 * Why it gives the same lines and blocks as the whole text (property-tested against it):
 * - the line rule (ledger/lineAttribution.ts) looks at the characters of the lines spans touch,
 *   and for a blank line at the nearest non-blank lines above and below; blocks join lines that
 *   are next to each other or only blank lines apart;
 * - so the touched lines are copied whole, a stretch between them that holds a non-blank line is
 *   one human line ('~'), and a stretch of only blank lines is copied as it is (such a line can be
 *   an AI line inside a block). Lines above the first and below the last touched line are left out.
 */
import type { AttributedSpan } from '../attribution';
import { lastAtOrBelow, lineStartOffsets } from './lines';

/** A text read by lines and slices (offsets as in the text; lines end at '\n'). */
export interface LineSource {
  readonly length: number;
  readonly lineCount: number;
  /** The 0-based line holding `offset` (0 <= offset <= length). */
  lineAt(offset: number): number;
  /** The offset where `line` starts (0 <= line < lineCount). */
  lineStart(line: number): number;
  slice(start: number, end: number): string;
}

/** A string as a LineSource (tests, and texts already in memory). */
export function stringLineSource(text: string): LineSource {
  const starts = lineStartOffsets(text);
  return {
    length: text.length,
    lineCount: starts.length,
    lineAt: (offset) => lastAtOrBelow(starts.length, (index) => starts[index], offset),
    lineStart: (line) => starts[line],
    slice: (start, end) => text.slice(start, end),
  };
}

export interface SpanExcerpt {
  readonly text: string;
  /** The spans (clamped to the text) with offsets into `text`, in the given order. */
  readonly spans: AttributedSpan[];
  /** The source's line of a line of the excerpt that came from it (-1 for a stand-in line). */
  documentLine(excerptLine: number): number;
}

interface Segment {
  /** Lines [first, last] of the source, copied. */
  first: number;
  last: number;
}

function isWhitespaceCode(code: number): boolean {
  if (code === 32 || (code >= 9 && code <= 13)) return true;
  if (code < 128) return false;
  return /\s/.test(String.fromCharCode(code));
}

function isBlank(text: string): boolean {
  for (let index = 0; index < text.length; index++) if (!isWhitespaceCode(text.charCodeAt(index))) return false;
  return true;
}

const STAND_IN_LINE = '~\n';

export function spanExcerpt(source: LineSource, spans: readonly AttributedSpan[]): SpanExcerpt {
  const clamp = (value: number) => Math.max(0, Math.min(source.length, value));
  const clamped = spans.map((span) => {
    const start = clamp(span.start);
    const end = Math.max(start, clamp(span.end));
    return start === span.start && end === span.end ? span : { ...span, start, end };
  });
  // The lines of each span, merged where they overlap or are next to each other (so the text between two spans is copied whole).
  const ranges = clamped.map((span) => ({ first: source.lineAt(span.start), last: source.lineAt(Math.max(span.start, span.end - 1)) })).sort((a, b) => a.first - b.first);
  const merged: Segment[] = [];
  for (const range of ranges) {
    const previous = merged[merged.length - 1];
    if (previous && range.first <= previous.last + 1) previous.last = Math.max(previous.last, range.last);
    else merged.push({ ...range });
  }
  const lineEnd = (line: number) => (line + 1 < source.lineCount ? source.lineStart(line + 1) : source.length);
  const parts: string[] = [];
  /** Copied stretches: where each starts in the excerpt (offset, line) and in the source. */
  const copies: { excerptOffset: number; excerptLine: number; lines: number; sourceOffset: number; sourceLine: number }[] = [];
  let excerptOffset = 0;
  let excerptLine = 0;
  const copy = (first: number, last: number) => {
    const start = source.lineStart(first);
    const end = lineEnd(last);
    const text = source.slice(start, end);
    copies.push({ excerptOffset, excerptLine, lines: last - first + 1, sourceOffset: start, sourceLine: first });
    parts.push(text);
    excerptOffset += text.length;
    excerptLine += last - first + 1;
  };
  merged.forEach((segment, index) => {
    if (index > 0) {
      // The lines between this segment and the one before: blank ones are copied, else one human stand-in.
      const gapFirst = merged[index - 1].last + 1;
      const gapLast = segment.first - 1;
      let allBlank = true;
      for (let line = gapFirst; line <= gapLast && allBlank; line++) allBlank = isBlank(source.slice(source.lineStart(line), lineEnd(line)));
      if (allBlank) {
        copy(gapFirst, segment.last);
        return;
      }
      parts.push(STAND_IN_LINE);
      excerptOffset += STAND_IN_LINE.length;
      excerptLine++;
    }
    copy(segment.first, segment.last);
  });
  const text = parts.join('');
  const copyOfSourceOffset = (offset: number) => copies[lastAtOrBelow(copies.length, (index) => copies[index].sourceOffset, offset)];
  const moved = clamped.map((span) => {
    const where = copyOfSourceOffset(span.start);
    const shift = where.excerptOffset - where.sourceOffset;
    return { ...span, start: span.start + shift, end: span.end + shift };
  });
  return {
    text,
    spans: moved,
    documentLine(line) {
      const low = lastAtOrBelow(copies.length, (index) => copies[index].excerptLine, line);
      const where = copies[low];
      // A stand-in line, or a line past the last copy, has no source line.
      if (!where || line < where.excerptLine || line >= where.excerptLine + where.lines) return -1;
      const sourceLine = where.sourceLine + (line - where.excerptLine);
      return sourceLine;
    },
  };
}

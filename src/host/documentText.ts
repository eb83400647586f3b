import { setTimeout as pause } from 'node:timers/promises';
import * as vscode from 'vscode';
import type { AttributedSpan } from '../core/attribution';
import type { SpanReviewStatus } from '../core/review/reviewModel';
import type { LineSource } from '../core/text/spanExcerpt';
import { lineHolding } from '../core/text/lines';
import { SpanStatusCache } from '../core/visibility/lineMarks';
import { nativeSha256Hex } from '../git/blame/nativeSha256';
import { TextChangedError, type TextPieces } from '../git/textPieces';

/**
 * An editor document read by lines and ranges (core's LineSource): `document.getText()` of a
 * 50 MB document takes ~0.5 s in the extension host and builds the whole string, so nothing on the
 * event path takes it; what shows spans reads the lines around them (spanExcerpt). `near`: the
 * line the reading is about (the edited line, the cursor's), and the length when the caller knows it.
 */
export function documentLineSource(document: vscode.TextDocument, near?: { readonly line: number; readonly length?: number }): LineSource {
  const lineCount = document.lineCount;
  const lineStart = (line: number) => document.offsetAt(new vscode.Position(line, 0));
  if (!near) {
    return {
      length: documentLength(document),
      lineCount,
      lineAt: (offset) => document.positionAt(offset).line,
      lineStart,
      slice: (start, end) => document.getText(new vscode.Range(document.positionAt(start), document.positionAt(end))),
    };
  }
  // Just after an edit, `positionAt` and the document's length total the line lengths below the
  // edit (a pass over every later line); `offsetAt` of a line near it only those in between. So
  // lines are found by searching outwards from the edited line.
  const lineAt = (offset: number) => lineHolding(offset, Math.max(0, Math.min(lineCount - 1, near.line)), lineCount, lineStart);
  const positionOf = (offset: number) => {
    const line = lineAt(offset);
    return new vscode.Position(line, offset - lineStart(line));
  };
  let length = near.length;
  return {
    // Counted only when asked (the same pass over the lines below the edit), once.
    get length() {
      return (length ??= documentLength(document));
    },
    lineCount,
    lineAt,
    lineStart,
    slice: (start, end) => document.getText(new vscode.Range(positionOf(start), positionOf(end))),
  };
}

/**
 * The review status of spans of a document near `line` (the cursor's, the hovered one), each from
 * its own text: a cursor stop or a hover never takes the document's whole text, and the span's
 * lines are found from `line` (a position lookup right after an edit walks every later line).
 */
export function spanStatusesNear(document: vscode.TextDocument, line: number): (span: AttributedSpan) => SpanReviewStatus {
  const statuses = new SpanStatusCache(nativeSha256Hex);
  const source = documentLineSource(document, { line });
  return (span) => {
    const text = source.slice(span.start, span.end);
    return statuses.statusOf({ ...span, start: 0, end: text.length }, text);
  };
}

/** Characters per piece of a document read for a save (64 K: about a millisecond to read, hash and encode). */
const PIECE_CHARS = 1 << 16;
/**
 * A pause between pieces (ms): the extension host goes idle between them, so whatever else waits
 * runs first and a save of a 50 MB document is ~200 short tasks, not one long one.
 */
const PIECE_PAUSE_MS = 1;

/**
 * A document's text as it is now, read a range at a time when the save gets to it (TextPieces):
 * reading stops with TextChangedError once the document has a newer version, so a save never
 * mixes two versions; the edit that changed it has scheduled the next save.
 */
export function documentPieces(document: vscode.TextDocument): TextPieces {
  const version = document.version;
  const length = documentLength(document);
  const what = document.uri.toString();
  const unchanged = () => {
    // A closed document still answers (its last save reads it); only a newer version is refused.
    if (document.version !== version) throw new TextChangedError(what);
  };
  let whole: string | undefined;
  return {
    length,
    key: `${what}\u0000${version}`,
    async *pieces() {
      for (let start = 0; start < length; ) {
        unchanged();
        let end = Math.min(length, start + PIECE_CHARS);
        let piece = document.getText(new vscode.Range(document.positionAt(start), document.positionAt(end)));
        // A surrogate pair stays in one piece, so each piece encodes to its own UTF-8 bytes.
        const last = piece.charCodeAt(piece.length - 1);
        if (end < length && last >= 0xd800 && last <= 0xdbff) {
          piece = piece.slice(0, -1);
          end--;
        }
        yield piece;
        start = end;
        await pause(PIECE_PAUSE_MS);
      }
      unchanged();
    },
    async whole() {
      if (whole === undefined) {
        unchanged();
        whole = document.getText();
      }
      return whole;
    },
  };
}

/** The characters of a document's line break ('\r\n' or '\n': the editor keeps one kind per document). */
export function eolLength(document: vscode.TextDocument): number {
  return document.eol === vscode.EndOfLine.CRLF ? 2 : 1;
}

/** The number of characters of a document, without taking its text. */
export function documentLength(document: vscode.TextDocument): number {
  return document.offsetAt(document.lineAt(document.lineCount - 1).range.end);
}

/** Documents up to these sizes are cheap to take whole (a few ms); larger ones are read by pieces or lines. */
const LARGE_DOCUMENT_LINES = 20_000;
const LARGE_DOCUMENT_CHARS = 1_000_000;

/** Whether taking the document's whole text would hold the extension host for long (its line count decides first, at no cost). */
export function isLargeDocument(document: vscode.TextDocument): boolean {
  return document.lineCount > LARGE_DOCUMENT_LINES || documentLength(document) > LARGE_DOCUMENT_CHARS;
}

/**
 * Characters of text per span up to which the lines around a document's spans are cheaper to
 * find in its whole text: a read by ranges costs two position lookups and a range read per span
 * and per stretch between spans (~6 µs each in the extension host: ~12 ms for 2,000 spans), the
 * whole text one join of its lines and one scan for line breaks (a few ns per character).
 */
const WHOLE_TEXT_CHARS_PER_SPAN = 2_048;

/**
 * The document's whole text when it is the cheaper read of the lines around `spanCount` spans: a
 * document of ordinary size whose spans are dense enough. Undefined otherwise: read the lines
 * around the spans (spanExcerpt over documentLineSource), never a large document's whole text.
 */
export function wholeTextForSpans(document: vscode.TextDocument, spanCount: number): string | undefined {
  if (spanCount === 0 || document.lineCount > LARGE_DOCUMENT_LINES) return undefined;
  const length = documentLength(document);
  return length <= LARGE_DOCUMENT_CHARS && length <= spanCount * WHOLE_TEXT_CHARS_PER_SPAN ? document.getText() : undefined;
}

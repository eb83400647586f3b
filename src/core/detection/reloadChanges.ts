/**
 * A reload from disk as the changes it really made. The editor reports a reload as ONE change from
 * the first line that differs to the last (it keeps only the common first and last lines), so an
 * agent that writes a line at the top of a file and a function at its end seems to have rewritten
 * everything between them: the person's lines there would be taken for the agent's, and AI spans
 * there would be cut out of the ledger as if their text were gone. With the text the document had
 * before (what the editor last loaded or saved), the change is diffed into the pieces that differ.
 */
import type { TextReplacement } from '../attribution';
import { computeTextReplacements } from '../reanchor';

export interface TextPosition {
  readonly line: number;
  readonly character: number;
}

/** One narrowed change with the range it replaced in the text before (0-based lines, as the editor counts them). */
export interface NarrowedChange {
  readonly change: TextReplacement;
  /** The text the change replaced. */
  readonly replaced: string;
  readonly start: TextPosition;
  readonly end: TextPosition;
}

/**
 * The changes that turn `before` into `after`, found on the lines of the reported `change` (offsets
 * into `before`, sorted, apart), each with its range; `start` is where `change` begins in `before`.
 * Undefined when `before` is not the text the change was made to (its length or the text around
 * the change differs): the caller keeps the reported change.
 */
export function narrowReload(before: string, change: TextReplacement, start: TextPosition, after: string): NarrowedChange[] | undefined {
  const { offset, deletedLength, insertedText } = change;
  const deletedEnd = offset + deletedLength;
  if (offset < 0 || deletedEnd > before.length || before.length - deletedLength + insertedText.length !== after.length) return undefined;
  if (before.slice(0, offset) !== after.slice(0, offset) || before.slice(deletedEnd) !== after.slice(offset + insertedText.length)) return undefined;
  if (after.slice(offset, offset + insertedText.length) !== insertedText) return undefined;
  // Diffed as whole lines (from the start of the change's first line to the end of its last), so
  // that inserted lines come out as lines (a function appended after the last line break, not the
  // break and the function without its own); the text after the change is the same in both.
  const from = offset - start.character;
  if (from < 0 || before.slice(from, offset).includes('\n')) return undefined;
  const beforeTo = deletedEnd === 0 || before.charCodeAt(deletedEnd - 1) === 10 ? deletedEnd : before.indexOf('\n', deletedEnd) + 1 || before.length;
  const afterTo = beforeTo - deletedLength + insertedText.length;
  const pieces = computeTextReplacements(before.slice(from, beforeTo), after.slice(from, afterTo));
  if (pieces.length === 0) return undefined;
  // Positions by walking the text before from the change's first line, once, in order.
  let line = start.line;
  let lineStart = from;
  let walked = from;
  const positionOf = (target: number): TextPosition => {
    for (let newline = before.indexOf('\n', walked); newline !== -1 && newline < target; newline = before.indexOf('\n', newline + 1)) {
      line++;
      lineStart = newline + 1;
    }
    walked = target;
    return { line, character: target - lineStart };
  };
  return pieces.map((piece) => {
    const narrowed: TextReplacement = { offset: from + piece.offset, deletedLength: piece.deletedLength, insertedText: piece.insertedText };
    return {
      change: narrowed,
      replaced: before.slice(narrowed.offset, narrowed.offset + narrowed.deletedLength),
      start: positionOf(narrowed.offset),
      end: positionOf(narrowed.offset + narrowed.deletedLength),
    };
  });
}

/** Words: letters, digits, `_` and `$`. */
const WORD = /[\p{L}\p{N}_$]+/gu;

/**
 * The characters of the words the changes inserted that the text they replaced did not hold (as a
 * multiset, over all the changes): what a formatter does not add. It re-spaces, re-wraps, adds
 * punctuation and reorders lines (a line moved is replaced in one place and inserted in another);
 * a program that writes new code inserts words.
 */
export function newWordChars(changes: readonly TextReplacement[], replacedTexts: readonly string[]): number {
  const replaced = new Map<string, number>();
  for (const text of replacedTexts) for (const word of text.match(WORD) ?? []) replaced.set(word, (replaced.get(word) ?? 0) + 1);
  let count = 0;
  for (const change of changes) {
    for (const word of change.insertedText.match(WORD) ?? []) {
      const left = replaced.get(word) ?? 0;
      if (left > 0) replaced.set(word, left - 1);
      else count += word.length;
    }
  }
  return count;
}

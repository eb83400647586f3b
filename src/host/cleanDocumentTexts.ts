import * as vscode from 'vscode';
import type { TextReplacement } from '../core/attribution';
import { narrowReload } from '../core/detection/reloadChanges';
import { LastSeenTexts } from '../core/detection/lastSeenTexts';
import { readRegularFileSync } from '../git/regularFile';

/** Enough for the files a person and an agent work on at once; bounded in memory (the least recently kept go first). */
const MAX_TEXTS = 1_024;
const MAX_TEXT_CHARS = 16 * 1024 * 1024;

/** Documents backed by a file on this machine, which the editor reloads when another program writes it. */
function isFileBacked(document: vscode.TextDocument): boolean {
  return document.uri.scheme === 'file';
}

/**
 * Whether the file on disk holds `text` now (UTF-8, a byte-order mark dropped, as editors show it).
 * The document's dirty flag cannot tell a reload: the first edit of a clean document can arrive
 * while the document still reads as not dirty.
 */
function diskHolds(document: vscode.TextDocument, text: string): boolean {
  try {
    const read = readRegularFileSync(document.uri.fsPath, { maxBytes: text.length * 3 + 3, followSymlink: true });
    if (read.kind !== 'ok') return false;
    const disk = read.bytes.toString('utf8');
    return (disk.charCodeAt(0) === 0xfeff ? disk.slice(1) : disk) === text;
  } catch {
    return false;
  }
}

/**
 * The text each open file had when it last matched the file on disk (opened clean, saved, reloaded),
 * so that a reload from disk can be taken as the changes it really made (core/detection/reloadChanges.ts)
 * rather than as the one wide change the editor reports. Only documents of ordinary size: the caller
 * never takes a large document's whole text (documentText.ts).
 */
export class CleanDocumentTexts {
  private readonly texts = new LastSeenTexts(MAX_TEXTS, MAX_TEXT_CHARS);

  /** Keeps `text` as the document's text on disk, when it is a clean file-backed document. */
  noteClean(document: vscode.TextDocument, text: string): void {
    if (isFileBacked(document) && !document.isDirty) this.texts.remember(document.uri.toString(), text);
    else this.forget(document.uri.toString());
  }

  forget(key: string): void {
    this.texts.forget(key);
  }

  /**
   * After a change that left the document clean: when the document holds what its file holds (a
   * reload, a revert), that text is kept (undefined: it does not, an edit). `sameAsKept`: it is the
   * text kept before (a revert of unsaved edits to what was saved). The `reported` change of a
   * reload (the document was clean before it) is narrowed to what differs from the text kept before,
   * with the ranges they replaced, when that text is the one the change was made to. `keptBefore`
   * and `text`: the text kept before (when known) and the document's text now.
   */
  afterCleanChange(
    document: vscode.TextDocument,
    reported: { readonly change: TextReplacement; readonly range: vscode.Range } | undefined,
  ): { sameAsKept: boolean; keptBefore: string | undefined; text: string; narrowed?: { changes: TextReplacement[]; ranges: vscode.Range[]; replacedTexts: string[] } } | undefined {
    if (!isFileBacked(document)) return undefined;
    const after = document.getText();
    // An edit, not a reload (the first edit of a clean document can read as clean): the text kept is still the file's.
    if (!diskHolds(document, after)) return undefined;
    const before = this.texts.take(document.uri.toString());
    this.noteClean(document, after);
    const kept = { sameAsKept: before === after, keptBefore: before, text: after };
    if (before === undefined || !reported) return kept;
    const { change, range } = reported;
    const narrowed = narrowReload(before, change, range.start, after);
    if (!narrowed) return kept;
    return {
      ...kept,
      narrowed: {
        changes: narrowed.map((piece) => piece.change),
        replacedTexts: narrowed.map((piece) => piece.replaced),
        ranges: narrowed.map((piece) => new vscode.Range(piece.start.line, piece.start.character, piece.end.line, piece.end.character)),
      },
    };
  }
}

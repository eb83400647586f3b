import * as vscode from 'vscode';
import type { TextReplacement } from '../core/attribution';
import { narrowReload } from '../core/detection/reloadChanges';
import { LastSeenTexts } from '../core/detection/lastSeenTexts';

/** Enough for the files a person and an agent work on at once; bounded in memory (the least recently kept go first). */
const MAX_TEXTS = 1_024;
const MAX_TEXT_CHARS = 16 * 1024 * 1024;

/** Documents backed by a file the editor reloads when another program writes it. */
function isFileBacked(document: vscode.TextDocument): boolean {
  return document.uri.scheme === 'file' || document.uri.scheme === 'vscode-remote';
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
   * The change of a reload (a clean document that is still clean after one change) narrowed to what
   * differs from the text kept for it, with the ranges they replaced; undefined when no text is kept
   * or it is not the text the change was made to. `after` is the document's text now; it is kept
   * for the next reload.
   */
  narrowReload(document: vscode.TextDocument, change: TextReplacement, range: vscode.Range, after: string): { changes: TextReplacement[]; ranges: vscode.Range[] } | undefined {
    const key = document.uri.toString();
    const before = this.texts.take(key);
    this.noteClean(document, after);
    if (before === undefined) return undefined;
    const narrowed = narrowReload(before, change, range.start, after);
    if (!narrowed) return undefined;
    return {
      changes: narrowed.map((piece) => piece.change),
      ranges: narrowed.map((piece) => new vscode.Range(piece.start.line, piece.start.character, piece.end.line, piece.end.character)),
    };
  }
}

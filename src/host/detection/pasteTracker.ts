import * as vscode from 'vscode';
import type { TextReplacement } from '../../core/attribution';

/** How long after the paste provider ran its paste may still arrive as a change event. */
const PASTE_MATCH_MS = 3_000;

interface RecordedPaste {
  readonly documentUri: string;
  readonly text: string;
  readonly at: number;
}

function normalise(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(/[ \t]+$/gm, '');
}

/**
 * Sees every paste through a DocumentPasteEditProvider that records it and offers no edit, so
 * VS Code's default paste runs unchanged. The change event that the paste causes is then known to
 * be a person's paste, whatever its size.
 */
export class PasteTracker implements vscode.Disposable {
  private readonly pastes: RecordedPaste[] = [];
  private readonly registration: vscode.Disposable;

  constructor(private readonly now: () => number = Date.now) {
    const provider: vscode.DocumentPasteEditProvider = {
      provideDocumentPasteEdits: async (document, _ranges, dataTransfer) => {
        const item = dataTransfer.get('text/plain');
        const text = item ? await item.asString() : undefined;
        if (text) this.record(document.uri, text);
        return undefined;
      },
    };
    this.registration = vscode.languages.registerDocumentPasteEditProvider(
      [{ scheme: 'file' }, { scheme: 'untitled' }, { scheme: 'vscode-remote' }],
      provider,
      { pasteMimeTypes: ['text/plain'], providedPasteEditKinds: [vscode.DocumentDropOrPasteEditKind.Text.append('vouch', 'observe')] },
    );
  }

  record(uri: vscode.Uri, text: string): void {
    const at = this.now();
    this.prune(at);
    this.pastes.push({ documentUri: uri.toString(), text: normalise(text), at });
  }

  /**
   * True (and the paste is used up) when the event inserts text that a recent paste into the same
   * document carried: all of it, or each cursor's share of it.
   */
  consumeMatching(documentKey: string, changes: readonly TextReplacement[]): boolean {
    if (this.pastes.length === 0) return false;
    const now = this.now();
    this.prune(now);
    const key = documentKey;
    const inserted = changes.map((change) => normalise(change.insertedText)).filter((text) => text.length > 0);
    if (inserted.length === 0) return false;
    const joined = inserted.join('\n');
    for (let index = this.pastes.length - 1; index >= 0; index--) {
      const paste = this.pastes[index];
      if (paste.documentUri !== key) continue;
      const matches = joined === paste.text || inserted.every((text) => paste.text.includes(text.trim()) || text.includes(paste.text.trim()));
      if (matches) {
        this.pastes.splice(index, 1);
        return true;
      }
    }
    return false;
  }

  private prune(now: number): void {
    while (this.pastes.length > 0 && now - this.pastes[0].at > PASTE_MATCH_MS) this.pastes.shift();
  }

  dispose(): void {
    this.registration.dispose();
  }
}

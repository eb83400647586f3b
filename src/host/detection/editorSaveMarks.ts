import * as vscode from 'vscode';
import { errorMessage } from '../../core/errorMessage';
import { EditorSaves } from '../../git/editorSaves';
import type { SavedDocumentText } from '../attributionService';
import { DisposableStore } from '../lifecycle';
import type { RepositoryRegistry } from '../repositoryRegistry';

/**
 * The saves of every editor window with Vouch on a working tree (git/editorSaves.ts): this window
 * notes each of its saves there, and the outside-write detectors ask before they record a write,
 * so a person's save in another window is not taken for another program's write.
 */
export class EditorSaveMarks implements vscode.Disposable {
  private readonly disposables = new DisposableStore();

  /** `onDidSaveText`: the saves of documents of ordinary size (large ones are not looked at by the outside-write detectors either). */
  constructor(
    private readonly states: RepositoryRegistry,
    onDidSaveText: vscode.Event<SavedDocumentText>,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.disposables.push(onDidSaveText((saved) => void this.noteSave(saved)));
  }

  private async noteSave({ document, text }: SavedDocumentText): Promise<void> {
    if (document.uri.scheme !== 'file') return;
    try {
      const located = await this.states.storeOf(document.uri.fsPath);
      if (located) await EditorSaves.of(located.repository).noteSaved(located.repoPath, text);
    } catch (error) {
      this.log.warn(`Could not note the save of ${vscode.workspace.asRelativePath(document.uri)} for other windows: ${errorMessage(error)}`);
    }
  }

  /** Whether an editor window with Vouch (this one or another) saved `text`, what the file holds now, lately. */
  async savedByAnEditor(uri: vscode.Uri, text: string): Promise<boolean> {
    if (uri.scheme !== 'file') return false;
    const located = await this.states.storeOf(uri.fsPath).catch(() => undefined);
    return located ? EditorSaves.of(located.repository).savedLately(located.repoPath, text) : false;
  }

  dispose(): void {
    this.disposables.dispose();
  }
}

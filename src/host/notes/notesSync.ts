import * as vscode from 'vscode';
import { syncNotes, type SyncReport } from '../../git/notes/sync';
import type { DisposableStore } from '../lifecycle';
import type { VouchSettings } from '../settings';
import type { NotesContexts } from './notesContexts';
import { errorMessage } from '../../core/errorMessage';

/** `vouch sync` in the editor: on command, and offered (setting vouch.notes.syncAfterPushPull) after a push or a pull. */
export class NotesSync {
  private offerOpen = false;

  constructor(
    private readonly contexts: NotesContexts,
    private readonly settings: VouchSettings,
    /** Owns the status-bar messages of quiet syncs. */
    private readonly disposables: DisposableStore,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  async offerAfter(root: string, remote: string, after: 'push' | 'pull'): Promise<void> {
    const mode = this.settings.notes.syncAfterPushPull;
    if (mode === 'never' || this.offerOpen) return;
    if (mode === 'ask') {
      this.offerOpen = true;
      let answer: string | undefined;
      try {
        answer = await vscode.window.showInformationMessage(`Vouch: sync the AI attribution notes (refs/notes/vouch) with ${remote} after this ${after}?`, 'Sync', 'Always', 'Never');
      } finally {
        this.offerOpen = false;
      }
      if (answer === 'Never') await this.settings.setNotesMode('syncAfterPushPull', 'never');
      if (answer === 'Always') await this.settings.setNotesMode('syncAfterPushPull', 'always');
      if (answer !== 'Sync' && answer !== 'Always') return;
    }
    await this.run(root, remote, mode === 'always' ? 'quiet' : 'tell');
  }

  /** `vouch sync` for a repository; reports the outcome (quietly in the status bar for automatic syncs). */
  async run(root: string, remote: string | undefined, report: 'quiet' | 'tell'): Promise<SyncReport | undefined> {
    try {
      const context = await this.contexts.contextOf(root);
      const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Vouch: syncing notes' }, () => syncNotes(context, { remote }));
      for (const warning of result.warnings) void vscode.window.showWarningMessage(`Vouch: ${warning}`);
      const local = result.localUpdate === 'merge' ? `merged ${result.mergedNotes} note(s)` : result.localUpdate === 'fast-forward' ? 'took the remote notes' : 'no remote changes';
      const message = `Vouch notes synced with ${result.remote}: ${local}; ${result.pushed ? 'pushed' : 'nothing to push'}`;
      this.log.info(message);
      if (report === 'tell') void vscode.window.showInformationMessage(message);
      else this.disposables.add(vscode.window.setStatusBarMessage(message, 5000));
      return result;
    } catch (error) {
      const message = errorMessage(error);
      this.log.error(`Vouch sync failed: ${message}`);
      void vscode.window.showErrorMessage(`Vouch could not sync notes: ${message}`);
      return undefined;
    }
  }
}

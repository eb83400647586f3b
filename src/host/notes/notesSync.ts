import * as vscode from 'vscode';
import { syncNotes, type SyncReport } from '../../git/notes/sync';
import type { DisposableStore } from '../lifecycle';
import type { VouchSettings } from '../settings';
import type { ForcedFetchWarning } from './forcedFetchWarning';
import type { NotesContexts } from './notesContexts';
import { runNotesOperation, tellOutcome, type OutcomeReport } from './notesOutcome';

/** `vouch sync` in the editor: on command, and offered (setting vouch.notes.syncAfterPushPull) after a push or a pull. */
export class NotesSync {
  private offerOpen = false;

  constructor(
    private readonly contexts: NotesContexts,
    private readonly settings: VouchSettings,
    /** The sync's forced-fetch findings go through it: shown once, not at every sync. */
    private readonly forcedFetchWarning: ForcedFetchWarning,
    /** Owns the status-bar messages of quiet syncs. */
    private readonly disposables: DisposableStore,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  async offerAfter(root: string, remote: string, after: 'push' | 'pull'): Promise<void> {
    const mode = this.settings.notes.syncAfterPushPull;
    if (mode === 'never') {
      this.log.info(`Not offering to sync the notes with ${remote} after this ${after}: vouch.notes.syncAfterPushPull is never`);
      return;
    }
    if (this.offerOpen) return;
    if (mode === 'ask') {
      this.offerOpen = true;
      let answer: string | undefined;
      const [sync, always, never] = [vscode.l10n.t('Sync'), vscode.l10n.t('Always'), vscode.l10n.t('Never')];
      const question =
        after === 'push'
          ? vscode.l10n.t('Vouch: sync the AI attribution notes (refs/notes/vouch) with {0} after this push?', remote)
          : vscode.l10n.t('Vouch: sync the AI attribution notes (refs/notes/vouch) with {0} after this pull?', remote);
      try {
        answer = await vscode.window.showInformationMessage(question, sync, always, never);
      } finally {
        this.offerOpen = false;
      }
      if (answer === never) {
        await this.settings.setNotesMode('syncAfterPushPull', 'never');
        this.log.info('vouch.notes.syncAfterPushPull is now never (Never): the notes are not synced after push and pull');
      }
      if (answer === always) await this.settings.setNotesMode('syncAfterPushPull', 'always');
      if (answer !== sync && answer !== always) return;
    }
    await this.run(root, remote, mode === 'always' ? 'quiet' : 'tell');
  }

  /** `vouch sync` for a repository; reports the outcome (quietly in the status bar for automatic syncs). */
  async run(root: string, remote: string | undefined, report: OutcomeReport): Promise<SyncReport | undefined> {
    const failure = { logPrefix: 'Vouch sync failed', show: (message: string) => vscode.l10n.t('Vouch could not sync notes: {0}', message) };
    return runNotesOperation(this.log, failure, async () => {
      const context = await this.contexts.contextOf(root);
      const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: vscode.l10n.t('Vouch: syncing notes') }, () => syncNotes(context, { remote }));
      if (result.warnings.length > 0) await this.forcedFetchWarning.warn(root);
      const local =
        result.localUpdate === 'merge'
          ? vscode.l10n.t('merged {0} note(s)', result.mergedNotes)
          : result.localUpdate === 'fast-forward'
            ? vscode.l10n.t('took the remote notes')
            : vscode.l10n.t('no remote changes');
      const message = vscode.l10n.t('Vouch notes synced with {0}: {1}; {2}', result.remote, local, result.pushed ? vscode.l10n.t('pushed') : vscode.l10n.t('nothing to push'));
      this.log.info(message);
      tellOutcome(message, report, this.disposables);
      return result;
    });
  }
}

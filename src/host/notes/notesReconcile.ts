import * as vscode from 'vscode';
import type { GitRunner } from '../../git/gitRunner';
import { lastPulledRange } from '../../git/headReflog';
import { reconcileNotes, type ReconcileReport } from '../../git/notes/reconcile';
import type { AttributionService } from '../attributionService';
import { Debouncer, DisposableStore } from '../lifecycle';
import type { RepositoryRegistry } from '../repositoryRegistry';
import type { VouchSettings } from '../settings';
import type { NotesContexts } from './notesContexts';
import { runNotesOperation, tellOutcome, type OutcomeReport } from './notesOutcome';
import { reloadRepositoryDocuments } from './repositoryDocuments';
import { errorMessage } from '../../core/errorMessage';

/** A pull writes many files under .git; it is looked at once they have settled. */
const PULL_SETTLE_MS = 500;

/** `vouch reconcile` in the editor: carries records to commits that took noted content (squash merges, cherry-picks). */
export class NotesReconcile {
  constructor(
    private readonly service: AttributionService,
    private readonly contexts: NotesContexts,
    private readonly disposables: DisposableStore,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** Reconciles the repository's history (or `range`); tells the outcome, or quietly in the status bar unless records are stale. */
  async run(root: string, options: { readonly range?: string; readonly report?: OutcomeReport } = {}): Promise<ReconcileReport | undefined> {
    const failure = { logPrefix: 'Vouch reconcile failed', show: (message: string) => vscode.l10n.t('Vouch could not reconcile notes: {0}', message) };
    return runNotesOperation(this.log, failure, async () => {
      const context = await this.contexts.contextOf(root);
      const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: vscode.l10n.t('Vouch: reconciling notes') }, () =>
        reconcileNotes(context, options.range === undefined ? {} : { range: options.range }),
      );
      const message = vscode.l10n.t('Vouch reconciled {0} commit(s): {1} record(s) carried, {2} stale', result.scannedCommits, result.carried.length, result.stale.length);
      this.log.info(message);
      for (const item of result.stale) this.log.warn(`Stale Vouch record ${item.check.recordId.slice(0, 12)} on ${item.commit.slice(0, 12)}: its AI lines no longer match the commit`);
      if (result.stale.length > 0) void vscode.window.showWarningMessage(vscode.l10n.t("{0}. Stale records no longer match their commits' lines; see the Vouch log.", message));
      else tellOutcome(message, options.report ?? 'tell', this.disposables);
      if (result.carried.length > 0) await reloadRepositoryDocuments(this.service, context.topLevel, root);
      return result;
    });
  }
}

/**
 * With `vouch.notes.reconcileAfterPull`, reconciles the commits a pull or a merge brought in, so
 * that a squash-merged pull request's commit takes the records of the commits it squashed. The
 * repository's watcher tells when git wrote ORIG_HEAD (which a pull or a merge does); HEAD's
 * reflog tells whether it was one. Each pull is looked at once, also while the setting is off.
 */
export class ReconcileAfterPull implements vscode.Disposable {
  private readonly disposables = new DisposableStore();
  private readonly settle: Debouncer<string>;
  /** Per repository, the last pull looked at (`before..after`). */
  private readonly seen = new Map<string, string>();

  constructor(
    private readonly git: GitRunner,
    repositories: RepositoryRegistry,
    private readonly reconcile: NotesReconcile,
    private readonly settings: VouchSettings,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.settle = this.disposables.add(new Debouncer<string>(PULL_SETTLE_MS, (topLevel) => void this.look(topLevel)));
    this.disposables.add(
      repositories.onDidChangeRepository((change) => {
        if (change.kind === 'operation') this.settle.trigger(change.repository.topLevel);
      }),
    );
  }

  private async look(topLevel: string): Promise<void> {
    try {
      const pulled = await lastPulledRange(this.git, topLevel);
      if (!pulled) return;
      const range = `${pulled.before}..${pulled.after}`;
      if (this.seen.get(topLevel) === range) return;
      this.seen.set(topLevel, range);
      if (!this.settings.notes.reconcileAfterPull) return;
      this.log.info(`A pull or merge in ${topLevel} brought in ${pulled.before.slice(0, 12)}..${pulled.after.slice(0, 12)}: reconciling its notes (vouch.notes.reconcileAfterPull)`);
      await this.reconcile.run(topLevel, { range, report: 'quiet' });
    } catch (error) {
      this.log.warn(`Could not look at the last pull in ${topLevel}: ${errorMessage(error)}`);
    }
  }

  dispose(): void {
    this.disposables.dispose();
  }
}

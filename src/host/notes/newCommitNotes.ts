import * as vscode from 'vscode';
import { changedPathsOfCommit } from '../../git/commitDiffs';
import { WorkingStatePendingSpans } from '../../git/notes/pendingSpans';
import { recordPendingSpansOfCommit } from '../../git/notes/commitRecording';
import { filterChangedMessage } from '../../core/review/filterChanged';
import type { AttributionService } from '../attributionService';
import type { RepositoryRegistry } from '../repositoryRegistry';
import type { NotesContext, NotesContexts } from './notesContexts';
import { reloadRepositoryDocuments } from './repositoryDocuments';
import type { RewriteRefPrompt } from './rewriteRefPrompt';
import { errorMessage } from '../../core/errorMessage';

/**
 * Attaches the Vouch note to a commit made in the editor or a terminal: flushes the attribution,
 * records the note from the pending spans in the repository's working state (the same
 * `recordPendingSpansOfCommit` the post-commit hook runs), and reloads the open documents of the
 * committed files so their committed spans leave the uncommitted view.
 */
export class NewCommitNotes {
  private readonly pending: WorkingStatePendingSpans;

  constructor(
    private readonly service: AttributionService,
    repositories: RepositoryRegistry,
    private readonly contexts: NotesContexts,
    private readonly rewriteRefPrompt: RewriteRefPrompt,
    private readonly log: vscode.LogOutputChannel,
  ) {
    // The registry's store: the one whose cache the editor's own saves keep current.
    this.pending = new WorkingStatePendingSpans((topLevel) => repositories.storeOfRepository(topLevel), log);
  }

  async attachNote(root: string, commit: string): Promise<void> {
    await this.service.flush();
    const context = await this.contexts.contextOf(root);
    try {
      const existing = await context.reader.readNote(commit);
      if (existing) {
        this.log.info(`Commit ${commit.slice(0, 12)} already has a Vouch note (post-commit hook); not recording it again`);
      } else {
        const result = await recordPendingSpansOfCommit(context, this.pending, commit);
        const aiLines = result.files.reduce((sum, file) => sum + file.aiLines, 0);
        for (const file of result.files) if (file.skipped) this.log.warn(`${file.path}: ${file.skipped}; its AI spans stay pending`);
        for (const file of result.files) if (file.filterChangedAiLines) this.log.warn(`${file.path}: ${filterChangedMessage(file.filterChangedAiLines, 'committed')}: left out of the record, still pending`);
        this.log.info(
          result.record
            ? `Recorded ${aiLines} AI line(s) of commit ${commit.slice(0, 12)} in refs/notes/vouch (record ${result.record.recordId.slice(0, 12)}, ${result.signing?.signedBy ? `signed by ${result.signing.signedBy}` : (result.signing?.unsigned ?? 'unsigned')})`
            : `Commit ${commit.slice(0, 12)} has no AI lines; no note written`,
        );
        if (!result.record) return void (await this.reloadCommittedDocuments(context, root, commit));
      }
    } catch (error) {
      const message = errorMessage(error);
      this.log.error(`Could not record the AI lines of commit ${commit.slice(0, 12)}: ${message}`);
      void vscode.window.showWarningMessage(
        vscode.l10n.t("Vouch could not record the AI lines of commit {0}: {1}. They stay pending and are written with the next commit or 'vouch record-commit'.", commit.slice(0, 12), message),
      );
      return;
    }
    await this.reloadCommittedDocuments(context, root, commit);
    void this.rewriteRefPrompt.askOnce(context);
  }

  /** The open documents of the files the commit changed (the only ones whose pending spans it can have taken). */
  private async reloadCommittedDocuments(context: NotesContext, root: string, commit: string): Promise<void> {
    const committed = new Set(await changedPathsOfCommit(context.git, context.topLevel, commit));
    await reloadRepositoryDocuments(this.service, context.topLevel, root, committed);
  }
}

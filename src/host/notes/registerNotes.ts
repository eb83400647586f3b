import * as vscode from 'vscode';
import type { GitRunner } from '../../git/gitRunner';
import type { AttributionService } from '../attributionService';
import type { GitExtension } from '../gitExtension';
import { DisposableStore } from '../lifecycle';
import type { RepositoryRegistry } from '../repositoryRegistry';
import type { VouchSettings } from '../settings';
import { CommitDetector } from './commitDetector';
import { ForcedFetchWarning } from './forcedFetchWarning';
import { NewCommitNotes } from './newCommitNotes';
import { NotesContexts } from './notesContexts';
import { NotesReconcile, ReconcileAfterPull } from './notesReconcile';
import { NotesSync } from './notesSync';
import type { AnswerMementos } from './rememberedAnswers';
import { pickRepository } from './repositoryPicker';
import { RewriteRefPrompt } from './rewriteRefPrompt';

export interface NotesFeatureDeps {
  readonly git: GitRunner;
  readonly repositories: RepositoryRegistry;
  readonly service: AttributionService;
  readonly settings: VouchSettings;
  readonly gitExtension: GitExtension;
  readonly memento: AnswerMementos;
  readonly log: vscode.LogOutputChannel;
}

/**
 * Connects git notes to the editor: a commit gets its note (NewCommitNotes, on CommitDetector's
 * word), the rewriteRef prompt follows the first one, `vouch sync` is offered after push and pull,
 * forced fetches of the notes ref are warned about, reconcile runs after a pull when the setting
 * asks; and the commands "Vouch: Sync Notes" and "Vouch: Reconcile Notes".
 */
export function registerNotesFeatures(deps: NotesFeatureDeps): vscode.Disposable {
  const { git, repositories, service, settings, gitExtension, memento, log } = deps;
  const disposables = new DisposableStore();
  const contexts = new NotesContexts(git, settings, log);
  const rewriteRefPrompt = new RewriteRefPrompt(settings, memento, log);
  const newCommitNotes = new NewCommitNotes(service, repositories, contexts, rewriteRefPrompt, log);
  const forcedFetchWarning = new ForcedFetchWarning(git, memento, log);
  const sync = new NotesSync(contexts, settings, forcedFetchWarning, disposables, log);
  const reconcile = new NotesReconcile(service, contexts, disposables, log);
  const detector = disposables.add(
    new CommitDetector(
      git,
      gitExtension,
      {
        onCommit: (root, commit) => newCommitNotes.attachNote(root, commit),
        onPushOrPull: (root, remote, after) => void sync.offerAfter(root, remote, after),
        onOpen: (root) => void forcedFetchWarning.warnOnOpen(root),
      },
      log,
    ),
  );
  disposables.push(
    new ReconcileAfterPull(git, repositories, reconcile, settings, log),
    vscode.commands.registerCommand('vouch.syncNotes', async () => {
      const picked = await pickRepository(detector, git);
      return picked ? sync.run(picked.root, picked.remote, 'tell') : undefined;
    }),
    vscode.commands.registerCommand('vouch.reconcileNotes', async () => {
      const picked = await pickRepository(detector, git);
      return picked ? reconcile.run(picked.root) : undefined;
    }),
  );
  return disposables;
}

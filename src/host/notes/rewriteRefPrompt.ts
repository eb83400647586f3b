import * as path from 'node:path';
import * as vscode from 'vscode';
import { configureRewriteRef, isRewriteRefConfigured } from '../../git/notes/rewriteRef';
import type { VouchSettings } from '../settings';
import type { NotesContext } from './notesContexts';

const REWRITE_REF_ANSWER_KEY = 'vouch.notes.rewriteRefAnswer:';

/** Asks once per repository (setting vouch.notes.configureRewriteRef) to let amend and rebase carry notes. */
export class RewriteRefPrompt {
  private readonly asked = new Set<string>();

  constructor(
    private readonly settings: VouchSettings,
    private readonly memento: { readonly workspace: vscode.Memento; readonly global: vscode.Memento },
    private readonly log: vscode.LogOutputChannel,
  ) {}

  async askOnce(context: NotesContext): Promise<void> {
    const mode = this.settings.notes.configureRewriteRef;
    const key = `${REWRITE_REF_ANSWER_KEY}${context.topLevel}`;
    if (mode === 'never' || this.asked.has(context.topLevel)) return;
    if (mode === 'ask' && (this.memento.workspace.get(key) !== undefined || this.memento.global.get(key) !== undefined)) return;
    this.asked.add(context.topLevel);
    if (await isRewriteRefConfigured(context.git, context.topLevel)) return;
    if (mode === 'always') {
      await configureRewriteRef(context.git, context.topLevel);
      this.log.info(`Configured notes.rewriteRef in ${context.topLevel} so amend and rebase carry Vouch notes (vouch.notes.configureRewriteRef: always)`);
      return;
    }
    const [yes, no, never] = [vscode.l10n.t('Yes'), vscode.l10n.t('No'), vscode.l10n.t('Never')];
    const answer = await vscode.window.showInformationMessage(
      vscode.l10n.t("Vouch: let amend and rebase carry the AI attribution notes of {0}? This adds refs/notes/vouch to git's notes.rewriteRef in the repository's config.", path.basename(context.topLevel)),
      yes,
      no,
      never,
    );
    if (answer === yes) {
      await configureRewriteRef(context.git, context.topLevel);
      this.log.info(`Configured notes.rewriteRef in ${context.topLevel}`);
    } else if (answer === no) {
      await this.memento.workspace.update(key, 'no');
    } else if (answer === never) {
      await this.memento.global.update(key, 'never');
    }
  }
}

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
    const answer = await vscode.window.showInformationMessage(
      `Vouch: let amend and rebase carry the AI attribution notes of ${path.basename(context.topLevel)}? This adds refs/notes/vouch to git's notes.rewriteRef in the repository's config.`,
      'Yes',
      'No',
      'Never',
    );
    if (answer === 'Yes') {
      await configureRewriteRef(context.git, context.topLevel);
      this.log.info(`Configured notes.rewriteRef in ${context.topLevel}`);
    } else if (answer === 'No') {
      await this.memento.workspace.update(key, 'no');
    } else if (answer === 'Never') {
      await this.memento.global.update(key, 'never');
    }
  }
}

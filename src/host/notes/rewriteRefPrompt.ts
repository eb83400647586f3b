import * as path from 'node:path';
import * as vscode from 'vscode';
import { configureRewriteRef, isRewriteRefConfigured } from '../../git/notes/rewriteRef';
import type { VouchSettings } from '../settings';
import type { NotesContext } from './notesContexts';

const REWRITE_REF_ANSWER_KEY = 'vouch.notes.rewriteRefAnswer:';

/** Asks once per repository (setting vouch.notes.configureRewriteRef) to let amend and rebase carry notes. */
export class RewriteRefPrompt {
  private readonly asked = new Set<string>();
  /** Repositories whose earlier answer was reported in the log in this window (once each). */
  private readonly toldEarlierAnswer = new Set<string>();

  constructor(
    private readonly settings: VouchSettings,
    private readonly memento: { readonly workspace: vscode.Memento; readonly global: vscode.Memento },
    private readonly log: vscode.LogOutputChannel,
  ) {}

  async askOnce(context: NotesContext): Promise<void> {
    const mode = this.settings.notes.configureRewriteRef;
    const key = `${REWRITE_REF_ANSWER_KEY}${context.topLevel}`;
    if (mode === 'never' || this.asked.has(context.topLevel)) return;
    const earlier = this.memento.workspace.get<string>(key) ?? this.memento.global.get<string>(key);
    if (mode === 'ask' && earlier !== undefined) {
      if (!this.toldEarlierAnswer.has(context.topLevel)) this.log.info(`Not asking again to configure notes.rewriteRef in ${context.topLevel}: the answer was ${earlier}`);
      this.toldEarlierAnswer.add(context.topLevel);
      return;
    }
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
      this.asked.delete(context.topLevel);
      this.log.info(`Left notes.rewriteRef of ${context.topLevel} as it is (No: not asked again in this workspace)`);
    } else if (answer === never) {
      await this.memento.global.update(key, 'never');
      this.asked.delete(context.topLevel);
      this.log.info(`Left notes.rewriteRef of ${context.topLevel} as it is (Never: not asked again for this repository)`);
    }
  }
}

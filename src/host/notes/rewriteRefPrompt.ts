import * as path from 'node:path';
import * as vscode from 'vscode';
import { configureRewriteRef, isRewriteRefConfigured } from '../../git/notes/rewriteRef';
import type { VouchSettings } from '../settings';
import type { NotesContext } from './notesContexts';
import { RememberedAnswers, type AnswerMementos } from './rememberedAnswers';

const REWRITE_REF_ANSWER_KEY = 'vouch.notes.rewriteRefAnswer:';

/** Asks once per repository (setting vouch.notes.configureRewriteRef) to let amend and rebase carry notes. */
export class RewriteRefPrompt {
  private readonly asked = new Set<string>();
  /** Repositories whose earlier answer was reported in the log in this window (once each). */
  private readonly toldEarlierAnswer = new Set<string>();
  /** By repository: 'no' in this workspace, 'never' in every workspace. */
  private readonly answers: RememberedAnswers<string>;

  constructor(
    private readonly settings: VouchSettings,
    mementos: AnswerMementos,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.answers = new RememberedAnswers(REWRITE_REF_ANSWER_KEY, mementos);
  }

  async askOnce(context: NotesContext): Promise<void> {
    const mode = this.settings.notes.configureRewriteRef;
    if (mode === 'never' || this.asked.has(context.topLevel)) return;
    const earlier = this.answers.get(context.topLevel);
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
      await this.answers.rememberInWorkspace(context.topLevel, 'no');
      this.asked.delete(context.topLevel);
      this.log.info(`Left notes.rewriteRef of ${context.topLevel} as it is (No: not asked again in this workspace)`);
    } else if (answer === never) {
      await this.answers.rememberEverywhere(context.topLevel, 'never');
      this.asked.delete(context.topLevel);
      this.log.info(`Left notes.rewriteRef of ${context.topLevel} as it is (Never: not asked again for this repository)`);
    }
  }
}

import * as vscode from 'vscode';
import { GitError, type GitRunner } from '../../git/gitRunner';
import { forcedNotesFetches, type ForcedNotesFetch } from '../../git/notes/sync';
import { RememberedAnswers, type AnswerMementos } from './rememberedAnswers';

/** Workspace state: this refspec of this repository's remote was warned about (the warning is not repeated). */
const WARNED_KEY = 'vouch.notes.forcedFetchWarned:';
/** Global state: "Don't warn again" for this repository's remote, whatever its refspec. */
const SILENCED_KEY = 'vouch.notes.forcedFetchSilenced:';

/**
 * Warns when a remote's fetch configuration force-updates refs/notes/vouch (a plain fetch would
 * drop local notes): once per repository, remote and refspec (remembered in the workspace state),
 * when the repository opens or at the first sync that finds it, never at every sync; "Don't warn
 * again" silences that repository's remote in every workspace. The log keeps every finding.
 */
export class ForcedFetchWarning {
  private readonly opened = new Set<string>();
  /** By repository, remote and refspec: warned about in this workspace. */
  private readonly warned: RememberedAnswers<true>;
  /** By repository and remote: "Don't Warn Again", in every workspace. */
  private readonly silenced: RememberedAnswers<true>;

  constructor(
    private readonly git: GitRunner,
    mementos: AnswerMementos,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.warned = new RememberedAnswers(WARNED_KEY, mementos);
    this.silenced = new RememberedAnswers(SILENCED_KEY, mementos);
  }

  /** When a repository opens (once per window). */
  async warnOnOpen(root: string): Promise<void> {
    if (this.opened.has(root)) return;
    this.opened.add(root);
    await this.warn(root);
  }

  /**
   * Shows what was not shown before for `root` (a sync calls it each time). Returns once the
   * decision is made and remembered; the warning itself stays open without holding the caller.
   */
  async warn(root: string): Promise<void> {
    let found: ForcedNotesFetch[];
    try {
      found = await forcedNotesFetches(this.git, root);
    } catch (error) {
      if (!(error instanceof GitError)) throw error;
      this.log.warn(`Could not read the fetch configuration of ${root}: ${error.message}`);
      return;
    }
    for (const forced of found) {
      this.log.warn(forced.message);
      const remote = `${root}\n${forced.remote}`;
      const refspec = `${remote}\n${forced.refspec}`;
      if (this.silenced.get(remote) === true || this.warned.get(refspec) === true) continue;
      await this.warned.rememberInWorkspace(refspec, true);
      void this.show(forced, remote, root);
    }
  }

  private async show(forced: ForcedNotesFetch, remote: string, root: string): Promise<void> {
    const dontWarnAgain = vscode.l10n.t("Don't Warn Again");
    const answer = await vscode.window.showWarningMessage(vscode.l10n.t('Vouch: {0}', forced.message), dontWarnAgain);
    if (answer !== dontWarnAgain) return;
    await this.silenced.rememberEverywhere(remote, true);
    this.log.info(`Will not warn again that remote ${forced.remote} of ${root} force-fetches the notes`);
  }
}

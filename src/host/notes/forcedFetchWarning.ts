import * as vscode from 'vscode';
import { GitError, type GitRunner } from '../../git/gitRunner';
import { forcedNotesFetchWarnings } from '../../git/notes/sync';

/** Warns once per repository when its fetch configuration force-updates refs/notes/vouch (which would drop local notes). */
export class ForcedFetchWarning {
  private readonly warned = new Set<string>();

  constructor(
    private readonly git: GitRunner,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  async warnOnce(root: string): Promise<void> {
    if (this.warned.has(root)) return;
    this.warned.add(root);
    try {
      const warnings = await forcedNotesFetchWarnings(this.git, root);
      for (const warning of warnings) {
        this.log.warn(warning);
        void vscode.window.showWarningMessage(vscode.l10n.t('Vouch: {0}', warning));
      }
    } catch (error) {
      if (!(error instanceof GitError)) throw error;
      this.log.warn(`Could not read the fetch configuration of ${root}: ${error.message}`);
    }
  }
}

import * as path from 'node:path';
import * as vscode from 'vscode';
import type { GitRunner } from '../../git/gitRunner';
import { findRepository } from '../../git/repository';
import type { CommitDetector } from './commitDetector';

/**
 * The repository a notes command acts on: the only one, or the one the person picks. The
 * repositories the git extension opened, else those of the workspace folders.
 */
export async function pickRepository(detector: CommitDetector, git: GitRunner): Promise<{ root: string; remote: string | undefined } | undefined> {
  await detector.ready;
  const candidates = detector.repositories();
  if (candidates.length === 0) {
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      if (folder.uri.scheme !== 'file') continue;
      const found = await findRepository(git, folder.uri.fsPath).catch(() => undefined);
      if (found && !candidates.some((candidate) => candidate.root === found.topLevel)) candidates.push({ root: found.topLevel, remote: undefined });
    }
  }
  if (candidates.length === 0) {
    void vscode.window.showWarningMessage(vscode.l10n.t('Vouch: no git repository is open.'));
    return undefined;
  }
  if (candidates.length === 1) return candidates[0];
  const picked = await vscode.window.showQuickPick(
    candidates.map((candidate) => ({ label: path.basename(candidate.root), description: candidate.root, candidate })),
    { placeHolder: vscode.l10n.t('Repository') },
  );
  return picked?.candidate;
}

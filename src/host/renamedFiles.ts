import * as path from 'node:path';
import * as vscode from 'vscode';
import { errorMessage } from '../core/errorMessage';
import { pathInRepository } from '../git/repository';
import type { AttributionService } from './attributionService';
import { DisposableStore } from './lifecycle';
import type { RepositoryRegistry } from './repositoryRegistry';

/**
 * AI marks follow a file or folder renamed in the editor (the Explorer, a refactoring that moves
 * files): before the rename the documents' latest spans are saved, after it the working state of
 * every file it moved goes to the new paths and open documents read it back. Without it the marks
 * stay on a path that no longer exists and the file's AI lines reach the commit unreviewed.
 * (Renames outside the editor, such as git mv, are followed by the gate and the record.)
 */
export function registerRenameFollower(service: AttributionService, states: RepositoryRegistry | undefined, log: vscode.LogOutputChannel): vscode.Disposable {
  if (!states) return new vscode.Disposable(() => undefined);
  return new DisposableStore(
    vscode.workspace.onWillRenameFiles((event) => event.waitUntil(service.flush())),
    vscode.workspace.onDidRenameFiles((event) => {
      void followRenames(service, states, event.files, log).catch((error: unknown) => log.warn(`Could not move the AI marks of renamed files: ${errorMessage(error)}`));
    }),
  );
}

async function followRenames(service: AttributionService, states: RepositoryRegistry, files: readonly { readonly oldUri: vscode.Uri; readonly newUri: vscode.Uri }[], log: vscode.LogOutputChannel): Promise<void> {
  const moved: vscode.Uri[] = [];
  for (const { oldUri, newUri } of files) {
    if (oldUri.scheme !== 'file' || newUri.scheme !== 'file') continue;
    // The new path exists now; the old one's repository is the same one or none (a move between repositories keeps no marks).
    const located = await states.storeOf(newUri.fsPath);
    const fromPath = located && pathInRepository(located.repository.topLevel, oldUri.fsPath);
    if (!located || fromPath === undefined) continue;
    const { store, repoPath: toPath, repository } = located;
    // A folder moves every file under it.
    for (const statePath of await store.list()) {
      if (statePath !== fromPath && !statePath.startsWith(`${fromPath}/`)) continue;
      const target = toPath + statePath.slice(fromPath.length);
      if (await store.move(statePath, target)) {
        log.info(`${statePath} was renamed to ${target}: its AI marks follow it`);
        moved.push(vscode.Uri.file(path.join(repository.topLevel, ...target.split('/'))));
      } else log.debug(`${statePath} was renamed to ${target}; no marks moved (it had none, the new path has its own, or its old text is gone from git)`);
    }
  }
  for (const uri of moved) {
    const document = service.openDocument(uri);
    if (document) await service.reload(document);
  }
}

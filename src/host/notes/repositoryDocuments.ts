import { pathInRepository } from '../../git/repository';
import { promises as fs } from 'node:fs';
import * as vscode from 'vscode';
import type { AttributionService } from '../attributionService';

/**
 * Open documents of a repository take their spans from the working state again (after a commit
 * took some of them, or reconcile carried records). With `repoPaths`, only the documents of those
 * files. The repository is matched by its top level as git names it, as the editor opened it, and
 * by its real path.
 */
export async function reloadRepositoryDocuments(service: AttributionService, topLevel: string, root: string, repoPaths?: ReadonlySet<string>): Promise<void> {
  const roots = [...new Set([topLevel, root, await fs.realpath(topLevel).catch(() => topLevel)])];
  const wanted = (file: string) =>
    roots.some((candidate) => {
      const repoPath = pathInRepository(candidate, file);
      return repoPath !== undefined && (!repoPaths || repoPaths.has(repoPath));
    });
  const documents = vscode.workspace.textDocuments.filter((document) => document.uri.scheme === 'file' && wanted(document.uri.fsPath));
  await Promise.all(documents.map((document) => service.reload(document)));
}

import { promises as fs } from 'node:fs';
import * as path from 'node:path';
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
      const relative = path.relative(candidate, file);
      if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return false;
      return !repoPaths || repoPaths.has(relative.split(path.sep).join('/'));
    });
  const documents = vscode.workspace.textDocuments.filter((document) => document.uri.scheme === 'file' && wanted(document.uri.fsPath));
  await Promise.all(documents.map((document) => service.reload(document)));
}

/**
 * The part of the built-in git extension's API (`vscode.git`, getAPI(1)) that Vouch uses. Typed
 * here because the extension ships no typings package; every member Vouch relies on is checked at
 * runtime, since older or patched editors may lack it.
 */
import * as vscode from 'vscode';

export interface GitApiBranch {
  readonly name?: string;
  readonly commit?: string;
  readonly upstream?: { readonly remote: string; readonly name: string };
  readonly ahead?: number;
  readonly behind?: number;
}

export interface GitApiRepositoryState {
  readonly HEAD: GitApiBranch | undefined;
  readonly onDidChange: vscode.Event<void>;
}

export interface GitApiRepository {
  readonly rootUri: vscode.Uri;
  readonly state: GitApiRepositoryState;
  /** Fires after a commit made through the git extension (VS Code 1.86+). */
  readonly onDidCommit?: vscode.Event<void>;
}

export interface GitApi {
  readonly repositories: readonly GitApiRepository[];
  readonly onDidOpenRepository: vscode.Event<GitApiRepository>;
  readonly onDidCloseRepository: vscode.Event<GitApiRepository>;
}

interface GitExtensionExports {
  readonly enabled?: boolean;
  getAPI(version: 1): GitApi;
}

/** The git extension's API, or undefined when it is missing or disabled (`git.enabled: false`). */
export async function loadGitApi(log: vscode.LogOutputChannel): Promise<GitApi | undefined> {
  const extension = vscode.extensions.getExtension<GitExtensionExports>('vscode.git');
  if (!extension) {
    log.info('The built-in git extension is not available; commits are recorded by the post-commit hook only');
    return undefined;
  }
  try {
    const exports = extension.isActive ? extension.exports : await extension.activate();
    if (exports.enabled === false) {
      log.info('The built-in git extension is disabled; commits are recorded by the post-commit hook only');
      return undefined;
    }
    const api = exports.getAPI(1);
    if (!Array.isArray(api.repositories) || typeof api.onDidOpenRepository !== 'function') return undefined;
    return api;
  } catch (error) {
    log.warn(`Could not use the git extension's API: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}

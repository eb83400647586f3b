/**
 * The built-in git extension (`vscode.git`, getAPI(1)): the part of its API that Vouch uses, typed
 * here because the extension ships no typings package, and loaded once for every part of Vouch
 * that follows it. Members that older or patched editors may lack are optional and checked before
 * use.
 */
import * as vscode from 'vscode';
import { errorMessage } from '../core/errorMessage';

export interface GitApiBranch {
  readonly name?: string;
  readonly commit?: string;
  readonly upstream?: { readonly remote: string; readonly name: string };
  readonly ahead?: number;
  readonly behind?: number;
}

export interface GitApiChange {
  readonly uri: vscode.Uri;
}

export interface GitApiRepositoryState {
  readonly HEAD: GitApiBranch | undefined;
  readonly workingTreeChanges: readonly GitApiChange[];
  readonly indexChanges?: readonly GitApiChange[];
  readonly untrackedChanges?: readonly GitApiChange[];
  readonly onDidChange: vscode.Event<void>;
}

export interface GitApiRepository {
  readonly rootUri: vscode.Uri;
  readonly state: GitApiRepositoryState;
  /** Fires after a commit made through the git extension (VS Code 1.86+). */
  readonly onDidCommit?: vscode.Event<void>;
  /** Fires after a checkout made through the git extension. */
  readonly onDidCheckout?: vscode.Event<void>;
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

/** The one adapter to the git extension: its API is looked up and activated once, on first use. */
export class GitExtension {
  private loading: Promise<GitApi | undefined> | undefined;

  constructor(private readonly log: vscode.LogOutputChannel) {}

  /** The git extension's API, or undefined when it is missing or disabled (`git.enabled: false`). */
  api(): Promise<GitApi | undefined> {
    this.loading ??= this.load();
    return this.loading;
  }

  private async load(): Promise<GitApi | undefined> {
    const extension = vscode.extensions.getExtension<GitExtensionExports>('vscode.git');
    if (!extension) {
      this.log.info('The built-in git extension is not available; commits are recorded by the post-commit hook only');
      return undefined;
    }
    try {
      const exports = extension.isActive ? extension.exports : await extension.activate();
      if (exports.enabled === false) {
        this.log.info('The built-in git extension is disabled; commits are recorded by the post-commit hook only');
        return undefined;
      }
      const api = exports.getAPI(1);
      if (!Array.isArray(api.repositories) || typeof api.onDidOpenRepository !== 'function') return undefined;
      return api;
    } catch (error) {
      this.log.warn(`Could not use the git extension's API: ${errorMessage(error)}`);
      return undefined;
    }
  }
}

import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AttributedSpan } from '../core/attribution';
import { GitError, type GitRunner } from '../git/gitRunner';
import { pathInRepository, findRepository, type RepositoryLocation } from '../git/repository';
import { WorkingStateStore, workingStateDirectory, type FileIdentity, type StoredBase } from '../git/workingStateStore';
import type { WorkingStateDocument } from '../core/workingState/stateFile';
import type { TextPieces } from '../git/textPieces';
import type { GitExtension } from './gitExtension';
import { DisposableStore } from './lifecycle';
import { RepositoryWatcher, type RepositoryChange } from './repositoryWatcher';
import { errorMessage } from '../core/errorMessage';

/** A change of a repository's working state on disk (a state file written, replaced or removed). */
export interface StoredStateChange {
  readonly repository: RepositoryLocation;
  readonly stateFile: string;
  /**
   * The document's path in the repository when the file is still what this window's last save of
   * that document's attribution wrote (nothing new to read back); undefined for any other writer's
   * change (another window, the CLI, the outside-write watcher).
   */
  readonly writtenHere: string | undefined;
}

/** A file in a repository: the repository's working-state store and the file's path in it. */
export interface LocatedFile {
  readonly store: WorkingStateStore;
  readonly repoPath: string;
  readonly repository: RepositoryLocation;
}

/**
 * Finds the repository of each file, and once per repository opens its working-state store
 * (`.git/vouch/`) and its one RepositoryWatcher. Files outside any repository are tracked in
 * memory only. The repositories of the workspace folders and those the git extension opens are
 * looked up (and watched) at once.
 */
export class RepositoryRegistry implements vscode.Disposable {
  private readonly storesByTopLevel = new Map<string, Promise<WorkingStateStore>>();
  private readonly locationByDirectory = new Map<string, Promise<RepositoryLocation | undefined>>();
  private readonly watchersByTopLevel = new Map<string, RepositoryWatcher>();
  /** The state file each document's last save (save()) wrote, as it was written. */
  private readonly savedHere = new Map<string, { readonly repoPath: string; readonly written: FileIdentity }>();
  private readonly disposables = new DisposableStore();
  private readonly changeEmitter = this.disposables.add(new vscode.EventEmitter<RepositoryChange>());
  /** Fires when something moved under a repository's git directories or in its working state (see RepositoryWatcher). */
  readonly onDidChangeRepository = this.changeEmitter.event;
  private readonly stateChangeEmitter = this.disposables.add(new vscode.EventEmitter<StoredStateChange>());
  /** Fires when a repository's working state changed on disk (another window, the CLI, or this window's own save: see writtenHere). */
  readonly onDidChangeStoredState = this.stateChangeEmitter.event;
  private readonly otherTextEmitter = this.disposables.add(new vscode.EventEmitter<{ readonly uri: vscode.Uri; readonly state: WorkingStateDocument }>());
  /**
   * Fires when this window's save of a document merged another writer's state that was over another
   * text than the document's (an agent's `vouch mark` of the file while the document has unsaved edits).
   */
  readonly onDidMergeStateOfOtherText = this.otherTextEmitter.event;

  constructor(
    private readonly git: GitRunner,
    private readonly log: vscode.LogOutputChannel,
    gitExtension: GitExtension,
  ) {
    for (const folder of vscode.workspace.workspaceFolders ?? []) this.watchFolder(folder.uri);
    this.disposables.add(
      vscode.workspace.onDidChangeWorkspaceFolders((event) => {
        for (const folder of event.added) this.watchFolder(folder.uri);
      }),
    );
    void this.watchGitExtensionRepositories(gitExtension);
  }

  /** The repository holding a file, or undefined outside one. Cached per directory. */
  repositoryOf(fsPath: string): Promise<RepositoryLocation | undefined> {
    return this.repositoryAt(path.dirname(fsPath));
  }

  /** The repository of a directory (a workspace folder, a file's folder), watched from its first lookup. */
  repositoryAt(directory: string): Promise<RepositoryLocation | undefined> {
    let location = this.locationByDirectory.get(directory);
    if (!location) {
      location = findRepository(this.git, directory).then(
        (found) => {
          this.watcherOf(found);
          return found;
        },
        (error: unknown) => {
          if (!(error instanceof GitError && error.kind === 'not-a-repository')) {
            this.log.warn(`Could not find the repository of ${directory}: ${errorMessage(error)}`);
          }
          return undefined;
        },
      );
      this.locationByDirectory.set(directory, location);
    }
    return location;
  }

  /** The one watcher of a repository (undefined once the registry is disposed). */
  private watcherOf(repository: RepositoryLocation): RepositoryWatcher | undefined {
    const known = this.watchersByTopLevel.get(repository.topLevel);
    if (known || this.disposables.isDisposed) return known;
    const watcher = this.disposables.add(new RepositoryWatcher(repository, workingStateDirectory(repository)));
    this.watchersByTopLevel.set(repository.topLevel, watcher);
    this.disposables.add(
      watcher.onDidChange((change) => {
        this.changeEmitter.fire(change);
        if (change.kind === 'state') void this.storedStateChange(repository, change.uri.fsPath).then((stateChange) => this.stateChangeEmitter.fire(stateChange));
      }),
    );
    return watcher;
  }

  async storeOf(fsPath: string): Promise<LocatedFile | undefined> {
    const repository = await this.repositoryOf(fsPath);
    if (!repository) return undefined;
    const repoPath = pathInRepository(repository.topLevel, fsPath);
    if (repoPath === undefined) return undefined;
    return { store: await this.storeOfRepository(repository.topLevel), repoPath, repository };
  }

  /** The one working-state store of the repository whose top level this is. */
  storeOfRepository(topLevel: string): Promise<WorkingStateStore> {
    let store = this.storesByTopLevel.get(topLevel);
    if (!store) {
      store = WorkingStateStore.open(this.git, topLevel, this.log);
      this.storesByTopLevel.set(topLevel, store);
    }
    return store;
  }

  private async storedStateChange(repository: RepositoryLocation, stateFile: string): Promise<StoredStateChange> {
    const saved = this.savedHere.get(stateFile);
    const writtenHere = saved && (await WorkingStateStore.isStillWritten(stateFile, saved.written)) ? saved.repoPath : undefined;
    return { repository, stateFile, writtenHere };
  }

  /** Every repository whose store has been opened so far. */
  async openedStores(): Promise<WorkingStateStore[]> {
    return Promise.all(this.storesByTopLevel.values());
  }

  /**
   * Stored spans of a document, moved onto `text` (its current content), and the base of the
   * caller's next save if it adopts them: no spans when it has no stored state, undefined when it
   * is in no repository.
   */
  async load(document: vscode.TextDocument, text: string | TextPieces = document.getText()): Promise<{ spans: AttributedSpan[]; base: StoredBase | undefined } | undefined> {
    if (document.uri.scheme !== 'file') return undefined;
    const located = await this.storeOf(document.uri.fsPath);
    if (!located) return undefined;
    const loaded = await located.store.loadForText(located.repoPath, text);
    return { spans: loaded?.spans ?? [], base: loaded?.base };
  }

  /**
   * Saves a document's spans over `text`, merged with what others stored since `base` (what the
   * caller last read or wrote). Returns the caller's next base, and the merged spans when another
   * writer had changed them; undefined when nothing was written.
   */
  async save(document: vscode.TextDocument, spans: readonly AttributedSpan[], text: string | TextPieces, base: StoredBase | undefined): Promise<{ merged: AttributedSpan[] | undefined; base: StoredBase } | undefined> {
    const located = await this.storeOf(document.uri.fsPath);
    if (!located) return undefined;
    if (spans.length === 0 && !(await located.store.load(located.repoPath))) return undefined;
    const result = await located.store.save(located.repoPath, spans, text, { base });
    if (result.written) this.savedHere.set(result.stateFile, { repoPath: located.repoPath, written: result.written });
    else this.savedHere.delete(result.stateFile);
    if (result.otherWriterOnOtherText) this.otherTextEmitter.fire({ uri: document.uri, state: result.otherWriterOnOtherText });
    return { merged: result.merged ? result.document.spans.slice() : undefined, base: result.base };
  }

  private watchFolder(folder: vscode.Uri): void {
    if (folder.scheme === 'file') void this.repositoryAt(folder.fsPath);
  }

  /** The repositories the git extension opens (nested ones, submodules, worktrees) are watched too. */
  private async watchGitExtensionRepositories(gitExtension: GitExtension): Promise<void> {
    const api = await gitExtension.api();
    if (!api || this.disposables.isDisposed) return;
    for (const repository of api.repositories) this.watchFolder(repository.rootUri);
    this.disposables.add(api.onDidOpenRepository((repository) => this.watchFolder(repository.rootUri)));
  }

  dispose(): void {
    this.disposables.dispose();
  }
}

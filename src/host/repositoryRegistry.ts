import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AttributedSpan } from '../core/attribution';
import { GitError, type GitRunner } from '../git/gitRunner';
import { findRepository, type RepositoryLocation } from '../git/repository';
import { WorkingStateStore } from '../git/workingStateStore';

/**
 * Finds the repository of each file and its working-state store (`.git/vouch/`), once per
 * repository. Files outside any repository are tracked in memory only.
 */
export class RepositoryRegistry implements vscode.Disposable {
  private readonly storesByTopLevel = new Map<string, Promise<WorkingStateStore>>();
  private readonly locationByDirectory = new Map<string, Promise<RepositoryLocation | undefined>>();
  private readonly stateChangeEmitter = new vscode.EventEmitter<RepositoryLocation>();
  private readonly watchers: vscode.Disposable[] = [this.stateChangeEmitter];
  /** Fires when a repository's working state changed on disk (another window, the CLI). */
  readonly onDidChangeStoredState = this.stateChangeEmitter.event;

  constructor(
    private readonly git: GitRunner,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** The repository holding a file, or undefined outside one. Cached per directory. */
  repositoryOf(fsPath: string): Promise<RepositoryLocation | undefined> {
    const directory = path.dirname(fsPath);
    let location = this.locationByDirectory.get(directory);
    if (!location) {
      location = findRepository(this.git, directory).catch((error: unknown) => {
        if (!(error instanceof GitError && error.kind === 'not-a-repository')) {
          this.log.warn(`Could not find the repository of ${fsPath}: ${error instanceof Error ? error.message : String(error)}`);
        }
        return undefined;
      });
      this.locationByDirectory.set(directory, location);
    }
    return location;
  }

  async storeOf(fsPath: string): Promise<{ store: WorkingStateStore; repoPath: string; repository: RepositoryLocation } | undefined> {
    const repository = await this.repositoryOf(fsPath);
    if (!repository) return undefined;
    const relative = path.relative(repository.topLevel, fsPath);
    if (relative.startsWith('..') || path.isAbsolute(relative) || relative.split(path.sep).includes('.git')) return undefined;
    let store = this.storesByTopLevel.get(repository.topLevel);
    if (!store) {
      store = WorkingStateStore.open(this.git, repository.topLevel, this.log);
      this.storesByTopLevel.set(repository.topLevel, store);
      void store.then((opened) => this.watch(repository, opened), () => undefined);
    }
    return { store: await store, repoPath: relative.split(path.sep).join('/'), repository };
  }

  /** Every repository whose store has been opened so far. */
  async openedStores(): Promise<WorkingStateStore[]> {
    return Promise.all(this.storesByTopLevel.values());
  }

  /** Stored spans of a document, moved onto `text` (its current content): [] when it has no stored state, undefined when it is in no repository. */
  async load(document: vscode.TextDocument, text = document.getText()): Promise<AttributedSpan[] | undefined> {
    if (document.uri.scheme !== 'file') return undefined;
    const located = await this.storeOf(document.uri.fsPath);
    if (!located) return undefined;
    return (await located.store.loadForText(located.repoPath, text, { asBase: true }))?.spans ?? [];
  }

  /** Saves a document's spans over `text`; returns the merged spans when another writer had changed them. */
  async save(document: vscode.TextDocument, spans: readonly AttributedSpan[], text: string): Promise<AttributedSpan[] | undefined> {
    const located = await this.storeOf(document.uri.fsPath);
    if (!located) return undefined;
    if (spans.length === 0 && !(await located.store.load(located.repoPath))) return undefined;
    const result = await located.store.save(located.repoPath, spans, text);
    return result.merged ? result.document.spans.slice() : undefined;
  }

  private watch(repository: RepositoryLocation, store: WorkingStateStore): void {
    const pattern = new vscode.RelativePattern(vscode.Uri.file(store.stateDirectory), '*.json');
    const watcher = vscode.workspace.createFileSystemWatcher(pattern);
    const fire = () => this.stateChangeEmitter.fire(repository);
    this.watchers.push(watcher, watcher.onDidChange(fire), watcher.onDidCreate(fire), watcher.onDidDelete(fire));
  }

  dispose(): void {
    for (const disposable of this.watchers) disposable.dispose();
  }
}

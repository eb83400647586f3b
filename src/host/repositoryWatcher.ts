import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RepositoryLocation } from '../git/repository';
import { DisposableStore } from './lifecycle';

/**
 * What moved in a repository:
 * - `head`: this worktree's HEAD (a commit, checkout, reset, pull);
 * - `operation`: files git writes while it rewrites the working tree (ORIG_HEAD, MERGE_HEAD,
 *   REBASE_HEAD, CHERRY_PICK_HEAD, AUTO_MERGE, refs/stash);
 * - `refs`: a branch or a notes ref (packed-refs, refs/heads, refs/notes);
 * - `state`: Vouch's working state (`vouch/working/*.json`: another window, the CLI).
 */
export type RepositoryChangeKind = 'head' | 'operation' | 'refs' | 'state';

export interface RepositoryChange {
  readonly repository: RepositoryLocation;
  readonly kind: RepositoryChangeKind;
  readonly uri: vscode.Uri;
}

/** Per-worktree files under the git directory; not `index`: the git extension's own `git status` rewrites it whenever a file changes. */
const GIT_DIR_FILES = '{HEAD,ORIG_HEAD,MERGE_HEAD,REBASE_HEAD,CHERRY_PICK_HEAD,AUTO_MERGE}';
/** Shared files under the common directory. */
const COMMON_DIR_FILES = '{packed-refs,refs/heads/**,refs/notes/**,refs/stash}';

/**
 * The one watcher of a repository: every watch under its git directories (per worktree and
 * common, so linked worktrees and nested repositories are watched where git writes) and of its
 * working state, published as one event that the parts of Vouch subscribe to.
 */
export class RepositoryWatcher implements vscode.Disposable {
  private readonly disposables = new DisposableStore();
  private readonly emitter = this.disposables.add(new vscode.EventEmitter<RepositoryChange>());
  readonly onDidChange = this.emitter.event;

  constructor(
    readonly repository: RepositoryLocation,
    /** The working state's directory; none in Restricted Mode, where nothing is stored. */
    stateDirectory: string | undefined,
  ) {
    this.watch(repository.gitDir, GIT_DIR_FILES, (relative) => (relative === 'HEAD' ? 'head' : 'operation'));
    this.watch(repository.commonDir, COMMON_DIR_FILES, (relative) => (relative === 'refs/stash' ? 'operation' : 'refs'));
    if (stateDirectory !== undefined) {
      // A folder that does not exist yet is not watched (its files would go unseen once created, e.g. by
      // an agent's first `vouch mark`): it is made now, as the first save of the working state would.
      try {
        mkdirSync(stateDirectory, { recursive: true });
      } catch {
        // a read-only git directory: nothing can be stored there either
      }
      this.watch(stateDirectory, '*.json', () => 'state');
    }
  }

  private watch(directory: string, pattern: string, kindOf: (relative: string) => RepositoryChangeKind): void {
    const watcher = this.disposables.add(vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(directory), pattern)));
    const fire = (uri: vscode.Uri) => {
      const relative = path.relative(directory, uri.fsPath).split(path.sep).join('/');
      this.emitter.fire({ repository: this.repository, kind: kindOf(relative), uri });
    };
    this.disposables.push(watcher.onDidChange(fire), watcher.onDidCreate(fire), watcher.onDidDelete(fire));
  }

  dispose(): void {
    this.disposables.dispose();
  }
}

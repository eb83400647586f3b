import { hashAsGitAdds, indexBlobOf, isIgnoredByGit, readBlobText } from '../../git/staging/stagedFiles';
import { constants as fsConstants, promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { GitRunner } from '../../git/gitRunner';
import type { RepositoryLocation } from '../../git/repository';
import type { GitApiRepository, GitExtension } from '../gitExtension';
import { DisposableStore } from '../lifecycle';
import type { RepositoryRegistry } from '../repositoryRegistry';
import { RepositoryWatcher, type RepositoryChange } from '../repositoryWatcher';
import { errorMessage } from '../../core/errorMessage';
import { ChangeListingHistory } from '../../core/detection/changeListingHistory';

/** Files reloaded this long after a git operation's traces count as that operation's... */
const GIT_TRACES_BEFORE_MS = 3_000;
/** ...and this long before them (git moves HEAD after it has written the working tree). */
const GIT_TRACES_AFTER_MS = 1_500;
/** How long the git extension's listings are kept: outside writes are examined seconds after they happen. */
const LISTINGS_KEPT_MS = 5 * 60_000;

/**
 * Knows when git itself is rewriting working-tree files (checkout, pull, stash, reset, merge,
 * rebase), so that the reloads they cause are never taken for AI writes. Signals: the git
 * extension's API (a checkout ran; what it lists as changed), the files those commands write under
 * the git directories (each repository's watcher), and the file's content being what the index holds.
 */
export class GitActivity implements vscode.Disposable {
  private readonly disposables = new DisposableStore();
  private readonly activityTimes: number[] = [];
  /** What the git extension listed as changed, per repository, over the last minutes. */
  private readonly listings = new Map<GitApiRepository, { readonly history: ChangeListingHistory; readonly subscriptions: DisposableStore }>();

  constructor(
    private readonly git: GitRunner | undefined,
    repositories: RepositoryRegistry | undefined,
    gitExtension: GitExtension,
    private readonly log: vscode.LogOutputChannel,
    private readonly now: () => number = Date.now,
  ) {
    // What a checkout, pull, merge, rebase, reset or stash writes under the git directories (see
    // RepositoryWatcher): not `index`, which the git extension's own `git status` rewrites whenever
    // a file changes, and not a branch or notes ref alone: a fetch or a commit (which agents often
    // run right after writing files) changes no working-tree file. (Git commands that only restore
    // files, such as `git restore`, are told apart by content: the file then equals the index.)
    const noteChange = (change: RepositoryChange) => {
      if (change.kind === 'head' || change.kind === 'operation') void this.noteTraceWritten(change.uri);
    };
    if (repositories) this.disposables.add(repositories.onDidChangeRepository(noteChange));
    else {
      for (const folder of vscode.workspace.workspaceFolders ?? []) void this.watchWithoutGit(folder.uri, noteChange);
      this.disposables.add(
        vscode.workspace.onDidChangeWorkspaceFolders((event) => {
          for (const folder of event.added) void this.watchWithoutGit(folder.uri, noteChange);
        }),
      );
    }
    void this.connectGitExtension(gitExtension);
  }

  /**
   * Restricted Mode runs no git, so no registry finds repositories: a workspace folder whose `.git`
   * is a directory is watched there (a linked worktree's `.git` file is not followed).
   */
  private async watchWithoutGit(folder: vscode.Uri, noteChange: (change: RepositoryChange) => void): Promise<void> {
    if (folder.scheme !== 'file') return;
    const gitDir = path.join(folder.fsPath, '.git');
    const isDirectory = await fs.stat(gitDir).then((stat) => stat.isDirectory(), () => false);
    if (!isDirectory || this.disposables.isDisposed) return;
    const watcher = this.disposables.add(new RepositoryWatcher({ topLevel: folder.fsPath, gitDir, commonDir: gitDir }, undefined));
    this.disposables.add(watcher.onDidChange(noteChange));
  }

  /** A git operation left traces under .git shortly before `time` (default: now) or just after it. */
  isBusyAround(time: number = this.now()): boolean {
    return this.activityTimes.some((at) => at >= time - GIT_TRACES_BEFORE_MS && at <= time + GIT_TRACES_AFTER_MS);
  }

  /** Notes git activity at `at` (default: now). */
  private noteActivity(reason: string, at: number = this.now()): void {
    this.activityTimes.push(at);
    this.activityTimes.sort((a, b) => a - b);
    while (this.activityTimes.length > 0 && at - this.activityTimes[0] > 10 * GIT_TRACES_BEFORE_MS) this.activityTimes.shift();
    this.log.trace(`git activity: ${reason}`);
  }

  /**
   * Whether the git extension listed a file as changed (or untracked) in the last status it
   * published before `time`; undefined when it published none for the file's repository since
   * Vouch started, or that one is no longer kept. Not its newest listing: a status run that began
   * after a write lists the write itself, and would make every write look like one to a file with
   * uncommitted edits.
   */
  wasListedAsChangedBefore(uri: vscode.Uri, time: number): boolean | undefined {
    // The innermost repository holding the file (nested repositories list their own files).
    let holder: GitApiRepository | undefined;
    for (const candidate of this.listings.keys()) {
      const root = candidate.rootUri.fsPath;
      if (uri.fsPath.startsWith(root + path.sep) && (!holder || root.length > holder.rootUri.fsPath.length)) holder = candidate;
    }
    return holder ? this.listings.get(holder)?.history.listedBefore(uri.toString(), time) : undefined;
  }

  /**
   * True when the file on disk is exactly what the index holds (as `git add` would store it):
   * content that came out of git (checkout, restore, stash, reset), not a new write.
   */
  async diskMatchesIndex(repository: RepositoryLocation, repoPath: string): Promise<boolean> {
    if (!this.git) return false;
    try {
      const entry = await indexBlobOf(this.git, repository, repoPath);
      if (!entry) return false;
      return (await hashAsGitAdds(this.git, repository, repoPath)) === entry;
    } catch (error) {
      this.log.debug(`Could not compare ${repoPath} with the index: ${errorMessage(error)}`);
      return false;
    }
  }

  /** The text the index holds for a file, or undefined when it is not in the index. */
  async indexText(repository: RepositoryLocation, repoPath: string): Promise<string | undefined> {
    if (!this.git) return undefined;
    const entry = await indexBlobOf(this.git, repository, repoPath);
    return entry ? readBlobText(this.git, repository, entry) : undefined;
  }

  /** Whether git ignores a path (build output, dependencies). */
  async isIgnored(repository: RepositoryLocation, repoPath: string): Promise<boolean> {
    return this.git ? isIgnoredByGit(this.git, repository, repoPath) : false;
  }

  /**
   * A trace under .git counts from when git wrote it (its modification time), not from when the
   * watcher event arrives: on a busy machine events come seconds late, and a late stamp would
   * make an agent's write made well after the git operation look like part of it.
   */
  private async noteTraceWritten(uri: vscode.Uri): Promise<void> {
    const seenAt = this.now();
    const writtenAt = await fs.stat(uri.fsPath).then(
      (stat) => stat.mtimeMs,
      () => seenAt,
    );
    this.noteActivity(`${path.basename(uri.fsPath)} changed`, Math.min(seenAt, writtenAt));
  }

  private async connectGitExtension(gitExtension: GitExtension): Promise<void> {
    const api = await gitExtension.api();
    if (!api || this.disposables.isDisposed) return;
    for (const repository of api.repositories) this.follow(repository);
    this.disposables.push(
      api.onDidOpenRepository((repository) => this.follow(repository)),
      api.onDidCloseRepository((repository) => {
        this.listings.get(repository)?.subscriptions.dispose();
        this.listings.delete(repository);
      }),
      { dispose: () => this.listings.forEach(({ subscriptions }) => subscriptions.dispose()) },
    );
  }

  private follow(repository: GitApiRepository): void {
    if (this.listings.has(repository)) return;
    const history = new ChangeListingHistory(LISTINGS_KEPT_MS);
    const subscriptions = new DisposableStore();
    this.listings.set(repository, { history, subscriptions });
    // Not the HEAD seen by `state.onDidChange`: the extension notices a moved HEAD only at its next
    // status run, which may be long after the operation (often: because an agent just wrote a file).
    if (typeof repository.onDidCheckout === 'function') subscriptions.add(repository.onDidCheckout(() => this.noteActivity('checkout')));
    const takeListing = () => {
      const { workingTreeChanges, untrackedChanges } = repository.state;
      history.record(this.now(), [...workingTreeChanges, ...(untrackedChanges ?? [])].map((change) => change.uri.toString()));
    };
    // A repository whose first status has not run yet lists nothing, which is not "all clean".
    if (repository.state.HEAD !== undefined) takeListing();
    subscriptions.add(repository.state.onDidChange(takeListing));
  }

  dispose(): void {
    this.disposables.dispose();
  }
}

/** Reads a working-tree file's bytes only to tell whether it is text (no NUL in its first 8 KB). */
export async function isTextFile(fsPath: string): Promise<boolean> {
  // O_NONBLOCK: a FIFO in the working tree must not hang the check; only a regular file is text.
  const handle = await fs.open(fsPath, fsConstants.O_RDONLY | (fsConstants.O_NONBLOCK ?? 0));
  try {
    if (!(await handle.stat()).isFile()) return false;
    const buffer = Buffer.alloc(8192);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return !buffer.subarray(0, bytesRead).includes(0);
  } finally {
    await handle.close();
  }
}

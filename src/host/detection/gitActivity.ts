import { constants as fsConstants, promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { GitError, isObjectId, type GitRunner } from '../../git/gitRunner';
import type { RepositoryLocation } from '../../git/repository';

/** Files reloaded this long after a git operation's traces count as that operation's... */
const GIT_TRACES_BEFORE_MS = 3_000;
/** ...and this long before them (git moves HEAD after it has written the working tree). */
const GIT_TRACES_AFTER_MS = 1_500;

/**
 * Files under .git that a checkout, pull, merge, rebase, reset or stash writes. Not `index` or
 * `index.lock`: the git extension's own `git status`, run because a file just changed, takes the
 * lock and rewrites the index, so they would hide every outside write. (Git commands that only
 * restore files, such as `git restore`, are told apart by content: the file then equals the index.)
 * Not FETCH_HEAD or logs/HEAD either: a fetch or a commit (which agents often run right after
 * writing files) changes no working-tree file.
 */
const OPERATION_FILES = '{HEAD,ORIG_HEAD,MERGE_HEAD,REBASE_HEAD,CHERRY_PICK_HEAD,AUTO_MERGE,refs/stash}';

/** The parts of the built-in git extension's API (v1) that are read here. */
interface GitExtensionApi {
  readonly repositories: readonly GitApiRepository[];
  onDidOpenRepository(listener: (repository: GitApiRepository) => void): vscode.Disposable;
}

interface GitApiRepository {
  readonly rootUri: vscode.Uri;
  readonly state: {
    readonly workingTreeChanges: ReadonlyArray<{ readonly uri: vscode.Uri }>;
    readonly untrackedChanges?: ReadonlyArray<{ readonly uri: vscode.Uri }>;
  };
  readonly onDidCheckout?: (listener: () => void) => vscode.Disposable;
}

/**
 * Knows when git itself is rewriting working-tree files (checkout, pull, stash, reset, merge,
 * rebase), so that the reloads they cause are never taken for AI writes. Signals: the git
 * extension's API (a checkout ran; what it lists as changed), watchers on the files those commands
 * write under .git, and the file's content being what the index holds.
 */
export class GitActivity implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly activityTimes: number[] = [];
  private api: GitExtensionApi | undefined;

  constructor(
    private readonly git: GitRunner | undefined,
    private readonly log: vscode.LogOutputChannel,
    private readonly now: () => number = Date.now,
  ) {
    for (const folder of vscode.workspace.workspaceFolders ?? []) this.watchGitDirectory(folder.uri);
    this.disposables.push(
      vscode.workspace.onDidChangeWorkspaceFolders((event) => {
        for (const folder of event.added) this.watchGitDirectory(folder.uri);
      }),
    );
    void this.connectGitExtension();
  }

  /** A git operation left traces under .git shortly before `time` (default: now) or just after it. */
  isBusyAround(time: number = this.now()): boolean {
    return this.activityTimes.some((at) => at >= time - GIT_TRACES_BEFORE_MS && at <= time + GIT_TRACES_AFTER_MS);
  }

  /** Notes git activity at `at` (default: now; also used by tests and by the watchers). */
  noteActivity(reason: string, at: number = this.now()): void {
    this.activityTimes.push(at);
    this.activityTimes.sort((a, b) => a - b);
    while (this.activityTimes.length > 0 && at - this.activityTimes[0] > 10 * GIT_TRACES_BEFORE_MS) this.activityTimes.shift();
    this.log.trace(`git activity: ${reason}`);
  }

  /** Whether the git extension lists a file as changed (or untracked) in its working tree right now. */
  isModifiedInWorkingTree(uri: vscode.Uri): boolean | undefined {
    const repository = this.api?.repositories.find((candidate) => uri.fsPath.startsWith(candidate.rootUri.fsPath + path.sep));
    if (!repository) return undefined;
    const key = uri.toString();
    const changes = [...repository.state.workingTreeChanges, ...(repository.state.untrackedChanges ?? [])];
    return changes.some((change) => change.uri.toString() === key);
  }

  /**
   * True when the file on disk is exactly what the index holds (as `git add` would store it):
   * content that came out of git (checkout, restore, stash, reset), not a new write.
   */
  async diskMatchesIndex(repository: RepositoryLocation, repoPath: string): Promise<boolean> {
    if (!this.git) return false;
    try {
      const entry = await this.indexEntry(repository, repoPath);
      if (!entry) return false;
      const hashed = await this.git.run(['hash-object', '--path', repoPath, '--', path.join(repository.topLevel, ...repoPath.split('/'))], { cwd: repository.topLevel });
      return hashed.stdout.trim() === entry;
    } catch (error) {
      this.log.debug(`Could not compare ${repoPath} with the index: ${error instanceof Error ? error.message : String(error)}`);
      return false;
    }
  }

  /** The text the index holds for a file, or undefined when it is not in the index. */
  async indexText(repository: RepositoryLocation, repoPath: string): Promise<string | undefined> {
    if (!this.git) return undefined;
    const entry = await this.indexEntry(repository, repoPath);
    if (!entry) return undefined;
    const blob = await this.git.run(['cat-file', 'blob', entry], { cwd: repository.topLevel, maxOutputBytes: 50 * 1024 * 1024 });
    const text = blob.stdoutBytes.toString('utf8');
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  }

  /** Whether git ignores a path (build output, dependencies). */
  async isIgnored(repository: RepositoryLocation, repoPath: string): Promise<boolean> {
    if (!this.git) return false;
    try {
      const result = await this.git.run(['check-ignore', '-q', '--', repoPath], { cwd: repository.topLevel, okExitCodes: [1] });
      return result.exitCode === 0;
    } catch (error) {
      if (error instanceof GitError) return false;
      throw error;
    }
  }

  private async indexEntry(repository: RepositoryLocation, repoPath: string): Promise<string | undefined> {
    if (!this.git) return undefined;
    const listed = await this.git.run(['ls-files', '-s', '-z', '--', repoPath], { cwd: repository.topLevel });
    // "<mode> <object> <stage>\t<path>\0"; only stage 0 (no conflict) is a plain index entry.
    const match = /^\d+ ([0-9a-f]+) 0\t/.exec(listed.stdout);
    return match && isObjectId(match[1]) ? match[1] : undefined;
  }

  private watchGitDirectory(folder: vscode.Uri): void {
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, `.git/${OPERATION_FILES}`));
    const note = (uri: vscode.Uri) => void this.noteTraceWritten(uri);
    this.disposables.push(watcher, watcher.onDidChange(note), watcher.onDidCreate(note), watcher.onDidDelete(note));
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

  private async connectGitExtension(): Promise<void> {
    const extension = vscode.extensions.getExtension<{ getAPI(version: 1): GitExtensionApi }>('vscode.git');
    if (!extension) return;
    try {
      const exports = extension.isActive ? extension.exports : await extension.activate();
      this.api = exports.getAPI(1);
    } catch (error) {
      this.log.debug(`The git extension's API is not available: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    for (const repository of this.api.repositories) this.follow(repository);
    this.disposables.push(this.api.onDidOpenRepository((repository) => this.follow(repository)));
  }

  private follow(repository: GitApiRepository): void {
    // Not the HEAD seen by `state.onDidChange`: the extension notices a moved HEAD only at its next
    // status run, which may be long after the operation (often: because an agent just wrote a file).
    if (repository.onDidCheckout) this.disposables.push(repository.onDidCheckout(() => this.noteActivity('checkout')));
  }

  dispose(): void {
    for (const disposable of this.disposables) disposable.dispose();
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

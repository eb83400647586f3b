import { headCommit, parentsOfCommit } from '../../git/revisions';
import { commitsMadeSince } from '../../git/headReflog';
import * as vscode from 'vscode';
import type { GitRunner } from '../../git/gitRunner';
import type { GitApiBranch, GitApiRepository, GitExtension } from '../gitExtension';
import { DisposableStore, Sequencer } from '../lifecycle';
import { errorMessage } from '../../core/errorMessage';

/** What a repository's HEAD branch looked like at the git extension's last state change. */
interface HeadSnapshot {
  readonly name: string | undefined;
  readonly commit: string | undefined;
  readonly remote: string | undefined;
  readonly ahead: number | undefined;
  readonly behind: number | undefined;
}

/** One repository the git extension opened, as Vouch follows it. */
interface FollowedRepository {
  readonly repository: GitApiRepository;
  readonly root: string;
  /** HEAD as last resolved: a commit id, null for an unborn branch, undefined before the first look. */
  knownHead: string | null | undefined;
  head: HeadSnapshot | undefined;
  /** Commits already handled (noted, or found noted by the post-commit hook). */
  readonly handled: Set<string>;
  /** Commit handling runs one at a time per repository. */
  readonly queue: Sequencer;
  readonly disposables: DisposableStore;
}

export interface CommitDetectorHandlers {
  /** A new commit was made (through the git extension, or HEAD moved to a child of the old HEAD, e.g. a terminal commit). Runs one at a time per repository. */
  readonly onCommit: (root: string, commit: string) => Promise<void>;
  /** The branch's commits reached its upstream (push) or the upstream's reached the branch (pull). */
  readonly onPushOrPull: (root: string, remote: string, after: 'push' | 'pull') => void;
  /** The git extension opened a repository. */
  readonly onOpen: (root: string) => void;
}

/**
 * Follows the repositories the git extension opens and tells when a commit is made in one of
 * them, and when a push or a pull brought its branch level with the upstream.
 */
export class CommitDetector implements vscode.Disposable {
  private readonly followed = new Map<string, FollowedRepository>();
  private readonly disposables = new DisposableStore();
  /** Settles when the git extension's repositories are being followed (the repository picker waits for it). */
  readonly ready: Promise<void>;

  constructor(
    private readonly git: GitRunner,
    gitExtension: GitExtension,
    private readonly handlers: CommitDetectorHandlers,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.ready = this.start(gitExtension);
  }

  /** The repositories followed now, with the remote of their branch's upstream. */
  repositories(): { root: string; remote: string | undefined }[] {
    return [...this.followed.values()].map((followed) => ({ root: followed.root, remote: followed.repository.state.HEAD?.upstream?.remote }));
  }

  private async start(gitExtension: GitExtension): Promise<void> {
    const api = await gitExtension.api();
    if (!api || this.disposables.isDisposed) return;
    this.disposables.push(
      api.onDidOpenRepository((repository) => this.follow(repository)),
      api.onDidCloseRepository((repository) => this.unfollow(repository)),
    );
    for (const repository of api.repositories) this.follow(repository);
  }

  private follow(repository: GitApiRepository): void {
    const root = repository.rootUri.fsPath;
    if (this.followed.has(root) || this.disposables.isDisposed) return;
    const followed: FollowedRepository = {
      repository,
      root,
      knownHead: undefined,
      head: snapshot(repository.state.HEAD),
      handled: new Set(),
      queue: new Sequencer((error) => this.log.error(`Vouch notes (${root}): ${errorMessage(error)}`)),
      disposables: new DisposableStore(),
    };
    this.followed.set(root, followed);
    followed.disposables.add(repository.state.onDidChange(() => this.onStateChange(followed)));
    if (typeof repository.onDidCommit === 'function') {
      followed.disposables.add(repository.onDidCommit(() => void followed.queue.queue(() => this.onHeadMaybeMoved(followed, true))));
    }
    void followed.queue.queue(async () => {
      followed.knownHead = await this.resolveHead(root);
    });
    this.handlers.onOpen(root);
  }

  private unfollow(repository: GitApiRepository): void {
    const followed = this.followed.get(repository.rootUri.fsPath);
    if (!followed) return;
    this.followed.delete(followed.root);
    followed.disposables.dispose();
  }

  private onStateChange(followed: FollowedRepository): void {
    const before = followed.head;
    const now = snapshot(followed.repository.state.HEAD);
    followed.head = now;
    // The git extension's state changes after every file save and status refresh: HEAD is looked up
    // (a git process) only when the extension's own view of HEAD moved, or when it does not know it.
    if (!now?.commit || before?.commit !== now.commit || before.name !== now.name) void followed.queue.queue(() => this.onHeadMaybeMoved(followed, false));
    if (!before || !now || before.name !== now.name || !now.remote) return;
    const pushed = (before.ahead ?? 0) > 0 && now.ahead === 0 && before.commit === now.commit;
    const pulled = (before.behind ?? 0) > 0 && now.behind === 0 && before.commit !== now.commit;
    if (pushed || pulled) this.handlers.onPushOrPull(followed.root, now.remote, pushed ? 'push' : 'pull');
  }

  /**
   * A commit event (or a HEAD move that is a new commit on top of the old HEAD) is a new commit.
   * Several commits made between two looks at HEAD (a terminal running `git commit` twice) are
   * each handled, oldest first, when HEAD's reflog shows that only commits moved it: each one's
   * AI lines then go to its own record, not all to the newest.
   */
  private async onHeadMaybeMoved(followed: FollowedRepository, commitEvent: boolean): Promise<void> {
    const head = await this.resolveHead(followed.root);
    const previous = followed.knownHead;
    followed.knownHead = head;
    if (!head || followed.handled.has(head)) return;
    if (typeof previous === 'string' && previous !== head) {
      if ((await this.parentsOf(followed.root, head))[0] !== previous) {
        // Not one commit on top: several (read from the reflog, only then), or no commit at all (a checkout, a reset).
        const made = await commitsMadeSince(this.git, followed.root, previous, head).catch(() => undefined);
        if (made && made.length > 1) {
          for (const commit of made) {
            if (followed.handled.has(commit)) continue;
            followed.handled.add(commit);
            await this.handlers.onCommit(followed.root, commit);
          }
          return;
        }
        if (!commitEvent) return;
      }
    } else if (!commitEvent) {
      // HEAD did not move, was not known yet, or was unborn: only a first commit counts.
      if (previous !== null || (await this.parentsOf(followed.root, head)).length !== 0) return;
    }
    followed.handled.add(head);
    await this.handlers.onCommit(followed.root, head);
  }

  private async resolveHead(root: string): Promise<string | null> {
    return headCommit(this.git, root);
  }

  private async parentsOf(root: string, commit: string): Promise<string[]> {
    return parentsOfCommit(this.git, root, commit);
  }

  dispose(): void {
    this.disposables.dispose();
    for (const followed of this.followed.values()) followed.disposables.dispose();
    this.followed.clear();
  }
}

function snapshot(head: GitApiBranch | undefined): HeadSnapshot | undefined {
  if (!head) return undefined;
  return { name: head.name, commit: head.commit, remote: head.upstream?.remote, ahead: head.ahead, behind: head.behind };
}

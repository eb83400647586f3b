import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { GitError, assertObjectId, type GitRunner } from '../../git/gitRunner';
import { resolveRepository } from '../../git/notes/gitObjects';
import { NotesReader } from '../../git/notes/notesReader';
import { NotesWriter } from '../../git/notes/notesWriter';
import { WorkingStatePendingSpans, recordCommitFromPending } from '../../git/notes/pendingFromWorkingState';
import { reconcileNotes, type ReconcileReport } from '../../git/notes/reconcile';
import { configureRewriteRef, isRewriteRefConfigured } from '../../git/notes/rewriteRef';
import { forcedNotesFetchWarnings, syncNotes, type SyncReport } from '../../git/notes/sync';
import { WorkingStateStore } from '../../git/workingStateStore';
import type { AttributionService } from '../attributionService';
import { signerSource } from '../../git/signing/recordSigning';
import type { VouchSettings } from '../settings';
import type { GitApiBranch, GitApiRepository, GitExtension } from '../gitExtension';

interface NotesContext {
  readonly git: GitRunner;
  readonly topLevel: string;
  readonly reader: NotesReader;
  readonly writer: NotesWriter;
  readonly logger: vscode.LogOutputChannel;
}

interface HeadSnapshot {
  readonly name: string | undefined;
  readonly commit: string | undefined;
  readonly remote: string | undefined;
  readonly ahead: number | undefined;
  readonly behind: number | undefined;
}

/** One repository the git extension opened, as Vouch follows it. */
interface WatchedRepository {
  readonly repository: GitApiRepository;
  readonly root: string;
  /** HEAD as last resolved: a commit id, null for an unborn branch, undefined before the first look. */
  knownHead: string | null | undefined;
  head: HeadSnapshot | undefined;
  /** Commits already handled (recorded, or found recorded by the post-commit hook). */
  readonly handled: Set<string>;
  /** Commit handling runs one at a time per repository. */
  queue: Promise<void>;
  readonly disposables: vscode.Disposable[];
}

const REWRITE_REF_ANSWER_KEY = 'vouch.notes.rewriteRefAnswer:';

/**
 * Connects git notes to the editor: when a commit is made (the git extension's commit event, or
 * HEAD moving to a child of the old HEAD, e.g. a terminal commit), it flushes the attribution,
 * records the commit's note from the pending spans (the same `recordCommitFromPending` the
 * post-commit hook runs) and reloads the open documents so committed spans leave the
 * uncommitted view. It also asks (once per repository) to configure notes.rewriteRef, offers
 * `vouch sync` after push and pull, and warns about force-fetched notes refs.
 */
export class NotesController implements vscode.Disposable {
  private readonly watched = new Map<string, WatchedRepository>();
  private readonly contexts = new Map<string, Promise<NotesContext>>();
  private readonly pending: WorkingStatePendingSpans;
  private readonly askedRewriteRef = new Set<string>();
  private readonly warnedForcedFetch = new Set<string>();
  private readonly disposables: vscode.Disposable[] = [];
  private syncOfferOpen = false;
  private disposed = false;
  /** Settles when the git extension's repositories are being followed (tests wait for it). */
  readonly ready: Promise<void>;

  constructor(
    private readonly git: GitRunner,
    private readonly service: AttributionService,
    private readonly settings: VouchSettings,
    private readonly memento: { readonly workspace: vscode.Memento; readonly global: vscode.Memento },
    private readonly log: vscode.LogOutputChannel,
    gitExtension: GitExtension,
  ) {
    this.pending = new WorkingStatePendingSpans((topLevel) => WorkingStateStore.open(git, topLevel, log), log);
    this.ready = this.start(gitExtension);
  }

  private async start(gitExtension: GitExtension): Promise<void> {
    const api = await gitExtension.api();
    if (!api || this.disposed) return;
    this.disposables.push(
      api.onDidOpenRepository((repository) => this.watch(repository)),
      api.onDidCloseRepository((repository) => this.unwatch(repository)),
    );
    for (const repository of api.repositories) this.watch(repository);
  }

  private watch(repository: GitApiRepository): void {
    const root = repository.rootUri.fsPath;
    if (this.watched.has(root) || this.disposed) return;
    const watched: WatchedRepository = {
      repository,
      root,
      knownHead: undefined,
      head: snapshot(repository.state.HEAD),
      handled: new Set(),
      queue: Promise.resolve(),
      disposables: [],
    };
    this.watched.set(root, watched);
    watched.disposables.push(repository.state.onDidChange(() => this.onStateChange(watched)));
    if (typeof repository.onDidCommit === 'function') {
      watched.disposables.push(repository.onDidCommit(() => this.enqueue(watched, () => this.onHeadMaybeMoved(watched, true))));
    }
    this.enqueue(watched, async () => {
      watched.knownHead = await this.resolveHead(root);
    });
    void this.warnAboutForcedNotesFetch(root);
  }

  private unwatch(repository: GitApiRepository): void {
    const watched = this.watched.get(repository.rootUri.fsPath);
    if (!watched) return;
    this.watched.delete(watched.root);
    for (const disposable of watched.disposables) disposable.dispose();
  }

  private enqueue(watched: WatchedRepository, task: () => Promise<void>): void {
    watched.queue = watched.queue.then(task).catch((error: unknown) => {
      this.log.error(`Vouch notes (${watched.root}): ${error instanceof Error ? error.message : String(error)}`);
    });
  }

  private onStateChange(watched: WatchedRepository): void {
    const before = watched.head;
    const now = snapshot(watched.repository.state.HEAD);
    watched.head = now;
    this.enqueue(watched, () => this.onHeadMaybeMoved(watched, false));
    if (!before || !now || before.name !== now.name || !now.remote) return;
    const pushed = (before.ahead ?? 0) > 0 && now.ahead === 0 && before.commit === now.commit;
    const pulled = (before.behind ?? 0) > 0 && now.behind === 0 && before.commit !== now.commit;
    if (pushed || pulled) void this.offerSync(watched.root, now.remote, pushed ? 'push' : 'pull');
  }

  /** A commit event (or a HEAD move that is a new commit on top of the old HEAD) gets its note recorded. */
  private async onHeadMaybeMoved(watched: WatchedRepository, commitEvent: boolean): Promise<void> {
    const head = await this.resolveHead(watched.root);
    const previous = watched.knownHead;
    watched.knownHead = head;
    if (!head || watched.handled.has(head)) return;
    if (!commitEvent) {
      if (head === previous || previous === undefined) return;
      const parents = await this.parentsOf(watched.root, head);
      const isChildOfPrevious = previous === null ? parents.length === 0 : parents[0] === previous;
      if (!isChildOfPrevious) return;
    }
    watched.handled.add(head);
    await this.recordCommit(watched.root, head);
  }

  private async recordCommit(root: string, commit: string): Promise<void> {
    await this.service.flush();
    const context = await this.contextOf(root);
    try {
      const existing = await context.reader.readNote(commit);
      if (existing) {
        this.log.info(`Commit ${commit.slice(0, 12)} already has a Vouch note (post-commit hook); not recording it again`);
      } else {
        const result = await recordCommitFromPending(context, this.pending, commit);
        const aiLines = result.files.reduce((sum, file) => sum + file.aiLines, 0);
        for (const file of result.files) if (file.skipped) this.log.warn(`${file.path}: ${file.skipped}; its AI spans stay pending`);
        this.log.info(
          result.record
            ? `Recorded ${aiLines} AI line(s) of commit ${commit.slice(0, 12)} in refs/notes/vouch (record ${result.record.recordId.slice(0, 12)}, ${result.signing?.signedBy ? `signed by ${result.signing.signedBy}` : (result.signing?.unsigned ?? 'unsigned')})`
            : `Commit ${commit.slice(0, 12)} has no AI lines; no note written`,
        );
        if (!result.record) return void (await this.reloadDocuments(context.topLevel, root));
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.log.error(`Could not record the AI lines of commit ${commit.slice(0, 12)}: ${message}`);
      void vscode.window.showWarningMessage(`Vouch could not record the AI lines of commit ${commit.slice(0, 12)}: ${message}. They stay pending and are written with the next commit or 'vouch record-commit'.`);
      return;
    }
    await this.reloadDocuments(context.topLevel, root);
    void this.askToConfigureRewriteRef(context);
  }

  /** Open documents of the repository take their spans from the working state again. */
  private async reloadDocuments(topLevel: string, root: string): Promise<void> {
    const roots = [...new Set([topLevel, root, await fs.realpath(topLevel).catch(() => topLevel)])];
    const inside = (file: string) => roots.some((candidate) => isInside(candidate, file));
    await Promise.all(vscode.workspace.textDocuments.filter((document) => document.uri.scheme === 'file' && inside(document.uri.fsPath)).map((document) => this.service.reload(document)));
  }

  private contextOf(root: string): Promise<NotesContext> {
    let context = this.contexts.get(root);
    if (!context) {
      context = (async () => {
        const { topLevel } = await resolveRepository(this.git, root);
        const writer = await NotesWriter.open(this.git, topLevel, this.log);
        const signer = signerSource(this.git, topLevel, this.log, { settingKey: this.settings.signingKey });
        return { git: this.git, topLevel, reader: new NotesReader(this.git, topLevel, this.log), writer, logger: this.log, signer };
      })();
      this.contexts.set(root, context);
      context.catch(() => this.contexts.delete(root));
    }
    return context;
  }

  private async resolveHead(root: string): Promise<string | null> {
    const result = await this.git.run(['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'], { cwd: root, okExitCodes: [1] });
    const id = result.stdout.trim();
    return result.exitCode === 0 && id ? assertObjectId(id) : null;
  }

  private async parentsOf(root: string, commit: string): Promise<string[]> {
    const result = await this.git.run(['rev-list', '--parents', '-n', '1', assertObjectId(commit)], { cwd: root });
    return result.stdout.trim().split(' ').slice(1).map(assertObjectId);
  }

  /** Asks once per repository (setting vouch.notes.configureRewriteRef) to let amend and rebase carry notes. */
  private async askToConfigureRewriteRef(context: NotesContext): Promise<void> {
    const mode = this.settings.notes.configureRewriteRef;
    const key = `${REWRITE_REF_ANSWER_KEY}${context.topLevel}`;
    if (mode === 'never' || this.askedRewriteRef.has(context.topLevel)) return;
    if (mode === 'ask' && (this.memento.workspace.get(key) !== undefined || this.memento.global.get(key) !== undefined)) return;
    this.askedRewriteRef.add(context.topLevel);
    if (await isRewriteRefConfigured(context.git, context.topLevel)) return;
    if (mode === 'always') {
      await configureRewriteRef(context.git, context.topLevel);
      this.log.info(`Configured notes.rewriteRef in ${context.topLevel} so amend and rebase carry Vouch notes (vouch.notes.configureRewriteRef: always)`);
      return;
    }
    const answer = await vscode.window.showInformationMessage(
      `Vouch: let amend and rebase carry the AI attribution notes of ${path.basename(context.topLevel)}? This adds refs/notes/vouch to git's notes.rewriteRef in the repository's config.`,
      'Yes',
      'No',
      'Never',
    );
    if (answer === 'Yes') {
      await configureRewriteRef(context.git, context.topLevel);
      this.log.info(`Configured notes.rewriteRef in ${context.topLevel}`);
    } else if (answer === 'No') {
      await this.memento.workspace.update(key, 'no');
    } else if (answer === 'Never') {
      await this.memento.global.update(key, 'never');
    }
  }

  private async offerSync(root: string, remote: string, after: 'push' | 'pull'): Promise<void> {
    const mode = this.settings.notes.syncAfterPushPull;
    if (mode === 'never' || this.syncOfferOpen) return;
    if (mode === 'ask') {
      this.syncOfferOpen = true;
      let answer: string | undefined;
      try {
        answer = await vscode.window.showInformationMessage(`Vouch: sync the AI attribution notes (refs/notes/vouch) with ${remote} after this ${after}?`, 'Sync', 'Always', 'Never');
      } finally {
        this.syncOfferOpen = false;
      }
      if (answer === 'Never') await this.settings.setNotesMode('syncAfterPushPull', 'never');
      if (answer === 'Always') await this.settings.setNotesMode('syncAfterPushPull', 'always');
      if (answer !== 'Sync' && answer !== 'Always') return;
    }
    await this.runSync(root, remote, mode === 'always' ? 'quiet' : 'tell');
  }

  /** `vouch sync` for a repository; reports the outcome (quietly in the status bar for automatic syncs). */
  async runSync(root: string, remote: string | undefined, report: 'quiet' | 'tell'): Promise<SyncReport | undefined> {
    try {
      const context = await this.contextOf(root);
      const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Vouch: syncing notes' }, () => syncNotes(context, { remote }));
      for (const warning of result.warnings) void vscode.window.showWarningMessage(`Vouch: ${warning}`);
      const local = result.localUpdate === 'merge' ? `merged ${result.mergedNotes} note(s)` : result.localUpdate === 'fast-forward' ? 'took the remote notes' : 'no remote changes';
      const message = `Vouch notes synced with ${result.remote}: ${local}; ${result.pushed ? 'pushed' : 'nothing to push'}`;
      this.log.info(message);
      if (report === 'tell') void vscode.window.showInformationMessage(message);
      else this.disposables.push(vscode.window.setStatusBarMessage(message, 5000));
      return result;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.log.error(`Vouch sync failed: ${message}`);
      void vscode.window.showErrorMessage(`Vouch could not sync notes: ${message}`);
      return undefined;
    }
  }

  async runReconcile(root: string): Promise<ReconcileReport | undefined> {
    try {
      const context = await this.contextOf(root);
      const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Vouch: reconciling notes' }, () => reconcileNotes(context));
      const message = `Vouch reconciled ${result.scannedCommits} commit(s): ${result.carried.length} record(s) carried, ${result.stale.length} stale`;
      this.log.info(message);
      for (const item of result.stale) this.log.warn(`Stale Vouch record ${item.check.recordId.slice(0, 12)} on ${item.commit.slice(0, 12)}: its AI lines no longer match the commit`);
      if (result.stale.length > 0) void vscode.window.showWarningMessage(`${message}. Stale records no longer match their commits' lines; see the Vouch log.`);
      else void vscode.window.showInformationMessage(message);
      if (result.carried.length > 0) await this.reloadDocuments(context.topLevel, root);
      return result;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.log.error(`Vouch reconcile failed: ${message}`);
      void vscode.window.showErrorMessage(`Vouch could not reconcile notes: ${message}`);
      return undefined;
    }
  }

  private async warnAboutForcedNotesFetch(root: string): Promise<void> {
    if (this.warnedForcedFetch.has(root)) return;
    this.warnedForcedFetch.add(root);
    try {
      const warnings = await forcedNotesFetchWarnings(this.git, root);
      for (const warning of warnings) {
        this.log.warn(warning);
        void vscode.window.showWarningMessage(`Vouch: ${warning}`);
      }
    } catch (error) {
      if (!(error instanceof GitError)) throw error;
      this.log.warn(`Could not read the fetch configuration of ${root}: ${error.message}`);
    }
  }

  /** The repository a command acts on: the only one, or the one the person picks. */
  async pickRepository(): Promise<{ root: string; remote: string | undefined } | undefined> {
    await this.ready;
    const candidates = [...this.watched.values()].map((watched) => ({ root: watched.root, remote: watched.repository.state.HEAD?.upstream?.remote }));
    if (candidates.length === 0) {
      for (const folder of vscode.workspace.workspaceFolders ?? []) {
        if (folder.uri.scheme !== 'file') continue;
        const found = await resolveRepository(this.git, folder.uri.fsPath).catch(() => undefined);
        if (found && !candidates.some((candidate) => candidate.root === found.topLevel)) candidates.push({ root: found.topLevel, remote: undefined });
      }
    }
    if (candidates.length === 0) {
      void vscode.window.showWarningMessage('Vouch: no git repository is open.');
      return undefined;
    }
    if (candidates.length === 1) return candidates[0];
    const picked = await vscode.window.showQuickPick(
      candidates.map((candidate) => ({ label: path.basename(candidate.root), description: candidate.root, candidate })),
      { placeHolder: 'Repository' },
    );
    return picked?.candidate;
  }

  dispose(): void {
    this.disposed = true;
    for (const watched of this.watched.values()) for (const disposable of watched.disposables) disposable.dispose();
    this.watched.clear();
    for (const disposable of this.disposables) disposable.dispose();
  }
}

/** "Vouch: Sync Notes" and "Vouch: Reconcile Notes". */
export function registerNotesCommands(controller: NotesController): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.commands.registerCommand('vouch.syncNotes', async () => {
      const picked = await controller.pickRepository();
      return picked ? controller.runSync(picked.root, picked.remote, 'tell') : undefined;
    }),
    vscode.commands.registerCommand('vouch.reconcileNotes', async () => {
      const picked = await controller.pickRepository();
      return picked ? controller.runReconcile(picked.root) : undefined;
    }),
  );
}

function snapshot(head: GitApiBranch | undefined): HeadSnapshot | undefined {
  if (!head) return undefined;
  return { name: head.name, commit: head.commit, remote: head.upstream?.remote, ahead: head.ahead, behind: head.behind };
}

function isInside(directory: string, file: string): boolean {
  const relative = path.relative(directory, file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

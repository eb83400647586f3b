import * as vscode from 'vscode';
import type { CommittedAiLine } from '../../core/visibility/committedLines';
import { BlameOverlay, blameLimitReason, overBlameLimitByLength } from '../../git/blame/blameOverlay';
import type { GitRunner } from '../../git/gitRunner';
import { pathInRepository, type RepositoryLocation } from '../../git/repository';
import type { RepositoryRegistry } from '../repositoryRegistry';
import type { VouchSettings } from '../settings';
import { Debouncer, DisposableStore } from '../lifecycle';
import { errorMessage } from '../../core/errorMessage';

/** One empty list, so callers can tell "unchanged" by identity. */
export const NO_COMMITTED_LINES: readonly CommittedAiLine[] = Object.freeze([]);

/** Blame runs at most this often per document while it is being edited. */
const BLAME_DEBOUNCE_MS = 300;

interface RepositoryHistory {
  readonly overlay: BlameOverlay;
  /** Bumped whenever HEAD, a branch or a notes ref moves: cached results of older generations are stale. */
  generation: number;
}

interface DocumentHistory {
  /** The result, for `version` of the document and `generation` of its repository. */
  result?: { readonly version: number; readonly generation: number; readonly lineCount: number; readonly lines: CommittedAiLine[]; readonly skipped?: string };
  running?: Promise<void>;
  /** The run in progress is for this version/generation. */
  runningKey?: string;
}

/**
 * Committed AI lines of open documents: the blame overlay per repository, one cached result per
 * document (valid for one document version and one repository generation), refreshed in the
 * background (debounced per document) and again when HEAD, branches or notes refs move.
 */
export class CommittedHistory implements vscode.Disposable {
  private readonly repositories = new Map<string, Promise<RepositoryHistory | undefined>>();
  private readonly documents = new Map<string, DocumentHistory>();
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  private readonly disposables = new DisposableStore(this.emitter);
  /** Blame of a document after its edits, at most once per BLAME_DEBOUNCE_MS (the first request's wait). */
  private readonly blameSoon = this.disposables.add(new Debouncer<vscode.TextDocument>(BLAME_DEBOUNCE_MS, (document) => void this.run(document, document.uri.toString())));
  /** Fires when the committed lines of a document are known anew. */
  readonly onDidChange = this.emitter.event;

  constructor(
    private readonly git: GitRunner | undefined,
    private readonly states: RepositoryRegistry | undefined,
    private readonly settings: VouchSettings,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.disposables.push(
      vscode.workspace.onDidCloseTextDocument((document) => this.forget(document)),
      // Commit, checkout, reset, pull and note writes or syncs all move HEAD, a branch or a notes ref.
      states?.onDidChangeRepository((change) => {
        if (change.kind === 'head' || change.kind === 'refs') void this.historyMoved(change.repository.topLevel);
      }) ?? { dispose: () => undefined },
      settings.onDidChange(() => {
        for (const entry of this.documents.values()) entry.result = undefined;
      }),
    );
  }

  /**
   * The committed AI lines known for the document now, and starts a refresh when they are not for
   * its current version. While a refresh runs, the previous result is kept if the line count did
   * not change (in-line edits), so marks do not flicker; otherwise nothing is shown until it ends.
   */
  linesOf(document: vscode.TextDocument): readonly CommittedAiLine[] {
    if (!this.canBlame(document)) return NO_COMMITTED_LINES;
    const key = document.uri.toString();
    let entry = this.documents.get(key);
    if (!entry) this.documents.set(key, (entry = {}));
    const result = entry.result;
    void this.repositoryHistory(document.uri.fsPath).then((repository) => {
      if (!repository) return;
      if (result && result.version === document.version && result.generation === repository.generation) return;
      this.schedule(document, key);
    });
    if (!result) return NO_COMMITTED_LINES;
    return result.version === document.version || result.lineCount === document.lineCount ? result.lines : NO_COMMITTED_LINES;
  }

  /** The committed AI lines of the document's current text, waiting for blame if needed (the summary command). */
  async fetch(document: vscode.TextDocument): Promise<{ lines: readonly CommittedAiLine[]; skipped?: string }> {
    if (!this.canBlame(document)) return { lines: [], skipped: this.git ? 'not a file in a repository' : 'Restricted Mode' };
    const repository = await this.repositoryHistory(document.uri.fsPath);
    if (!repository) return { lines: [], skipped: 'not in a git repository' };
    const key = document.uri.toString();
    let entry = this.documents.get(key);
    if (!entry) this.documents.set(key, (entry = {}));
    const current = entry.result;
    if (current && current.version === document.version && current.generation === repository.generation) return current;
    await this.run(document, key);
    return entry.result ?? { lines: [] };
  }

  private canBlame(document: vscode.TextDocument): boolean {
    return this.git !== undefined && this.states !== undefined && document.uri.scheme === 'file';
  }

  private schedule(document: vscode.TextDocument, key: string): void {
    if (this.documents.has(key)) this.blameSoon.triggerOnce(document);
  }

  private async run(document: vscode.TextDocument, key: string): Promise<void> {
    const entry = this.documents.get(key);
    const repository = await this.repositoryHistory(document.uri.fsPath);
    if (!entry || !repository || document.isClosed) return;
    const version = document.version;
    const generation = repository.generation;
    const runKey = `${version}:${generation}`;
    if (entry.running && entry.runningKey === runKey) return entry.running;
    const location = await this.states?.repositoryOf(document.uri.fsPath);
    if (!location) return;
    const repoPath = pathInRepository(location.topLevel, document.uri.fsPath);
    if (repoPath === undefined) return;
    const lineCount = document.lineCount;
    // Over the blame limit (UTF-8 bytes) by its length alone: skipped without taking the whole text (50 MB
    // files). A length that cannot tell is counted exactly by the overlay (blameSkipReason), as for every file.
    const length = document.offsetAt(new vscode.Position(lineCount, 0));
    const maxBytes = this.settings.blameMaxFileBytes;
    if (overBlameLimitByLength(length, maxBytes) === true) {
      entry.result = { version, generation, lineCount, lines: [], skipped: blameLimitReason(maxBytes) };
      return;
    }
    const text = document.getText();
    const savedOnDisk = !document.isDirty;
    const running: Promise<void> = this.blameInto(entry, key, document.uri, repository.overlay, repoPath, { text, version, generation, lineCount, savedOnDisk }).finally(() => {
      if (entry.running === running) {
        entry.running = undefined;
        entry.runningKey = undefined;
      }
    });
    entry.running = running;
    entry.runningKey = runKey;
    return running;
  }

  private async blameInto(
    entry: DocumentHistory,
    key: string,
    uri: vscode.Uri,
    overlay: BlameOverlay,
    repoPath: string,
    snapshot: { readonly text: string; readonly version: number; readonly generation: number; readonly lineCount: number; readonly savedOnDisk: boolean },
  ): Promise<void> {
    const { text, version, generation, lineCount, savedOnDisk } = snapshot;
    try {
      const result = await overlay.committedAiLines(repoPath, text, { savedOnDisk });
      if (this.documents.get(key) !== entry) return;
      // A newer result (a later version) may have landed first; keep the newest.
      if (entry.result && entry.result.version > version && entry.result.generation >= generation) return;
      entry.result = { version, generation, lineCount, lines: result.lines, ...(result.skipped ? { skipped: result.skipped } : {}) };
      if (result.skipped) this.log.debug(`No blame for ${repoPath}: ${result.skipped}`);
      this.emitter.fire(uri);
    } catch (error) {
      this.log.warn(`Could not read the committed attribution of ${repoPath}: ${errorMessage(error)}`);
    }
  }

  /**
   * The committed AI lines of a file's text that no editor holds (the AI Share view reads closed
   * files from disk), by the same blame overlay; none outside a repository or in Restricted Mode.
   */
  async linesOfFileText(fsPath: string, text: string): Promise<readonly CommittedAiLine[]> {
    const repository = await this.repositoryHistory(fsPath);
    const location = await this.states?.repositoryOf(fsPath);
    if (!repository || !location) return NO_COMMITTED_LINES;
    const repoPath = pathInRepository(location.topLevel, fsPath);
    if (repoPath === undefined) return NO_COMMITTED_LINES;
    return (await repository.overlay.committedAiLines(repoPath, text, { savedOnDisk: true })).lines;
  }

  private repositoryHistory(fsPath: string): Promise<RepositoryHistory | undefined> {
    const states = this.states;
    const git = this.git;
    if (!states || !git) return Promise.resolve(undefined);
    return states.repositoryOf(fsPath).then((location) => {
      if (!location) return undefined;
      let history = this.repositories.get(location.topLevel);
      if (!history) {
        history = this.openRepository(git, location).catch((error: unknown) => {
          this.log.warn(`Committed attribution is off for ${location.topLevel}: ${errorMessage(error)}`);
          return undefined;
        });
        this.repositories.set(location.topLevel, history);
      }
      return history;
    });
  }

  private async openRepository(git: GitRunner, location: RepositoryLocation): Promise<RepositoryHistory> {
    return { overlay: new BlameOverlay(git, location.topLevel, this.log, () => this.settings.blameMaxFileBytes), generation: 0 };
  }

  private async historyMoved(topLevel: string): Promise<void> {
    const history = await this.repositories.get(topLevel);
    if (!history) return;
    history.generation++;
    history.overlay.invalidateHistory();
    this.refreshRepository(topLevel);
  }

  /** Vouch wrote notes of a repository (an approval): its documents' committed lines are read again now, not on the watcher's event. */
  notesWritten(topLevel: string): void {
    const known = this.repositories.get(topLevel);
    for (const [key, history] of known ? [[topLevel, known] as const] : [...this.repositories]) {
      void history.then((opened) => {
        if (!opened) return;
        opened.generation++;
        opened.overlay.invalidateHistory();
        this.refreshRepository(key);
      });
    }
  }

  /** Refreshes the open documents of a repository (their results are now of an old generation). */
  private refreshRepository(topLevel: string): void {
    for (const document of vscode.workspace.textDocuments) {
      const key = document.uri.toString();
      if (!this.documents.has(key) || document.uri.scheme !== 'file') continue;
      if (pathInRepository(topLevel, document.uri.fsPath) === undefined) continue;
      this.schedule(document, key);
    }
  }

  private forget(document: vscode.TextDocument): void {
    this.blameSoon.cancel(document);
    this.documents.delete(document.uri.toString());
  }

  dispose(): void {
    this.disposables.dispose();
  }
}

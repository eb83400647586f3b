import * as vscode from 'vscode';
import { sha256Hex } from '../../core/textHash';
import type { WorkingStateDocument } from '../../core/workingState/stateFile';
import type { AttributionService } from '../attributionService';
import type { RepositoryRegistry } from '../repositoryRegistry';
import { peekStoredState } from './storedStatePeek';

const SETTLE_MS = 150;
const RETRY_MS = 300;

/** Span ids an open document has had, so its own saves (which may lag behind undo/redo) are never taken for news. */
const SEEN_RECORD_DELAY_MS = 50;

/**
 * Brings spans written to the shared working state by others (`vouch mark` from an agent hook,
 * another window) into the open documents. Only spans with ids this window never had cause a
 * reload: the window's own saves lag behind its edits (undo, redo), and a reload drops the ledger's
 * undo history.
 */
export class WorkingStateFollower implements vscode.Disposable {
  private readonly subscription: vscode.Disposable;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<void> = Promise.resolve();
  private readonly seenIds = new Map<string, Set<string>>();
  private readonly toRecord = new Set<string>();
  private recordTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly listeners: vscode.Disposable[] = [];

  constructor(
    private readonly states: RepositoryRegistry,
    private readonly service: AttributionService,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.listeners.push(
      service.onDidChangeAttribution((uri) => this.noteChanged(uri)),
      vscode.workspace.onDidCloseTextDocument((document) => this.seenIds.delete(document.uri.toString())),
    );
    this.subscription = states.onDidChangeStoredState(() => {
      if (this.timer !== undefined) clearTimeout(this.timer);
      this.timer = setTimeout(() => {
        this.timer = undefined;
        void this.pickUp();
      }, SETTLE_MS);
    });
  }

  private noteChanged(uri: vscode.Uri): void {
    this.toRecord.add(uri.toString());
    if (this.recordTimer !== undefined) return;
    this.recordTimer = setTimeout(() => this.recordSeen(), SEEN_RECORD_DELAY_MS);
  }

  private recordSeen(): void {
    this.recordTimer = undefined;
    for (const key of this.toRecord) {
      const seen = this.seenIds.get(key) ?? new Set<string>();
      for (const span of this.service.spansOf(vscode.Uri.parse(key, true))) seen.add(span.id);
      this.seenIds.set(key, seen);
    }
    this.toRecord.clear();
  }

  /** Picks up what others wrote now, without waiting for the file watcher (before a heuristic marks text a report may cover). */
  pickUp(): Promise<void> {
    this.running = this.running.then(() => this.catchUp()).catch((error: unknown) => {
      this.log.warn(`Could not pick up the working state: ${error instanceof Error ? error.message : String(error)}`);
    });
    return this.running;
  }

  private async catchUp(): Promise<void> {
    this.recordSeen();
    for (const document of vscode.workspace.textDocuments) {
      if (document.uri.scheme !== 'file') continue;
      const stored = await peekStoredState(this.states, document.uri.fsPath);
      if (!stored || !this.hasForeignSpans(document, stored)) continue;
      if (!document.isDirty && stored.textSha256 !== sha256Hex(document.getText())) {
        // The report describes text on disk that the editor has not reloaded yet: come back when it has.
        this.retrySoon();
        continue;
      }
      // Unsaved attribution first goes to the store (merged with the other writer's), then comes back.
      await this.service.flush();
      await this.service.reload(document);
      this.recordSeen();
      this.log.info(`Picked up attribution of ${vscode.workspace.asRelativePath(document.uri)} written outside this window`);
    }
  }

  private retrySoon(): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.pickUp();
    }, RETRY_MS);
  }

  private hasForeignSpans(document: vscode.TextDocument, stored: WorkingStateDocument): boolean {
    const seen = this.seenIds.get(document.uri.toString()) ?? new Set<string>();
    const current = new Set(this.service.spansOf(document.uri).map((span) => span.id));
    return stored.spans.some((span) => !seen.has(span.id) && !current.has(span.id));
  }

  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (this.recordTimer !== undefined) clearTimeout(this.recordTimer);
    this.subscription.dispose();
    for (const listener of this.listeners) listener.dispose();
  }
}

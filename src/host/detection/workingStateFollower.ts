import * as vscode from 'vscode';
import { sha256Hex } from '../../core/textHash';
import type { WorkingStateDocument } from '../../core/workingState/stateFile';
import type { AttributionService } from '../attributionService';
import type { RepositoryRegistry } from '../repositoryRegistry';
import { peekStoredState } from './storedStatePeek';
import { Debouncer, DisposableStore, Sequencer } from '../lifecycle';
import { errorMessage } from '../../core/errorMessage';

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
  private readonly disposables = new DisposableStore();
  private readonly pickUpSoon = this.disposables.add(new Debouncer(SETTLE_MS, () => void this.pickUp()));
  private readonly pickUps = new Sequencer((error) => this.log.warn(`Could not pick up the working state: ${errorMessage(error)}`));
  private readonly seenIds = new Map<string, Set<string>>();
  private readonly toRecord = new Set<string>();
  private readonly recordSoon = this.disposables.add(new Debouncer(SEEN_RECORD_DELAY_MS, () => this.recordSeen()));

  constructor(
    private readonly states: RepositoryRegistry,
    private readonly service: AttributionService,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.disposables.push(
      service.onDidChangeAttribution((uri) => this.noteChanged(uri)),
      vscode.workspace.onDidCloseTextDocument((document) => this.seenIds.delete(document.uri.toString())),
      states.onDidChangeStoredState(() => this.pickUpSoon.trigger()),
    );
  }

  private noteChanged(uri: vscode.Uri): void {
    this.toRecord.add(uri.toString());
    this.recordSoon.triggerOnce();
  }

  private recordSeen(): void {
    this.recordSoon.cancel();
    for (const key of this.toRecord) {
      const seen = this.seenIds.get(key) ?? new Set<string>();
      for (const span of this.service.spansOf(vscode.Uri.parse(key, true))) seen.add(span.id);
      this.seenIds.set(key, seen);
    }
    this.toRecord.clear();
  }

  /** Picks up what others wrote now, without waiting for the file watcher (before a heuristic marks text a report may cover). */
  pickUp(): Promise<void> {
    return this.pickUps.queue(() => this.catchUp());
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
    this.pickUpSoon.triggerOnce(undefined, RETRY_MS);
  }

  private hasForeignSpans(document: vscode.TextDocument, stored: WorkingStateDocument): boolean {
    const seen = this.seenIds.get(document.uri.toString()) ?? new Set<string>();
    const current = new Set(this.service.spansOf(document.uri).map((span) => span.id));
    return stored.spans.some((span) => !seen.has(span.id) && !current.has(span.id));
  }

  dispose(): void {
    this.disposables.dispose();
  }
}

import * as path from 'node:path';
import * as vscode from 'vscode';
import { sha256Hex } from '../../core/textHash';
import type { WorkingStateDocument } from '../../core/workingState/stateFile';
import type { AttributedSpan } from '../../core/attribution';
import type { AttributionService } from '../attributionService';
import type { RepositoryRegistry, StoredStateChange } from '../repositoryRegistry';
import { peekStateFile } from './storedStatePeek';
import { Debouncer, DisposableStore, Sequencer } from '../lifecycle';
import { errorMessage } from '../../core/errorMessage';
import { subtractRanges } from '../../core/detection/changeClassification';

const SETTLE_MS = 150;
const RETRY_MS = 300;

/**
 * Brings spans written to the shared working state by others (`vouch mark` from an agent hook,
 * another window) into the open documents. Only spans with ids this window never had cause a
 * reload: the window's own saves lag behind its edits (undo, redo), and a reload drops the ledger's
 * undo history. The window's own saves are never read back (the registry tells them apart), and a
 * change is looked at only in the state files that changed, not in every open document.
 */
export class WorkingStateFollower implements vscode.Disposable {
  private readonly disposables = new DisposableStore();
  private readonly pickUpSoon = this.disposables.add(new Debouncer(SETTLE_MS, () => void this.pickUps.queue(() => this.catchUpChanged())));
  private readonly pickUps = new Sequencer((error) => this.log.warn(`Could not pick up the working state: ${errorMessage(error)}`));
  /** State files another writer changed since the last catch-up, with their repository. */
  private readonly changed = new Map<string, StoredStateChange['repository']>();
  /**
   * Reports by others (an agent's `vouch mark`) over a file's text that an open document with
   * unsaved edits does not hold, per document: the window's next save of its own text would merge
   * them away (their lines are not in it), so they are kept here and applied if the document takes
   * that text (Revert File; Don't Save at close reverts first). Dropped when the document is saved or closed.
   */
  private readonly reportsOnFileText = new Map<string, { readonly textSha256: string; readonly spans: readonly AttributedSpan[] }>();

  constructor(
    private readonly states: RepositoryRegistry,
    private readonly service: AttributionService,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.disposables.push(
      states.onDidChangeStoredState((change) => {
        if (change.writtenHere !== undefined) return; // this window's own save: nothing new
        this.changed.set(change.stateFile, change.repository);
        this.pickUpSoon.trigger();
      }),
      // This window's save merged the report first (the file watcher's news of it came after): kept all the same.
      states.onDidMergeStateOfOtherText(({ uri, state }) => {
        const document = this.service.openDocument(uri);
        if (document) this.keepReportOnFileText(document, state);
      }),
      service.onDidApplyEdit((edit) => this.applyKeptReport(edit.document)),
      vscode.workspace.onDidSaveTextDocument((document) => this.reportsOnFileText.delete(document.uri.toString())),
      vscode.workspace.onDidCloseTextDocument((document) => this.reportsOnFileText.delete(document.uri.toString())),
    );
  }

  /** Picks up what others wrote now, in every open document, without waiting for the file watcher (before a heuristic marks text a report may cover). */
  pickUp(): Promise<void> {
    return this.pickUps.queue(async () => {
      for (const document of vscode.workspace.textDocuments) {
        if (document.uri.scheme !== 'file') continue;
        const located = await this.states.storeOf(document.uri.fsPath);
        if (!located) continue;
        const stateFile = located.store.stateFileFor(located.repoPath);
        const stored = await peekStateFile(stateFile);
        if (stored?.path !== located.repoPath) continue;
        await this.catchUp(document, stored, () => this.changed.set(stateFile, located.repository));
      }
    });
  }

  /** The open documents whose state files other writers changed. */
  private async catchUpChanged(): Promise<void> {
    const changed = [...this.changed];
    this.changed.clear();
    for (const [stateFile, repository] of changed) {
      const stored = await peekStateFile(stateFile);
      if (!stored) continue;
      const document = this.service.openDocument(vscode.Uri.file(path.join(repository.topLevel, ...stored.path.split('/'))));
      if (!document || document.uri.scheme !== 'file') continue;
      // The file must be the one the store keeps for this path (a file claiming another path is not taken).
      const located = await this.states.storeOf(document.uri.fsPath);
      if (located?.store.stateFileFor(located.repoPath) !== stateFile || located.repoPath !== stored.path) continue;
      await this.catchUp(document, stored, () => this.changed.set(stateFile, repository));
    }
  }

  private async catchUp(document: vscode.TextDocument, stored: WorkingStateDocument, retryLater: () => void): Promise<void> {
    const foreign = this.foreignSpans(document, stored);
    if (foreign.length === 0) return;
    if (!document.isDirty && stored.textSha256 !== sha256Hex(document.getText())) {
      // The report describes text on disk that the editor has not reloaded yet: come back when it has.
      retryLater();
      this.pickUpSoon.triggerOnce(undefined, RETRY_MS);
      return;
    }
    this.keepReportOnFileText(document, stored);
    // Unsaved attribution first goes to the store (merged with the other writer's), then comes back.
    await this.service.flush();
    await this.service.reload(document);
    // Said as it came out: the report may have been changed or removed again before it was read.
    const held = new Set(this.service.spansOf(document.uri).map((span) => span.id));
    const taken = foreign.filter((span) => held.has(span.id)).length;
    this.log.info(`Picked up attribution of ${vscode.workspace.asRelativePath(document.uri)} written outside this window (${taken} of its ${foreign.length} new span(s) held now)`);
  }

  /** Keeps the spans of another writer's state this window never had, when it is about a text a document with unsaved edits does not hold. */
  private keepReportOnFileText(document: vscode.TextDocument, stored: WorkingStateDocument): void {
    if (!document.isDirty || stored.textSha256 === sha256Hex(document.getText())) return;
    const spans = this.foreignSpans(document, stored);
    if (spans.length === 0) return;
    this.reportsOnFileText.set(document.uri.toString(), { textSha256: stored.textSha256, spans });
    this.log.info(`Attribution of ${vscode.workspace.asRelativePath(document.uri)} written outside this window is about the file's text, not the unsaved edits: applied if the document takes the file's text`);
  }

  /** A kept report, once its document holds the text it was made on: its spans where no span is yet. */
  private applyKeptReport(document: vscode.TextDocument): void {
    const key = document.uri.toString();
    const report = this.reportsOnFileText.get(key);
    if (!report || document.isDirty || sha256Hex(document.getText()) !== report.textSha256) return;
    this.reportsOnFileText.delete(key);
    let applied = 0;
    for (const span of report.spans) {
      const covered = this.service.spansInRange(document.uri, span.start, span.end).map((other) => ({ start: other.start, end: other.end }));
      for (const piece of subtractRanges({ start: span.start, end: span.end }, covered)) {
        this.service.markRange(document, new vscode.Range(document.positionAt(piece.start), document.positionAt(piece.end)), { kind: 'ai', origin: span.origin, confidence: span.confidence });
        applied += piece.end - piece.start;
      }
    }
    if (applied > 0) this.log.info(`${vscode.workspace.asRelativePath(document.uri)} took the file's text that attribution written outside this window is about: ${applied} characters of it applied`);
  }

  /** Spans of the stored state that this window never had (not in its ledger, never written or read by it). */
  private foreignSpans(document: vscode.TextDocument, stored: WorkingStateDocument): AttributedSpan[] {
    const seen = this.service.storedSpanIds(document.uri);
    const current = new Set(this.service.spansOf(document.uri).map((span) => span.id));
    return stored.spans.filter((span) => !seen.has(span.id) && !current.has(span.id));
  }


  dispose(): void {
    this.disposables.dispose();
  }
}

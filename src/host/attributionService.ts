import * as vscode from 'vscode';
import type { AttributedSpan, Confidence, EditAuthor, Origin, Review, TextReplacement } from '../core/attribution';
import { looksLikeTyping, type ChangeVerdict } from '../core/detection/changeClassification';
import { AttributionLedger } from '../core/ledger/attributionLedger';
import { editKeepsReviewBlocks, isBlankLine, type LineWithSpans } from '../core/review/blocksKept';
import { computeTextReplacements, reanchorSpans } from '../core/reanchor';
import { mergeSpans } from '../core/workingState/merge';
import type { RepositoryRegistry } from './repositoryRegistry';
import type { StoredBase } from '../git/workingStateStore';
import { Debouncer, DisposableStore } from './lifecycle';
import { documentLength, documentPieces, eolLength, isLargeDocument } from './documentText';
import { CleanDocumentTexts } from './cleanDocumentTexts';
import { lineBreaksIn } from '../core/text/lines';
import type { TextLineAt } from '../core/visibility/lineMarks';
import { TextChangedError } from '../git/textPieces';
import { errorMessage } from '../core/errorMessage';

/** An AI edit that is expected to arrive as document changes while `action` runs. */
interface AiEditWindow {
  readonly documentUri: string | undefined;
  readonly author: Extract<EditAuthor, { kind: 'ai' }>;
}

/** One change event of a tracked document, translated once for everything that follows it. */
export interface DocumentEdit {
  readonly document: vscode.TextDocument;
  /** `document.uri.toString()`. */
  readonly key: string;
  /** Offsets into the text before the event, as VS Code reports them. */
  readonly changes: readonly TextReplacement[];
  /**
   * The range each change replaced, in the text before the event, as VS Code reports it (its start
   * is the same in the text after). Asking the document instead (`positionAt`) makes the editor
   * total its line lengths below the edit: a pass over every later line on each keystroke.
   */
  readonly ranges: readonly vscode.Range[];
  /** The document's length in characters after the event, kept from the changes (asking the document costs the same pass). */
  readonly lengthAfter: number;
  /** Undo and redo: the ledger's history restores the attribution the text had; nobody classifies them. */
  readonly reason: 'undo' | 'redo' | undefined;
  /** Keystroke-sized: every change inserts at most two characters besides whitespace, or only deletes. */
  readonly typing: boolean;
  /** Date.now() when the event arrived. */
  readonly at: number;
  /** The text each change replaced, when known: a reload from disk, narrowed against the file's text before it. */
  readonly replacedTexts?: readonly string[];
  /**
   * The document took its file's text (Revert File of unsaved edits) and the file had changed on
   * disk since the document was last saved: the changes from the saved text to the file's (offsets
   * into the saved text, the text each replaced), for the detectors to judge as a reload of them.
   */
  readonly fileChangedSinceSave?: { readonly changes: readonly TextReplacement[]; readonly replacedTexts: readonly string[] };
}

/** What the edit classifier found: who made the edit (when it can tell) and the facts it took to decide. */
export interface EditClassification {
  readonly author: EditAuthor | undefined;
  /** The inserted text is a paste the paste provider saw (used up by this edit). */
  readonly pasted: boolean;
  /** The heuristic verdict the author was taken from; detectors that decide later (bursts, reloads) go on from it. */
  readonly verdict?: ChangeVerdict;
}

/** Decides, while the event happens, who made an edit that no AI edit window claimed. */
export type EditClassifier = (edit: DocumentEdit) => EditClassification;

/** An edit as the ledger took it: published once per change event, after the ledger applied it. */
export interface AppliedEdit extends DocumentEdit {
  /**
   * The edit may have changed what the spans cover, their review state or how their lines group
   * (it was AI, undo/redo, or touched a line at or next to a span). False for typing away from
   * every span: the spans only moved, and `onDidChangeAttribution` does not fire.
   */
  readonly spansAffected: boolean;
  /** The edit added or removed line breaks (spans below it moved to other lines). */
  readonly linesMoved: boolean;
  /**
   * The blocks waiting for review are as they were before the edit (their number and lines):
   * nothing near a span changed and the edited line neither became blank nor stopped being blank
   * nor holds AI text, or a person's edit inside one line changed nothing the blocks are built
   * from (core/review/blocksKept.ts). A count of the text before the edit still holds. False with
   * `lineChange` set: the line rule on it decides (editKeepsReviewBlocks). When false without
   * `spansAffected`, no attribution change fires: the blocks may still have changed.
   */
  readonly blocksKept: boolean;
  /** The document's version just before this edit (what was computed for it may follow the edit). */
  readonly versionBefore: number;
  /**
   * The line an edit inside one line left, as it is now, when the service read it (a single change
   * in a document with spans): what follows the edit line by line takes it from here instead of
   * asking the document again on every keystroke.
   */
  readonly lineAfter?: TextLineAt;
  /**
   * A person's edit inside one line near spans: that line and the spans on it or next to it, before
   * and after (as the review blocks' check took them), for what can tell from them alone that the
   * edit changed nothing it shows. A keystroke's `after` is the next keystroke's `before` (the same
   * object) while typing stays in the line and nothing else changed it, so a run of typing can be
   * judged once, from its first `before` to its last `after`.
   */
  readonly lineChange?: { readonly before: LineWithSpans; readonly after: LineWithSpans };
  /** The author the ledger recorded (human for undo/redo: the history decides those). */
  readonly author: EditAuthor;
  /** Who decided: an AI edit window (accept commands), the classifier, the typing fast path, or undo/redo history. */
  readonly decidedBy: 'ai-window' | 'classifier' | 'typing' | 'history';
  /** Undefined when the classifier was not asked (AI windows, typing, undo/redo). */
  readonly classification: EditClassification | undefined;
}

/**
 * A change of a document's attribution waiting for its stored attribution to load, replayed in
 * order after it: an edit (its author decided when it happened), or a mark of existing text
 * (offsets into the text as it was then, which is the text after the edits queued before it).
 */
type PendingChange =
  | { readonly edit: DocumentEdit; readonly author: EditAuthor }
  | { readonly mark: { readonly start: number; readonly end: number; readonly text: string }; readonly author: EditAuthor };

/** Where a document's ledger stands with respect to its stored working state. */
interface TrackedDocument {
  readonly document: vscode.TextDocument;
  ledger: AttributionLedger;
  /** Changes that arrived while the stored state was still loading, replayed after it. */
  pending: PendingChange[] | undefined;
  /**
   * Counts the changes this window made to the ledger (edits, marks, reviews). A save or reload
   * that replaces the ledger with spans read from the store compares it before and after its
   * await: marks and reviews change no text (the document version stays), so the version alone
   * cannot tell that the ledger moved on meanwhile.
   */
  revision: number;
  /** The pending save (see AttributionService.saveSoon) is for a change of the spans (not only a move): a later move does not put it off. */
  saveUrgent: boolean;
  /** The document's line count after the last edit the ledger took. */
  lineCount: number;
  /** The document's version after the last change event. */
  version: number;
  /** The document's length in characters at `version`, kept from the change events; counted at the first one (not on open: thousands of documents open that are never edited). */
  length: number | undefined;
  /** The line the last change event edited, as it was after it (so the next edit of it knows what it deleted). */
  editedLine: { readonly line: number; readonly start: number; readonly text: string } | undefined;
  /**
   * The edited line with its spans after the last keystroke inside one line: the next keystroke's
   * line before it, when nothing else changed it (the consumers then reuse what they worked out of it).
   */
  lineAfter: LineWithSpans | undefined;
  /** The save in flight; saves of one document run one at a time so merges see each other. */
  saving: Promise<void>;
  /** Settles once the stored state has loaded (and the changes queued meanwhile were applied). */
  loaded: Promise<void>;
  /**
   * Ids of the spans this window wrote to or read from the document's working state. Its own
   * saves lag behind undo/redo, so a stored span it no longer has is still not news (see
   * WorkingStateFollower); recorded at each save and load, never per edit.
   */
  readonly storedIds: Set<string>;
  /**
   * What the ledger last took from or wrote to the document's working state: the base of its next
   * save's merge. The ledger's own: the window's other writers (a detector recording a closed
   * file, the commit recorder) keep theirs, so their reads never stand for the ledger's.
   */
  storedBase: StoredBase | undefined;
  /** Saves that failed in a row (a lock held too long on a busy machine, a full disk): each is tried again later. */
  saveFailures: number;
  /** The document matched its file after the last change event or save (not dirty): a change that keeps it so is a reload from disk. */
  clean: boolean;
  /** The version whose text is kept as the file's (CleanDocumentTexts: opened clean, saved, reloaded, reverted). */
  cleanVersion: number | undefined;
  /** The spans at `cleanVersion`, taken when the first edit after it came: what a revert of the unsaved edits goes back to. */
  spansAtClean: { readonly version: number; readonly spans: AttributedSpan[] } | undefined;
}

/** The ledger's spans with the document version and ledger revision they belong to. */
interface LedgerSnapshot {
  readonly spans: AttributedSpan[];
  readonly version: number;
  readonly revision: number;
}

const SAVE_DELAY_MS = 400;
/** Typing away from every span only moves spans: their new offsets are written after a longer pause. */
const MOVED_SAVE_DELAY_MS = 2_000;
/** A failed save is tried again after 1, 2, 4 … s, at most this far apart, and given up after MAX_SAVE_RETRIES (the next change saves again). */
const MAX_SAVE_RETRY_DELAY_MS = 30_000;
const MAX_SAVE_RETRIES = 8;
const HUMAN: EditAuthor = { kind: 'human' };

/** Documents whose attribution is tracked: real files and untitled buffers, never output or git views. */
export function isTrackableDocument(document: vscode.TextDocument): boolean {
  return document.uri.scheme === 'file' || document.uri.scheme === 'untitled' || document.uri.scheme === 'vscode-remote';
}

/** A saved document and the text it was saved with (taken once for every consumer of the save). */
export interface SavedDocumentText {
  readonly document: vscode.TextDocument;
  readonly text: string;
}

/**
 * The one path of an edit: the only listener of the editor's document changes. It translates each
 * change once, takes its author (an open AI edit window; the typing fast path; else the edit
 * classifier), applies it to the document's ledger, keeps the ledgers in the repository's working
 * state, and publishes the applied edit once (`onDidApplyEdit`) for detectors, and the attribution
 * change (`onDidChangeAttribution`) for what shows it. It holds no attribution logic itself.
 */
export class AttributionService implements vscode.Disposable {
  private readonly documents = new Map<string, TrackedDocument>();
  /** The tracked documents whose ledger holds spans, kept as attribution changes (so nothing walks every open document to find them). */
  private readonly withSpans = new Set<TrackedDocument>();
  /** What each clean file held, so a reload is taken as the changes it made (its reported change spans every line between them). */
  private readonly cleanTexts = new CleanDocumentTexts();
  private readonly aiWindows: AiEditWindow[] = [];
  /** Saves started and not finished yet (saveNow never rejects); flush() waits for them. */
  private readonly savesInFlight = new Set<Promise<void>>();
  private readonly changeEmitter = new vscode.EventEmitter<vscode.Uri>();
  private readonly editEmitter = new vscode.EventEmitter<AppliedEdit>();
  private readonly saveEmitter = new vscode.EventEmitter<SavedDocumentText>();
  private readonly disposables = new DisposableStore(this.changeEmitter, this.editEmitter, this.saveEmitter);
  /** Saves of the working state after a pause, per document (the delay depends on the change). */
  private readonly saveSoon = this.disposables.add(new Debouncer<TrackedDocument>(SAVE_DELAY_MS, (tracked) => void this.save(tracked.document)));
  /** Fires after the attribution of a document changed (edits, reviews, reloads). */
  readonly onDidChangeAttribution = this.changeEmitter.event;
  /**
   * Fires once per change event of a tracked document, when it happens (also while the document's
   * stored state loads: the ledger then takes it a moment later, with the author decided now).
   */
  readonly onDidApplyEdit = this.editEmitter.event;
  /** Fires after a tracked document of ordinary size was saved, with the text saved. */
  readonly onDidSaveText = this.saveEmitter.event;
  private classifier: EditClassifier | undefined;

  constructor(
    private readonly states: RepositoryRegistry | undefined,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.disposables.push(
      vscode.workspace.onDidChangeTextDocument((event) => this.onDidChangeDocument(event)),
      vscode.workspace.onDidOpenTextDocument((document) => this.track(document)),
      vscode.workspace.onDidCloseTextDocument((document) => this.onDidCloseDocument(document)),
      vscode.workspace.onDidSaveTextDocument((document) => this.onDidSaveDocument(document)),
    );
    for (const document of vscode.workspace.textDocuments) this.track(document);
  }

  /** Sets the classifier consulted for edits outside any AI window that are not plain typing (one at a time). */
  setClassifier(classifier: EditClassifier): vscode.Disposable {
    this.classifier = classifier;
    return new vscode.Disposable(() => {
      if (this.classifier === classifier) this.classifier = undefined;
    });
  }

  /**
   * Runs `action`; every document change that happens before it settles (in `documentUri`, or in
   * any document when undefined) is attributed to `origin`. VS Code fires onDidChangeTextDocument
   * with the inserted text before an edit command's promise resolves.
   */
  async runAsAi<T>(documentUri: vscode.Uri | undefined, origin: Origin, confidence: Confidence, action: () => Thenable<T>): Promise<T> {
    const window: AiEditWindow = { documentUri: documentUri?.toString(), author: { kind: 'ai', origin, confidence } };
    this.aiWindows.push(window);
    try {
      return await action();
    } finally {
      const index = this.aiWindows.indexOf(window);
      if (index >= 0) this.aiWindows.splice(index, 1);
    }
  }

  /** The spans of an open document (empty when untracked). */
  spansOf(uri: vscode.Uri): AttributedSpan[] {
    return this.documents.get(uri.toString())?.ledger.spans() ?? [];
  }

  /** The spans of an open document that intersect [start, end), sorted by start (a ledger lookup, not a walk over every span). */
  spansInRange(uri: vscode.Uri, start: number, end: number): AttributedSpan[] {
    return this.documents.get(uri.toString())?.ledger.spansInRange(start, end) ?? [];
  }

  /** Ids of the spans this window wrote to or read from the document's working state (empty when untracked). */
  storedSpanIds(uri: vscode.Uri): ReadonlySet<string> {
    return this.documents.get(uri.toString())?.storedIds ?? new Set();
  }

  /** Open documents that hold AI spans (kept as attribution changes, not found by a walk over every open document). */
  documentsWithSpans(): vscode.TextDocument[] {
    const documents: vscode.TextDocument[] = [];
    for (const tracked of this.withSpans) if (tracked.ledger.spanCount > 0 && !tracked.document.isClosed) documents.push(tracked.document);
    return documents;
  }

  /** The open tracked document with this uri, found by key (not by a walk over every open document). */
  openDocument(uri: vscode.Uri | string): vscode.TextDocument | undefined {
    const tracked = this.documents.get(typeof uri === 'string' ? uri : uri.toString());
    return tracked && !tracked.document.isClosed ? tracked.document : undefined;
  }

  /**
   * Settles once the document's stored attribution has loaded, so that what is marked next is
   * in `spansOf` when the caller's promise resolves (explicit reports, mark selection).
   */
  whenLoaded(document: vscode.TextDocument): Promise<void> {
    return this.track(document)?.loaded ?? Promise.resolve();
  }

  /** Attributes existing text of an open document (explicit reports, mark selection). */
  markRange(document: vscode.TextDocument, range: vscode.Range, author: EditAuthor): void {
    const tracked = this.track(document);
    if (!tracked) throw new Error(`Vouch does not track ${document.uri.toString()}`);
    const start = document.offsetAt(range.start);
    const end = document.offsetAt(range.end);
    const text = document.getText(new vscode.Range(range.start, range.end));
    tracked.revision++;
    // While the stored state loads, the ledger is a placeholder: the mark waits in line with the edits before it.
    if (tracked.pending) {
      tracked.pending.push({ mark: { start, end, text }, author });
      return; // the load publishes and saves the result
    }
    tracked.ledger.markRange(start, end, author, text);
    this.changed(document);
  }

  setReview(document: vscode.TextDocument, spanId: string, review: Review | undefined): boolean {
    const tracked = this.documents.get(document.uri.toString());
    if (!tracked?.ledger.setReview(spanId, review)) return false;
    tracked.revision++;
    this.changed(document);
    return true;
  }

  /**
   * Writes every pending save now and waits for the saves already under way (before a commit is
   * recorded, and on shutdown: a window reload right after an AI edit must not lose it while its
   * save is still in git on a busy machine).
   */
  async flush(): Promise<void> {
    const saves: Promise<void>[] = [...this.savesInFlight];
    for (const tracked of this.documents.values()) {
      if (this.takePendingSave(tracked)) saves.push(this.save(tracked.document));
    }
    await Promise.all(saves);
  }

  /** Replaces a document's spans from the working state (another window, the CLI, a commit); no stored state means no spans. */
  async reload(document: vscode.TextDocument): Promise<void> {
    const tracked = this.documents.get(document.uri.toString());
    if (!tracked || !this.states) return;
    // Edits of the last moments are written first, so the working state holds them when we read it back.
    if (this.takePendingSave(tracked)) void this.save(document);
    await tracked.saving;
    await this.readStored(tracked, this.snapshot(tracked));
  }

  /**
   * Reads the document's stored spans over its text and adopts them (adoptStored: what the ledger
   * did since `base` is merged in). A large document is read by pieces, never whole; edited while
   * the pieces were read, it is read again whole, so that the stored spans can be moved onto the
   * text as it is when the store answers, as a small document's are.
   */
  private async readStored(tracked: TrackedDocument, base: Omit<LedgerSnapshot, 'version'>): Promise<void> {
    const document = tracked.document;
    const key = document.uri.toString();
    if (!this.states) return;
    if (isLargeDocument(document)) {
      const version = document.version;
      try {
        const stored = await this.states.load(document, documentPieces(document));
        if (this.documents.get(key) !== tracked) return;
        if (document.version === version) {
          if (stored) this.adoptStored(tracked, { ...base, version }, '', stored.spans, stored.base);
          return;
        }
      } catch (error) {
        if (!(error instanceof TextChangedError)) throw error;
        if (this.documents.get(key) !== tracked) return;
      }
      this.log.info(`${vscode.workspace.asRelativePath(document.uri)} changed while its stored attribution was read; it is read again over the current text and merged with the changes made meanwhile`);
    }
    const version = document.version;
    const text = document.getText();
    const stored = await this.states.load(document, text);
    if (!stored || this.documents.get(key) !== tracked) return;
    this.adoptStored(tracked, { ...base, version }, text, stored.spans, stored.base);
  }

  private track(document: vscode.TextDocument): TrackedDocument | undefined {
    if (!isTrackableDocument(document)) return undefined;
    const key = document.uri.toString();
    const existing = this.documents.get(key);
    if (existing) return existing;
    const tracked: TrackedDocument = {
      document,
      ledger: new AttributionLedger(),
      pending: this.states ? [] : undefined,
      revision: 0,
      saveUrgent: false,
      lineCount: document.lineCount,
      version: document.version,
      length: undefined,
      editedLine: undefined,
      lineAfter: undefined,
      saving: Promise.resolve(),
      loaded: Promise.resolve(),
      storedIds: new Set(),
      storedBase: undefined,
      saveFailures: 0,
      clean: !document.isDirty,
      cleanVersion: undefined,
      spansAtClean: undefined,
    };
    this.documents.set(key, tracked);
    // A large document's whole text is never taken on open: its stored state is read a piece at a time.
    const textAtOpen = isLargeDocument(document) ? undefined : document.getText();
    if (textAtOpen !== undefined) {
      this.cleanTexts.noteClean(document, textAtOpen);
      if (!document.isDirty) tracked.cleanVersion = document.version;
    }
    if (this.states) tracked.loaded = this.loadStored(document, tracked, textAtOpen ?? documentPieces(document));
    return tracked;
  }

  private onDidSaveDocument(document: vscode.TextDocument): void {
    const tracked = this.documents.get(document.uri.toString());
    if (!tracked) return;
    tracked.clean = !document.isDirty;
    // Taken once for every consumer of the save; never a large document's whole text.
    const text = isLargeDocument(document) ? undefined : document.getText();
    if (tracked.clean && text !== undefined) this.cleanTexts.noteClean(document, text);
    else this.cleanTexts.forget(document.uri.toString());
    tracked.cleanVersion = tracked.clean && text !== undefined ? document.version : undefined;
    if (text !== undefined) this.saveEmitter.fire({ document, text });
  }

  /**
   * `textAtOpen`: the text the stored spans are read over, as it was when this document was opened.
   * A large one is read only if it has stored state, a piece at a time (documentPieces).
   */
  private async loadStored(document: vscode.TextDocument, tracked: TrackedDocument, textAtOpen: string | ReturnType<typeof documentPieces>): Promise<void> {
    const key = document.uri.toString();
    let spans: AttributedSpan[] | undefined;
    let storedBase: StoredBase | undefined;
    const eventsDuringLoad = tracked.pending ?? [];
    /** The ledger was empty at this revision: nothing of the store was known yet. */
    const empty = { spans: [], revision: tracked.revision };
    try {
      const loaded = await this.states?.load(document, textAtOpen);
      spans = loaded?.spans;
      storedBase = loaded?.base;
    } catch (error) {
      if (error instanceof TextChangedError && this.documents.get(key) === tracked) {
        // Edited while its pieces were read: the ledger takes the changes made meanwhile now (an AI
        // edit keeps its author), and the stored spans are read over the current text and merged with them.
        this.log.info(`${vscode.workspace.asRelativePath(document.uri)} changed while its stored attribution loaded; the ${eventsDuringLoad.length} change(s) made meanwhile are merged with it`);
        this.takeQueued(tracked, eventsDuringLoad);
        if (eventsDuringLoad.length > 0) this.changed(document);
        await this.readStored(tracked, empty).catch((again: unknown) => this.log.warn(`Could not load the stored attribution of ${document.uri.fsPath}: ${errorMessage(again)}`));
        return;
      }
      this.log.warn(`Could not load the stored attribution of ${document.uri.fsPath}: ${errorMessage(error)}`);
    }
    if (this.documents.get(key) !== tracked) return;
    tracked.storedBase = storedBase;
    if (spans && spans.length > 0) {
      tracked.ledger = AttributionLedger.fromSpans(spans);
      recordIds(tracked.storedIds, spans);
    }
    this.takeQueued(tracked, eventsDuringLoad);
    if (spans && spans.length > 0) this.log.info(`Restored ${spans.length} AI span(s) of ${vscode.workspace.asRelativePath(document.uri)}`);
    if (eventsDuringLoad.some((change) => 'mark' in change)) this.changed(document);
    else if (spans && spans.length > 0) this.fireChange(tracked);
  }

  /** The ledger takes the changes queued while the stored state loaded, in order, and follows the document from now on. */
  private takeQueued(tracked: TrackedDocument, queued: readonly PendingChange[]): void {
    tracked.pending = undefined;
    for (const change of queued) {
      if ('edit' in change) this.apply(tracked, change.edit, change.author);
      else this.applyMark(tracked, change.mark, change.author);
    }
    tracked.lineCount = tracked.document.lineCount;
    this.noteSpans(tracked);
  }

  private onDidChangeDocument(event: vscode.TextDocumentChangeEvent): void {
    if (event.contentChanges.length === 0) {
      // A change of the dirty state alone (a save, a revert to what is saved).
      const tracked = this.documents.get(event.document.uri.toString());
      if (tracked) tracked.clean = !event.document.isDirty;
      return;
    }
    const tracked = this.track(event.document);
    if (!tracked) return;
    let changes: TextReplacement[] = event.contentChanges.map((change) => ({ offset: change.rangeOffset, deletedLength: change.rangeLength, insertedText: change.text }));
    let ranges = event.contentChanges.map((change) => change.range);
    let replacedTexts: readonly string[] | undefined;
    let revertedTo: AttributedSpan[] | undefined;
    let kept: ReturnType<CleanDocumentTexts['afterCleanChange']>;
    const typing = looksLikeTyping(changes);
    const reason = event.reason === vscode.TextDocumentChangeReason.Undo ? 'undo' : event.reason === vscode.TextDocumentChangeReason.Redo ? 'redo' : undefined;
    const wasClean = tracked.clean;
    tracked.clean = !event.document.isDirty;
    if (tracked.clean && !isLargeDocument(event.document)) {
      // Clean after the change: maybe a reload from disk (clean before too), reported as one change
      // across every line between the first and the last that differ. The ledger, the classifier and
      // the detectors take the changes it really made, so spans and a person's lines between them stay.
      // A keystroke-sized one needs no narrowing, but the text kept for the next must be the file's.
      // (Typing reaches here once per save at most: the first keystroke after it can read as clean.)
      const reported = wasClean && !typing && reason === undefined && changes.length === 1 ? { change: changes[0], range: ranges[0] } : undefined;
      kept = this.cleanTexts.afterCleanChange(event.document, reported);
    }
    let fileChangedSinceSave: DocumentEdit['fileChangedSinceSave'];
    if (kept) {
      if (kept.narrowed) ({ changes, ranges, replacedTexts } = kept.narrowed);
      // Revert File of unsaved edits is one change across every line between the first and the
      // last edited: the AI lines between them go back to the spans they had at the save instead.
      const atClean = tracked.spansAtClean;
      const reverted = reason === undefined && atClean !== undefined && atClean.version === tracked.cleanVersion && tracked.version !== atClean.version && !tracked.pending;
      if (reverted && kept.sameAsKept) revertedTo = atClean.spans;
      else if (reverted && !wasClean && kept.keptBefore !== undefined) {
        // Reverted to a file another program (or git) wrote while the document had unsaved edits:
        // the spans of the saved text move onto the file's, and what the file gained since the
        // save goes to the detectors as a reload of the saved text would (AI or not, on its evidence).
        const saved = kept.keptBefore;
        revertedTo = reanchorSpans(saved, kept.text, atClean.spans);
        const sinceSave = computeTextReplacements(saved, kept.text);
        fileChangedSinceSave = { changes: sinceSave, replacedTexts: sinceSave.map((change) => saved.slice(change.offset, change.offset + change.deletedLength)) };
      }
      tracked.cleanVersion = event.document.version;
    } else if (tracked.version === tracked.cleanVersion && !tracked.pending) {
      // The first edit of the text kept as the file's: the spans it had, for a revert (once per save).
      tracked.spansAtClean = { version: tracked.version, spans: tracked.ledger.spans() };
    }
    const versionBefore = tracked.version;
    // One event is one version step; a gap (a change this window did not see) counts the document again.
    tracked.length =
      tracked.length !== undefined && event.document.version === versionBefore + 1
        ? tracked.length + changes.reduce((sum, change) => sum + change.insertedText.length - change.deletedLength, 0)
        : documentLength(event.document);
    tracked.version = event.document.version;
    const edit: DocumentEdit = {
      document: event.document,
      key: event.document.uri.toString(),
      changes,
      ranges,
      lengthAfter: tracked.length,
      reason,
      typing,
      at: Date.now(),
      replacedTexts,
      fileChangedSinceSave,
    };
    // A revert goes back in the document's history, as an undo does.
    const decision: ReturnType<AttributionService['decide']> = revertedTo ? { author: HUMAN, decidedBy: 'history', classification: undefined } : this.decide(edit);
    const lineBefore = this.editedLineBefore(tracked, edit);
    tracked.editedLine = undefined;
    const previousLineAfter = tracked.lineAfter;
    tracked.lineAfter = undefined;
    // Edits queued while the stored state loads count as changes: the load publishes the result.
    let effect = { spansAffected: true, linesMoved: true, blocksKept: false };
    let lineAfter: TextLineAt | undefined;
    let lineChange: AppliedEdit['lineChange'];
    if (tracked.pending) {
      tracked.pending.push({ edit, author: decision.author });
    } else {
      const spanCountBefore = tracked.ledger.spanCount;
      const spansBefore = lineBefore && tracked.ledger.spansInRange(Math.max(0, lineBefore.start - 1), lineBefore.start + lineBefore.text.length + 2);
      this.apply(tracked, edit, decision.author);
      const restored = revertedTo !== undefined && this.restoreRevertedSpans(tracked, revertedTo);
      const { spansAffected: editAffectedSpans, linesMoved } = this.effectOf(tracked, edit, decision.author, spanCountBefore);
      const spansAffected = editAffectedSpans || restored;
      let blocksKept = !spansAffected && !linesMoved;
      if (lineBefore && spansBefore) {
        const document = event.document;
        // The line the edit left (or the two a typed line break made), joined by '\n'.
        const { line, start, lines, textAfter } = lineBefore;
        const last = lines === 1 ? textAfter : textAfter.slice(textAfter.indexOf('\n') + 1);
        tracked.editedLine = { line: line + lines - 1, start: start + textAfter.length - last.length, text: last };
        if (lines === 1) lineAfter = { line, start, end: line + 1 < document.lineCount ? start + last.length + eolLength(document) : start + last.length, text: last };
        // Touching no span is not enough when the line itself decides how AI lines group: a blank
        // line between AI lines filled or emptied, or a line holding AI text that a person's
        // character makes mixed (beside a blank line). The line rule decides those.
        if (blocksKept && lines === 1) {
          const regroups =
            isBlankLine(lineBefore.text) !== isBlankLine(textAfter)
              ? betweenAiLines(tracked.ledger, document, line)
              : spansBefore.some((span) => span.start < start + lineBefore.text.length && span.end > start);
          if (regroups) blocksKept = false;
        }
        if (!blocksKept && decision.author.kind === 'human') {
          // The lines beside it are the same before and after (the edit stayed inside its line).
          const besideBlankLine = (line > 0 && isBlankLine(document.lineAt(line - 1).text)) || (line + lines < document.lineCount && isBlankLine(document.lineAt(line + lines).text));
          const spansBeside = lines === 2 ? spansBesideLines(tracked.ledger, document, line, start) : undefined;
          const after: LineWithSpans = { lineText: textAfter, lineStart: start, spans: tracked.ledger.spansInRange(Math.max(0, start - 1), start + textAfter.length + 2), besideBlankLine, spansBeside };
          const lineAsItWas: LineWithSpans = { lineText: lineBefore.text, lineStart: start, spans: spansBefore, besideBlankLine };
          const before = previousLineAfter && sameLineWithSpans(previousLineAfter, lineAsItWas) ? previousLineAfter : lineAsItWas;
          if (lines === 1) {
            // Left to the line rule, asked once per run of typing by whoever keeps a count (see lineChange).
            lineChange = { before, after };
            tracked.lineAfter = after;
          } else blocksKept = editKeepsReviewBlocks(before, after);
        }
      }
      effect = { spansAffected, linesMoved, blocksKept };
      this.changed(event.document, spansAffected);
    }
    // Written out rather than spread: one object shape per keystroke for every listener, built without copying.
    this.editEmitter.fire({
      document: edit.document,
      key: edit.key,
      changes: edit.changes,
      ranges: edit.ranges,
      lengthAfter: edit.lengthAfter,
      reason: edit.reason,
      typing: edit.typing,
      at: edit.at,
      replacedTexts: edit.replacedTexts,
      fileChangedSinceSave: edit.fileChangedSinceSave,
      author: decision.author,
      decidedBy: decision.decidedBy,
      classification: decision.classification,
      spansAffected: effect.spansAffected,
      linesMoved: effect.linesMoved,
      blocksKept: effect.blocksKept,
      versionBefore,
      lineAfter,
      lineChange,
    });
  }

  /**
   * After the document took its file's text (Revert File), given as one change across every line
   * between the first and the last edited: the spans the saved text had (moved onto the file's
   * text when another program changed the file since) that the change dropped come back as they
   * were then. Spans the change left stand as they are now (a review since); true when any came back.
   */
  private restoreRevertedSpans(tracked: TrackedDocument, spansAtSave: readonly AttributedSpan[]): boolean {
    const now = tracked.ledger.spans();
    const ids = new Set(now.map((span) => span.id));
    const dropped = spansAtSave.filter((span) => !ids.has(span.id) && !now.some((other) => other.start < span.end && span.start < other.end));
    if (dropped.length === 0) return false;
    tracked.ledger = AttributionLedger.fromSpans([...now, ...dropped].sort((a, b) => a.start - b.start));
    this.log.info(`${vscode.workspace.asRelativePath(tracked.document.uri)} took its file's text: ${dropped.length} AI span(s) it had at its save restored`);
    return true;
  }

  /**
   * Whether an applied edit can have changed more than the spans' offsets: the typing fast path's
   * second half, so that a keystroke away from every span costs no recount of marks or blocks.
   * Looks only at the edit's surroundings (a few ledger lookups), never at the whole document:
   * - no line break added or removed: a span cut, removed or right next to the edit;
   * - line breaks typed: a span on the lines of the edit (a block could split there);
   * - line breaks removed: a span on the lines of the edit or next to them (blocks could join).
   */
  private effectOf(tracked: TrackedDocument, edit: DocumentEdit, author: EditAuthor, spanCountBefore: number): { spansAffected: boolean; linesMoved: boolean } {
    const document = edit.document;
    const lineDelta = document.lineCount - tracked.lineCount;
    const linesMoved = lineDelta !== 0 || edit.changes.some((change) => change.insertedText.includes('\n'));
    tracked.lineCount = document.lineCount;
    if (author.kind === 'ai' || edit.reason !== undefined || edit.changes.length !== 1) return { spansAffected: true, linesMoved };
    const ledger = tracked.ledger;
    if (ledger.spanCount !== spanCountBefore) return { spansAffected: true, linesMoved };
    if (ledger.spanCount === 0) return { spansAffected: false, linesMoved };
    // Offsets before the change are the same in the new text; the inserted text ends at offset + its length.
    const [change] = edit.changes;
    const insertedEnd = change.offset + change.insertedText.length;
    if (!linesMoved) return { spansAffected: ledger.spansInRange(Math.max(0, change.offset - 1), insertedEnd + 1).length > 0, linesMoved };
    const around = change.deletedLength > 0 ? 1 : 0;
    // The edit's lines in the text after it: its range's lines, plus those it added (see DocumentEdit.ranges).
    const [range] = edit.ranges;
    const firstLine = Math.max(0, range.start.line - around);
    const lastLine = Math.min(document.lineCount - 1, range.end.line + lineDelta + around);
    const from = document.offsetAt(new vscode.Position(firstLine, 0));
    const to = document.offsetAt(document.lineAt(lastLine).rangeIncludingLineBreak.end);
    return { spansAffected: ledger.spansInRange(Math.max(0, from - 1), to + 1).length > 0, linesMoved };
  }

  /**
   * The line a change inside one line edited, as it was before it: from the line as it is now
   * (typing: the inserted text taken out), or, when the change deleted text, from the line as the
   * previous change left it; `lines`: 2 when it typed a line break (in a '\n' document);
   * `textAfter`: the line (or the two, joined by '\n') as it is now. Undefined for changes across
   * lines, several changes and undo/redo.
   */
  private editedLineBefore(tracked: TrackedDocument, edit: DocumentEdit): { line: number; start: number; text: string; lines: 1 | 2; textAfter: string } | undefined {
    // Without spans there are no blocks to keep (and a person's edit makes none).
    if (edit.reason !== undefined || edit.changes.length !== 1 || tracked.pending || tracked.ledger.spanCount === 0) return undefined;
    const [change] = edit.changes;
    const document = edit.document;
    const position = edit.ranges[0].start;
    const start = change.offset - position.character;
    const column = position.character;
    const breaks = lineBreaksIn(change.insertedText);
    if (breaks > 0) {
      // A typed line break (Enter, with its indentation): the two lines it made, with the inserted text taken out.
      const typedBreak = breaks === 1 && change.deletedLength === 0 && !change.insertedText.includes('\r') && document.eol === vscode.EndOfLine.LF && document.lineCount === tracked.lineCount + 1;
      if (!typedBreak) return undefined;
      const joined = `${document.lineAt(position.line).text}\n${document.lineAt(position.line + 1).text}`;
      return { line: position.line, start, text: joined.slice(0, column) + joined.slice(column + change.insertedText.length), lines: 2, textAfter: joined };
    }
    if (document.lineCount !== tracked.lineCount) return undefined;
    const now = document.lineAt(position.line).text;
    if (change.deletedLength === 0) return { line: position.line, start, text: now.slice(0, column) + now.slice(column + change.insertedText.length), lines: 1, textAfter: now };
    const previous = tracked.editedLine;
    if (!previous || previous.line !== position.line || previous.start !== start) return undefined;
    // The line before must be the line now with the change undone: same text around it, the right length.
    const fits =
      previous.text.length === now.length - change.insertedText.length + change.deletedLength &&
      previous.text.slice(0, column) === now.slice(0, column) &&
      previous.text.slice(column + change.deletedLength) === now.slice(column + change.insertedText.length);
    return fits ? { ...previous, lines: 1, textAfter: now } : undefined;
  }

  /**
   * Who made the edit, decided while the event happens (chat-editing documents and paste records
   * are gone a moment later). Typing into a dirty document is a person's, without asking anyone.
   */
  private decide(edit: DocumentEdit): Pick<AppliedEdit, 'author' | 'decidedBy' | 'classification'> {
    if (edit.reason !== undefined) return { author: HUMAN, decidedBy: 'history', classification: undefined };
    for (let index = this.aiWindows.length - 1; index >= 0; index--) {
      const window = this.aiWindows[index];
      if (window.documentUri === undefined || window.documentUri === edit.key) return { author: window.author, decidedBy: 'ai-window', classification: undefined };
    }
    // A clean document may be reloading from disk even by a keystroke-sized change: the classifier looks.
    if ((edit.typing && edit.document.isDirty) || !this.classifier) return { author: HUMAN, decidedBy: 'typing', classification: undefined };
    const classification = this.classifier(edit);
    return { author: classification.author ?? HUMAN, decidedBy: 'classifier', classification };
  }

  private applyMark(tracked: TrackedDocument, mark: { start: number; end: number; text: string }, author: EditAuthor): void {
    try {
      tracked.ledger.markRange(mark.start, mark.end, author, mark.text);
    } catch (error) {
      this.log.error(`A mark of ${tracked.document.uri.fsPath} made while its attribution loaded could not be applied: ${errorMessage(error)}`);
    }
  }

  private apply(tracked: TrackedDocument, edit: DocumentEdit, author: EditAuthor): void {
    tracked.revision++;
    try {
      if (edit.reason === 'undo') {
        if (!tracked.ledger.applyUndo(edit.changes)) this.log.debug('Undo did not match the attribution history; applied as a human edit');
        return;
      }
      if (edit.reason === 'redo') {
        if (!tracked.ledger.applyRedo(edit.changes)) this.log.debug('Redo did not match the attribution history; applied as a human edit');
        return;
      }
      tracked.ledger.applyChanges(edit.changes, author);
    } catch (error) {
      // The ledger refused the event (it changed nothing); start over rather than drift from the text.
      this.log.error(`Attribution of ${edit.document.uri.fsPath} could not follow an edit and was reset: ${errorMessage(error)}`);
      tracked.ledger = new AttributionLedger();
    }
  }

  /** Keeps `withSpans` in step with the ledger (after anything that may add or remove its spans). */
  private noteSpans(tracked: TrackedDocument): void {
    if (tracked.ledger.spanCount > 0 && this.documents.get(tracked.document.uri.toString()) === tracked) this.withSpans.add(tracked);
    else this.withSpans.delete(tracked);
  }

  /** Tells the viewers that a document's attribution changed. */
  private fireChange(tracked: TrackedDocument): void {
    this.noteSpans(tracked);
    this.changeEmitter.fire(tracked.document.uri);
  }

  /** After the ledger changed: tells the viewers (unless the spans only moved) and saves after a pause. */
  private changed(document: vscode.TextDocument, spansAffected = true): void {
    const tracked = this.documents.get(document.uri.toString());
    if (spansAffected) {
      if (tracked) this.fireChange(tracked);
      else this.changeEmitter.fire(document.uri);
    }
    this.scheduleSave(document, spansAffected);
  }

  private scheduleSave(document: vscode.TextDocument, urgent = true): void {
    if (!this.states || document.uri.scheme !== 'file') return;
    const tracked = this.documents.get(document.uri.toString());
    if (!tracked) return;
    // A move does not put off the save of a change.
    if (this.saveSoon.isPending(tracked) && tracked.saveUrgent && !urgent) return;
    tracked.saveUrgent = urgent;
    this.saveSoon.trigger(tracked, urgent ? SAVE_DELAY_MS : MOVED_SAVE_DELAY_MS);
  }

  /** Cancels the document's pending save; true when there was one (the caller saves now instead). */
  private takePendingSave(tracked: TrackedDocument): boolean {
    const pending = this.saveSoon.isPending(tracked);
    this.saveSoon.cancel(tracked);
    return pending;
  }

  private save(document: vscode.TextDocument): Promise<void> {
    const tracked = this.documents.get(document.uri.toString());
    if (!tracked || !this.states) return Promise.resolve();
    const saving = tracked.saving.then(() => this.saveNow(document, tracked));
    tracked.saving = saving;
    // Kept here too, since a closed document's tracking is forgotten before its last save ends.
    this.savesInFlight.add(saving);
    void saving.finally(() => this.savesInFlight.delete(saving));
    return saving;
  }

  private async saveNow(document: vscode.TextDocument, tracked: TrackedDocument): Promise<void> {
    if (!this.states) return;
    // Spans and text are taken together, synchronously, so they always describe the same version;
    // the text is read a piece at a time while the save writes it (a big document is never taken whole).
    const textAtSave = documentPieces(document);
    const before = this.snapshot(tracked);
    try {
      const saved = await this.states.save(document, before.spans, textAtSave, tracked.storedBase);
      recordIds(tracked.storedIds, before.spans);
      tracked.saveFailures = 0;
      if (saved) tracked.storedBase = saved.base;
      const merged = saved?.merged;
      if (!merged || this.documents.get(document.uri.toString()) !== tracked) return;
      // Another window or the CLI changed this file's spans: adopt the merge, so the next save does not undo their work.
      // The text at save time is needed only when the document moved on since; the merge read it whole, so whole() gives it back.
      const storedText = document.version !== before.version ? await textAtSave.whole() : '';
      if (this.documents.get(document.uri.toString()) !== tracked) return;
      this.adoptStored(tracked, before, storedText, merged, saved.base);
    } catch (error) {
      // Typed into while its text was read: the edit has scheduled the next save, which writes the new text.
      if (error instanceof TextChangedError) {
        if (this.documents.get(document.uri.toString()) === tracked && !document.isClosed) this.scheduleSave(document);
        return;
      }
      this.retryFailedSave(document, tracked, error);
    }
  }

  /** A save that failed is not dropped: what the ledger holds (a review, a mark) would otherwise reach the store only with the next change. */
  private retryFailedSave(document: vscode.TextDocument, tracked: TrackedDocument, error: unknown): void {
    const failures = ++tracked.saveFailures;
    const stillOpen = this.documents.get(document.uri.toString()) === tracked && !document.isClosed;
    if (!stillOpen || failures > MAX_SAVE_RETRIES) {
      this.log.error(`Could not save the attribution of ${document.uri.fsPath}: ${errorMessage(error)}${stillOpen ? `; gave up after ${failures} attempts (the next change saves again)` : ''}`);
      tracked.saveFailures = 0;
      return;
    }
    const delay = Math.min(MAX_SAVE_RETRY_DELAY_MS, 1_000 * 2 ** (failures - 1));
    this.log.warn(`Could not save the attribution of ${document.uri.fsPath}: ${errorMessage(error)}; trying again in ${delay / 1000} s`);
    // A change meanwhile schedules its own save sooner; this one only ensures a save comes.
    if (!this.saveSoon.isPending(tracked)) {
      tracked.saveUrgent = true;
      this.saveSoon.trigger(tracked, delay);
    }
  }

  private snapshot(tracked: TrackedDocument): LedgerSnapshot {
    return { spans: tracked.ledger.spans(), version: tracked.document.version, revision: tracked.revision };
  }

  /**
   * Replaces the ledger with spans read from the store over `storedText` (a reload, or the merge a
   * save came back with). What this window did while the store was busy is kept: the stored spans
   * move onto the current text, and when the ledger changed meanwhile (typing, a mark, a review)
   * the two are merged as two writers' saves are (core/workingState/merge.ts), with the ledger
   * as it was at `before` for the base; the result is saved again. `before.version` is the
   * version `storedText` had (it may be later than the base: a large document read again).
   */
  private adoptStored(tracked: TrackedDocument, before: LedgerSnapshot, storedText: string, stored: readonly AttributedSpan[], storedBase: StoredBase | undefined): void {
    const document = tracked.document;
    tracked.storedBase = storedBase;
    const textMoved = document.version !== before.version;
    recordIds(tracked.storedIds, stored);
    const theirs = textMoved ? reanchorSpans(storedText, document.getText(), stored) : stored;
    const ledgerMoved = textMoved || tracked.revision !== before.revision;
    tracked.ledger = AttributionLedger.fromSpans(ledgerMoved ? mergeSpans({ base: before.spans, ours: tracked.ledger.spans(), theirs }) : theirs);
    this.fireChange(tracked);
    if (ledgerMoved) this.scheduleSave(document);
  }

  private onDidCloseDocument(document: vscode.TextDocument): void {
    const key = document.uri.toString();
    const tracked = this.documents.get(key);
    if (!tracked) return;
    if (this.takePendingSave(tracked)) {
      void this.save(document).finally(() => this.forget(key, tracked));
    } else {
      this.forget(key, tracked);
    }
  }

  private forget(key: string, tracked: TrackedDocument): void {
    if (this.documents.get(key) === tracked) {
      this.documents.delete(key);
      this.cleanTexts.forget(key);
    }
    this.withSpans.delete(tracked);
  }

  dispose(): void {
    this.disposables.dispose();
  }
}

function recordIds(ids: Set<string>, spans: readonly AttributedSpan[]): void {
  for (const span of spans) ids.add(span.id);
}

/** How far betweenAiLines looks for the nearest line that is not blank; beyond it, it answers yes. */
const NEAREST_TEXT_LINES = 64;

/**
 * Whether the nearest lines above and below `line` that are not blank both hold AI text: only then
 * can `line` becoming blank, or no longer blank, join or split blocks (blank lines join only AI
 * lines on both sides of them). Yes when no such line is found within NEAREST_TEXT_LINES.
 */
function betweenAiLines(ledger: AttributionLedger, document: vscode.TextDocument, line: number): boolean {
  const holdsAi = (other: number): boolean | undefined => {
    const range = document.lineAt(other).range;
    if (range.isEmpty || isBlankLine(document.lineAt(other).text)) return undefined;
    return ledger.spansInRange(document.offsetAt(range.start), document.offsetAt(range.end)).length > 0;
  };
  const nearest = (step: 1 | -1): boolean => {
    for (let other = line + step, seen = 0; other >= 0 && other < document.lineCount; other += step, seen++) {
      if (seen === NEAREST_TEXT_LINES) return true;
      const ai = holdsAi(other);
      if (ai !== undefined) return ai;
    }
    return false;
  };
  return nearest(-1) && nearest(1);
}

/**
 * After a line break typed in `line` (which starts at `lineStart`): whether the line above the two
 * lines it made, and the line below them, have a span on them (their line break included).
 */
function spansBesideLines(ledger: AttributionLedger, document: vscode.TextDocument, line: number, lineStart: number): { above: boolean; below: boolean } {
  const above = line > 0 && ledger.spansInRange(document.offsetAt(new vscode.Position(line - 1, 0)), lineStart).length > 0;
  let below = false;
  if (line + 2 < document.lineCount) {
    const range = document.lineAt(line + 2).rangeIncludingLineBreak;
    below = ledger.spansInRange(document.offsetAt(range.start), document.offsetAt(range.end)).length > 0;
  }
  return { above, below };
}

/** The same line and spans, field by field (a span read from the ledger is a new object each time). */
function sameLineWithSpans(a: LineWithSpans, b: LineWithSpans): boolean {
  if (a.lineText !== b.lineText || a.lineStart !== b.lineStart || a.besideBlankLine !== b.besideBlankLine || a.spansBeside !== b.spansBeside || a.spans.length !== b.spans.length) return false;
  return a.spans.every((span, index) => sameSpanFields(span, b.spans[index]));
}

function sameSpanFields(a: AttributedSpan, b: AttributedSpan): boolean {
  return (
    a.id === b.id &&
    a.start === b.start &&
    a.end === b.end &&
    a.origin === b.origin &&
    a.confidence === b.confidence &&
    a.insertedAt === b.insertedAt &&
    a.insertedTextHash === b.insertedTextHash &&
    a.insertedLength === b.insertedLength &&
    a.humanChangedChars === b.humanChangedChars &&
    a.review === b.review
  );
}

import * as vscode from 'vscode';
import type { EditAuthor, TextReplacement } from '../../core/attribution';
import { agentOfDiffTab, CHAT_EDITING_SCHEMES, chatSessionFromQuery } from '../../core/detection/agentSignals';
import {
  classifyChange,
  insertedContentChars,
  insertedRangesAfter,
  looksLikeTyping,
  mapRangeThroughChanges,
  subtractRanges,
  type ChangeSignals,
  type ChangeVerdict,
  type DetectionSwitches,
  type OffsetRange,
} from '../../core/detection/changeClassification';
import type { AttributionService } from '../attributionService';
import { isTrackableDocument } from '../attributionService';
import type { RepositoryStates } from '../repositoryStates';
import { activeAiToolName, UNKNOWN_AI_TOOL } from './aiTools';
import type { GitActivity } from './gitActivity';
import type { PasteTracker } from './pasteTracker';
import { peekStoredState, spansForExactText } from './storedStatePeek';

/** How long to wait after a change in a hidden document for the rest of its batch (a rename touches several documents). */
const BATCH_SETTLE_MS = 80;
/** How long to wait after a reload from disk for git's traces and for an explicit report (`vouch mark`). */
const RELOAD_SETTLE_MS = 1_500;
/** A disk change and a reload this close together belong together; a save this close explains a disk change. */
const DISK_EVIDENCE_MS = 2_500;
/** A save participant that never reports back stops counting after this long. */
const SAVE_PARTICIPANT_TIMEOUT_MS = 10_000;

export interface DetectorSwitchesSource {
  (): DetectionSwitches & { readonly savesWithoutParticipants: boolean };
}

/** An AI verdict that waits for more evidence; its ranges follow the document's later edits. */
interface PendingMark {
  readonly documentUri: string;
  ranges: OffsetRange[];
  readonly verdict: Extract<ChangeVerdict, { author: 'ai' }>;
  /** For a possible reload: the verdict if it turns out to be an ordinary edit (the first edit of a clean document looks the same). */
  readonly unlessReload?: ChangeVerdict;
  readonly at: number;
  readonly batch: number;
}

/** Bulk changes in a visible editor that no detector claimed, kept until the next save. */
interface UnclaimedBulk {
  ranges: OffsetRange[];
}

function toReplacements(event: vscode.TextDocumentChangeEvent): TextReplacement[] {
  return event.contentChanges.map((change) => ({ offset: change.rangeOffset, deletedLength: change.rangeLength, insertedText: change.text }));
}

/**
 * Chat, agent and outside-write detection by what the editor shows around an edit (never by a
 * proposed API):
 * - chat-editing documents open for the file (Copilot chat/agent edits): AI `chat`, high;
 * - a diff tab of a known agent extension shows the file: AI `agent`, high;
 * - big edits to a document in no visible editor, not part of a rename-like batch: AI `agent`, medium;
 * - a clean document reloaded from disk while git is idle: AI `external-write`, medium, unless an
 *   explicit report (`vouch mark`) already covers the text;
 * - a save that skipped the save participants (how chat editing saves): the bulk edits since the
 *   last save become AI `agent`, medium.
 * Pastes, save participants (format on save), git operations, typing and rename-like batches are
 * never AI. Undo/redo never reaches here: the ledger restores them.
 */
export class HeuristicDetector implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly dirtyByDocument = new Map<string, boolean>();
  private readonly savingSince = new Map<string, number>();
  private readonly pending: PendingMark[] = [];
  private readonly unclaimedBulk = new Map<string, UnclaimedBulk>();
  /** Times of changes to visible documents that were not keystrokes: the batch signal. */
  private readonly visibleBulkChangeTimes: number[] = [];
  private batchCounter = 0;
  /** When each file last changed on disk (file watcher) and when this editor last saved it. */
  private readonly diskChangedAt = new Map<string, number>();
  private readonly savedAt = new Map<string, number>();
  /** Paste verdicts of events, taken once (by whichever of the classifier and the listener sees the event first). */
  private readonly pastedEvents = new WeakMap<vscode.TextDocumentChangeEvent, boolean>();
  /**
   * In-event verdicts, taken when the event happens: the AttributionService may consult its
   * classifiers later (it replays events that arrive while a document's stored state loads), when
   * the chat-editing document may already be gone.
   */
  private readonly eventAuthors = new WeakMap<vscode.TextDocumentChangeEvent, EditAuthor | undefined>();

  constructor(
    private readonly service: AttributionService,
    private readonly states: RepositoryStates | undefined,
    private readonly pastes: PasteTracker,
    private readonly gitActivity: GitActivity,
    private readonly switches: DetectorSwitchesSource,
    private readonly log: vscode.LogOutputChannel,
    /** Brings in explicit reports (`vouch mark`) already in the working state, before a reload is marked. */
    private readonly pickUpReports: () => Promise<void> = () => Promise.resolve(),
  ) {
    for (const document of vscode.workspace.textDocuments) this.dirtyByDocument.set(document.uri.toString(), document.isDirty);
    const diskWatcher = vscode.workspace.createFileSystemWatcher('**/*', false, false, true);
    // Tools replace files as often as they rewrite them (write a temporary file, rename it over): both count.
    const noteDiskChange = (uri: vscode.Uri) => {
      if (vscode.workspace.textDocuments.some((document) => document.uri.toString() === uri.toString())) this.diskChangedAt.set(uri.toString(), Date.now());
    };
    this.disposables.push(
      diskWatcher,
      diskWatcher.onDidChange(noteDiskChange),
      diskWatcher.onDidCreate(noteDiskChange),
      service.addClassifier((event) => this.classifyInEvent(event)),
      // Registered after the AttributionService's own listener: the ledger has taken the event when this runs.
      vscode.workspace.onDidChangeTextDocument((event) => this.afterChange(event)),
      vscode.workspace.onDidOpenTextDocument((document) => this.dirtyByDocument.set(document.uri.toString(), document.isDirty)),
      vscode.workspace.onDidCloseTextDocument((document) => this.forget(document.uri.toString())),
      vscode.workspace.onWillSaveTextDocument((event) => this.savingSince.set(event.document.uri.toString(), Date.now())),
      vscode.workspace.onDidSaveTextDocument((document) => this.afterSave(document)),
    );
  }

  /**
   * Synchronous verdicts the ledger applies to the edit itself (so undo/redo restore them): chat
   * editing and agent diff tabs. Heuristic verdicts that need more evidence come later as marks.
   */
  private classifyInEvent(event: vscode.TextDocumentChangeEvent): EditAuthor | undefined {
    if (this.eventAuthors.has(event)) return this.eventAuthors.get(event);
    const author = this.decideInEvent(event);
    this.eventAuthors.set(event, author);
    return author;
  }

  private decideInEvent(event: vscode.TextDocumentChangeEvent): EditAuthor | undefined {
    if (event.reason !== undefined) return undefined;
    const changes = toReplacements(event);
    if (looksLikeTyping(changes)) return undefined;
    const verdict = this.verdictFor(event, changes, this.wasPasted(event));
    if (verdict.author !== 'ai' || (verdict.signal !== 'chat-editing-document' && verdict.signal !== 'agent-diff-tab')) return undefined;
    this.log.info(`${verdict.kind} edit of ${vscode.workspace.asRelativePath(event.document.uri)} recorded as AI (${verdict.signal}, ${verdict.tool ?? UNKNOWN_AI_TOOL})`);
    return {
      kind: 'ai',
      origin: { kind: verdict.kind, tool: verdict.tool ?? UNKNOWN_AI_TOOL, ...(verdict.session ? { session: verdict.session } : {}) },
      confidence: verdict.confidence,
    };
  }

  private verdictFor(event: vscode.TextDocumentChangeEvent, changes: TextReplacement[], pasted = false, mayBeReload = true): ChangeVerdict {
    const document = event.document;
    const key = document.uri.toString();
    const wasDirty = this.dirtyByDocument.get(key) ?? true;
    const mayBeReloaded = mayBeReload && document.uri.scheme === 'file' && !wasDirty && !document.isDirty;
    const diskChange = this.diskChangedAt.get(key);
    const saved = this.savedAt.get(key);
    const reloadLikely =
      mayBeReloaded && diskChange !== undefined && Date.now() - diskChange <= DISK_EVIDENCE_MS && (saved === undefined || Math.abs(saved - diskChange) > DISK_EVIDENCE_MS);
    const signals: ChangeSignals = {
      changes,
      pasted,
      inSaveParticipant: this.inSaveParticipant(key),
      gitOperation: false,
      partOfVisibleBatch: false,
      // A change that follows a disk change is judged as a reload (git, an outside program), even in a chat session.
      chatEditing: reloadLikely ? undefined : this.chatEditingOf(document.uri),
      agentDiffTab: reloadLikely ? undefined : this.agentDiffTabOf(document.uri),
      visible: vscode.window.visibleTextEditors.some((editor) => editor.document === document),
      reloadedFromDisk: mayBeReloaded,
      settings: this.switches(),
    };
    return classifyChange(signals);
  }

  private afterChange(event: vscode.TextDocumentChangeEvent): void {
    const key = event.document.uri.toString();
    if (event.contentChanges.length === 0) return;
    const changes = toReplacements(event);
    for (const mark of this.pending) if (mark.documentUri === key) mark.ranges = mark.ranges.flatMap((range) => mapRangeThroughChanges(range, changes));
    const bulk = this.unclaimedBulk.get(key);
    if (bulk) bulk.ranges = bulk.ranges.flatMap((range) => mapRangeThroughChanges(range, changes));
    try {
      if (!isTrackableDocument(event.document) || event.reason !== undefined) return;
      this.classifyInEvent(event);
      const visible = vscode.window.visibleTextEditors.some((editor) => editor.document === event.document);
      if (visible && !looksLikeTyping(changes)) this.noteVisibleBulkChange();
      const verdict = this.verdictFor(event, changes, this.wasPasted(event));
      if (verdict.author === 'ai' && (verdict.signal === 'hidden-editor' || verdict.signal === 'disk-reload')) {
        const unlessReload = verdict.signal === 'disk-reload' ? this.verdictFor(event, changes, this.wasPasted(event), false) : undefined;
        const mark: PendingMark = { documentUri: key, ranges: insertedRangesAfter(changes), verdict, unlessReload, at: Date.now(), batch: ++this.batchCounter };
        this.pending.push(mark);
        const delay = verdict.signal === 'disk-reload' ? RELOAD_SETTLE_MS : BATCH_SETTLE_MS;
        setTimeout(() => void this.settle(mark), delay);
      } else if (verdict.author === 'human' && verdict.reason === 'visible-editor' && insertedContentChars(changes) >= this.switches().minimumHeuristicChars) {
        // Kept in case a save that skips the save participants shows an agent made it.
        const entry = this.unclaimedBulk.get(key) ?? { ranges: [] };
        entry.ranges.push(...insertedRangesAfter(changes));
        this.unclaimedBulk.set(key, entry);
      }
    } finally {
      this.dirtyByDocument.set(key, event.document.isDirty);
    }
  }

  private wasPasted(event: vscode.TextDocumentChangeEvent): boolean {
    let pasted = this.pastedEvents.get(event);
    if (pasted === undefined) {
      pasted = this.pastes.consumeMatching(event);
      this.pastedEvents.set(event, pasted);
    }
    return pasted;
  }

  private noteVisibleBulkChange(): void {
    const now = Date.now();
    this.visibleBulkChangeTimes.push(now);
    while (this.visibleBulkChangeTimes.length > 0 && now - this.visibleBulkChangeTimes[0] > 5_000) this.visibleBulkChangeTimes.shift();
  }

  /** Decides a pending mark once its evidence is in; marks the ranges that survived and nothing else covers. */
  private async settle(mark: PendingMark): Promise<void> {
    const index = this.pending.indexOf(mark);
    if (index < 0) return;
    this.pending.splice(index, 1);
    const document = vscode.workspace.textDocuments.find((candidate) => candidate.uri.toString() === mark.documentUri);
    if (!document || mark.ranges.length === 0) return;
    const relativePath = vscode.workspace.asRelativePath(document.uri);
    if (this.gitActivity.isBusyAround(mark.at)) {
      this.log.info(`Change of ${relativePath} during a git operation: not AI`);
      return;
    }
    if (mark.verdict.signal === 'disk-reload' && !this.hasDiskEvidence(mark, document)) {
      // Not a reload after all: an ordinary edit of a clean document (which then is dirty, or was saved since), judged as such.
      const fallback = mark.unlessReload;
      const saved = this.savedAt.get(mark.documentUri);
      const edited = document.isDirty || (saved !== undefined && saved >= mark.at);
      if (edited && fallback?.author === 'ai' && fallback.signal === 'hidden-editor') await this.settle(this.requeue({ ...mark, verdict: fallback, unlessReload: undefined }));
      return;
    }
    const relative = vscode.workspace.asRelativePath(document.uri);
    if (mark.verdict.signal === 'hidden-editor') {
      if (this.visibleBulkChangeTimes.some((at) => Math.abs(at - mark.at) <= BATCH_SETTLE_MS)) {
        this.log.info(`Edit of ${relative} came with an edit to a visible document (a refactoring): not AI`);
        return;
      }
    } else {
      const located = this.states ? await this.states.storeOf(document.uri.fsPath) : undefined;
      if (located && (await this.gitActivity.diskMatchesIndex(located.repository, located.repoPath))) {
        this.log.info(`Reload of ${relative} brought back what the index holds (git restore/checkout): not AI`);
        return;
      }
      await this.pickUpReports();
      // An explicit report may be in the store before this window has taken it in: it covers its text too.
      const stored = this.states ? spansForExactText(await peekStoredState(this.states, document.uri.fsPath), document.getText()) : undefined;
      this.markUncovered(document, mark.ranges, mark.verdict, stored?.map((span) => ({ start: span.start, end: span.end })) ?? []);
      return;
    }
    this.markUncovered(document, mark.ranges, mark.verdict);
  }

  /** A reload comes with a disk change that this editor did not cause (a save), and leaves the document clean. */
  private hasDiskEvidence(mark: PendingMark, document: vscode.TextDocument): boolean {
    const diskChange = this.diskChangedAt.get(mark.documentUri);
    const saved = this.savedAt.get(mark.documentUri);
    if (diskChange === undefined || Math.abs(diskChange - mark.at) > DISK_EVIDENCE_MS || document.isDirty) return false;
    return saved === undefined || Math.abs(saved - diskChange) > DISK_EVIDENCE_MS;
  }

  private requeue(mark: PendingMark): PendingMark {
    this.pending.push(mark);
    return mark;
  }

  private markUncovered(document: vscode.TextDocument, ranges: readonly OffsetRange[], verdict: Extract<ChangeVerdict, { author: 'ai' }>, alsoCovered: readonly OffsetRange[] = []): void {
    const covered = [...this.service.spansOf(document.uri).map((span) => ({ start: span.start, end: span.end })), ...alsoCovered];
    const tool = verdict.signal === 'hidden-editor' ? activeAiToolName() : (verdict.tool ?? UNKNOWN_AI_TOOL);
    const author: EditAuthor = { kind: 'ai', origin: { kind: verdict.kind, tool, ...(verdict.session ? { session: verdict.session } : {}) }, confidence: verdict.confidence };
    const text = document.getText();
    const pieces = ranges.flatMap((range) => subtractRanges(range, covered)).filter((piece) => piece.end <= text.length);
    const wasCovered = pieces.reduce((sum, piece) => sum + piece.end - piece.start, 0) < ranges.reduce((sum, range) => sum + range.end - range.start, 0);
    const remaining = insertedContentChars(pieces.map((piece) => ({ offset: 0, deletedLength: 0, insertedText: text.slice(piece.start, piece.end) })));
    // What an explicit report (`vouch mark`) left over is judged by the same threshold.
    if (wasCovered && remaining < this.switches().minimumHeuristicChars) return;
    let marked = 0;
    for (const piece of pieces) {
      this.service.markRange(document, new vscode.Range(document.positionAt(piece.start), document.positionAt(piece.end)), author);
      marked += piece.end - piece.start;
    }
    if (marked > 0) this.log.info(`${marked} characters of ${vscode.workspace.asRelativePath(document.uri)} recorded as AI (${verdict.kind}, ${verdict.signal}, ${verdict.confidence} confidence)`);
  }

  private afterSave(document: vscode.TextDocument): void {
    const key = document.uri.toString();
    const ranParticipants = this.savingSince.delete(key);
    this.savedAt.set(key, Date.now());
    this.dirtyByDocument.set(key, document.isDirty);
    const bulk = this.unclaimedBulk.get(key);
    this.unclaimedBulk.delete(key);
    if (ranParticipants || !bulk || bulk.ranges.length === 0) return;
    const switches = this.switches();
    if (!switches.savesWithoutParticipants) return;
    // Only VS Code's chat editing (and code that asks for it) saves without running save participants.
    this.log.info(`${vscode.workspace.asRelativePath(document.uri)} was saved without save participants: its unclaimed bulk edits are an agent's`);
    this.markUncovered(document, bulk.ranges, { author: 'ai', kind: 'agent', confidence: 'medium', signal: 'hidden-editor', tool: activeAiToolName() });
  }

  private inSaveParticipant(key: string): boolean {
    const since = this.savingSince.get(key);
    if (since === undefined) return false;
    if (Date.now() - since > SAVE_PARTICIPANT_TIMEOUT_MS) {
      this.savingSince.delete(key);
      return false;
    }
    return true;
  }

  /** A chat-editing document for this file (same path) is open: the file is in a chat editing session. */
  private chatEditingOf(uri: vscode.Uri): { session?: string; tool: string } | undefined {
    if (uri.scheme !== 'file' && uri.scheme !== 'vscode-remote') return undefined;
    for (const candidate of vscode.workspace.textDocuments) {
      if (!CHAT_EDITING_SCHEMES.includes(candidate.uri.scheme) || candidate.uri.path !== uri.path) continue;
      const session = chatSessionFromQuery(candidate.uri.query);
      return { tool: activeAiToolName(), ...(session ? { session } : {}) };
    }
    return undefined;
  }

  /** A diff tab of a known agent extension whose modified side is this file. */
  private agentDiffTabOf(uri: vscode.Uri): { tool: string } | undefined {
    const key = uri.toString();
    for (const group of vscode.window.tabGroups.all) {
      for (const tab of group.tabs) {
        if (!(tab.input instanceof vscode.TabInputTextDiff) || tab.input.modified.toString() !== key) continue;
        const tool = agentOfDiffTab({ label: tab.label, originalScheme: tab.input.original.scheme, modifiedScheme: tab.input.modified.scheme });
        if (tool) return { tool };
      }
    }
    return undefined;
  }

  private forget(key: string): void {
    this.dirtyByDocument.delete(key);
    this.diskChangedAt.delete(key);
    this.savedAt.delete(key);
    this.savingSince.delete(key);
    this.unclaimedBulk.delete(key);
  }

  dispose(): void {
    for (const disposable of this.disposables) disposable.dispose();
  }
}

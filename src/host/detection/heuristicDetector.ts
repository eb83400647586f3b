import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { EditAuthor, TextReplacement } from '../../core/attribution';
import { agentOfDiffTab, CHAT_EDITING_SCHEMES, chatSessionFromQuery } from '../../core/detection/agentSignals';
import { classifyBurst, type BurstEvent } from '../../core/detection/burstClassification';
import {
  classifyChange,
  insertedContentChars,
  insertedRangesAfter,
  mapRangeThroughChanges,
  subtractRanges,
  type ChangeSignals,
  type ChangeVerdict,
  type OffsetRange,
} from '../../core/detection/changeClassification';
import { nameIfOnlyCandidate, unknownTool, type ToolNaming } from '../../core/detection/toolNaming';
import type { AppliedEdit, AttributionService, DocumentEdit, EditClassification } from '../attributionService';
import type { LocatedFile, RepositoryRegistry } from '../repositoryRegistry';
import type { DetectionSettings } from '../settings';
import type { AiToolCatalog } from './aiTools';
import type { GitActivity } from './gitActivity';
import type { EditorSaveMarks } from './editorSaveMarks';
import type { PasteTracker } from './pasteTracker';
import { peekStoredState, spansForExactText } from './storedStatePeek';
import { newWordChars } from '../../core/detection/reloadChanges';
import { Debouncer, DisposableStore } from '../lifecycle';
import type { WorkingTreeWrite } from './workingTreeWatcher';
import { isLargeDocument } from '../documentText';
import { readWorkingTreeText } from '../../git/repository';

/** An edit to a hidden document this close to a bulk edit of a visible one is part of the same refactoring (a rename touches several documents). */
const BATCH_WINDOW_MS = 80;
/** A burst of edits to a hidden document ends after this long without another edit (agents stream tens of milliseconds apart). */
const BURST_QUIET_MS = 750;
/** Text of a burst too small alone counts with the document's next burst this long after it (a stream that paused, a slow machine). */
const CARRY_MS = 10_000;
/** How long to wait after a reload from disk for git's traces and for an explicit report (`vouch mark`). */
const RELOAD_SETTLE_MS = 1_500;
/**
 * A disk change and a reload this close together belong together; a save this close explains a
 * reload that adds no new words (a formatter the save ran: see PendingReload.formatLike).
 */
const DISK_EVIDENCE_MS = 2_500;
/** A save participant that never reports back stops counting after this long. */
const SAVE_PARTICIPANT_TIMEOUT_MS = 10_000;

/** The author a verdict of AI names. */
function aiAuthor(verdict: Pick<Extract<ChangeVerdict, { author: 'ai' }>, 'kind' | 'confidence' | 'session'>, naming: ToolNaming): EditAuthor {
  return { kind: 'ai', origin: { kind: verdict.kind, ...naming, ...(verdict.session ? { session: verdict.session } : {}) }, confidence: verdict.confidence };
}

/** When the file was last written (its modification time), if it can be read. */
function fileModifiedAt(uri: vscode.Uri): number | undefined {
  try {
    return fs.statSync(uri.fsPath).mtimeMs;
  } catch {
    return undefined;
  }
}

/** A reload verdict that waits for more evidence; its ranges follow the document's later edits. */
interface PendingReload {
  readonly documentUri: string;
  ranges: OffsetRange[];
  readonly verdict: Extract<ChangeVerdict, { author: 'ai' }>;
  /** The document was in no visible editor: if it was not a reload after all, its text joins the document's burst. */
  readonly hidden: boolean;
  readonly at: number;
  /**
   * The reload inserts fewer new words than count as AI (re-spacing, punctuation, lines moved), or
   * what it replaced is unknown: right after a save, a formatter the save ran outside the editor.
   * Another program's new code written right after a save is not taken for one.
   */
  readonly formatLike: boolean;
  /**
   * A revert's verdict (the document took its file's text, which another program had changed):
   * that text, so the verdict is recorded in the working state if the document closes before it
   * settles (closing with Don't Save reverts the document, then closes it).
   */
  readonly takenFileText?: string;
}

interface BurstEntry extends BurstEvent {
  readonly at: number;
}

/** The edits a hidden document receives until a quiet gap or a save, decided together. */
interface Burst {
  readonly documentUri: string;
  readonly textBefore: string | undefined;
  readonly events: BurstEntry[];
  /** Text of edits decided late (a reload that was none), already in the current coordinates. */
  lateRanges: OffsetRange[];
}

/** Bulk changes in a visible editor that no detector claimed, kept until the next save. */
interface UnclaimedBulk {
  ranges: OffsetRange[];
}

/**
 * Chat, agent and outside-write detection by what the editor shows around an edit (never by a
 * proposed API). It classifies each edit for the AttributionService while the event happens and
 * follows the applied edits it publishes:
 * - chat-editing documents open for the file (Copilot chat/agent edits): AI `chat`, high;
 * - a diff tab of a known agent extension shows the file: AI `agent`, high;
 * - a burst of edits to a document in no visible editor (streamed, delete-then-stream, several
 *   files at once), big enough over the burst, not rename- or format-like, not part of an edit that
 *   also changed a visible document: AI `agent`, medium;
 * - a clean document reloaded from disk while git is idle: AI `external-write`, medium, unless an
 *   explicit report (`vouch mark`) already covers the text;
 * - a save that skipped the save participants (how chat editing saves): the bulk edits since the
 *   last save become AI `agent`, medium.
 * Pastes, save participants (format on save), git operations, typing and rename-like batches are
 * never AI. Undo/redo are the ledger's: its history restores them.
 * A tool is named only when the signal names it; otherwise `unknown-ai` with the active AI tools
 * as candidates.
 */
export class HeuristicDetector implements vscode.Disposable {
  private readonly disposables = new DisposableStore();
  private readonly dirtyByDocument = new Map<string, boolean>();
  private readonly savingSince = new Map<string, number>();
  private readonly pendingReloads: PendingReload[] = [];
  private readonly bursts = new Map<string, Burst>();
  /** Per hidden document: the counted text of its last bursts that were too small alone, until `until`. */
  private readonly carried = new Map<string, { ranges: OffsetRange[]; until: number }>();
  /** The text of each open document in no visible editor, as of its last burst (what a burst starts from). */
  private readonly hiddenTexts = new Map<string, string>();
  private visibleKeys = new Set<string>();
  private readonly unclaimedBulk = new Map<string, UnclaimedBulk>();
  /** Times of changes to visible documents that were not keystrokes: the batch signal. */
  private readonly visibleBulkChangeTimes: number[] = [];
  /** When each file last changed on disk (file watcher) and when this editor last saved it. */
  private readonly diskChangedAt = new Map<string, number>();
  private readonly savedAt = new Map<string, number>();
  /** Each burst is decided once quiet (see settleBurst for the other delays). */
  private readonly settleBurstSoon = this.disposables.add(new Debouncer<Burst>(BURST_QUIET_MS, (burst) => void this.settleBurst(burst)));
  /** Each reload verdict is decided once its evidence had time to come in. */
  private readonly settleReloadSoon = this.disposables.add(new Debouncer<PendingReload>(RELOAD_SETTLE_MS, (reload) => void this.settleReload(reload)));

  constructor(
    private readonly service: AttributionService,
    private readonly states: RepositoryRegistry | undefined,
    private readonly pastes: PasteTracker,
    private readonly gitActivity: GitActivity,
    /** The saves of every editor window on the working tree (another window's save is a person's). */
    private readonly editorSaves: EditorSaveMarks | undefined,
    /** Writes to files on disk (the shared working-tree watcher). */
    diskWrites: vscode.Event<WorkingTreeWrite>,
    private readonly settings: () => DetectionSettings,
    private readonly tools: AiToolCatalog,
    private readonly log: vscode.LogOutputChannel,
    /** Brings in explicit reports (`vouch mark`) already in the working state, before a reload is marked. */
    private readonly pickUpReports: () => Promise<void> = () => Promise.resolve(),
  ) {
    for (const document of vscode.workspace.textDocuments) this.noteOpened(document);
    this.noteVisibleEditors();
    this.disposables.push(
      // Tools replace files as often as they rewrite them (write a temporary file, rename it over): both count.
      diskWrites(({ uri }) => {
        if (this.dirtyByDocument.has(uri.toString())) this.diskChangedAt.set(uri.toString(), Date.now());
      }),
      service.setClassifier((edit) => this.classify(edit)),
      service.onDidApplyEdit((edit) => this.afterEdit(edit)),
      vscode.window.onDidChangeVisibleTextEditors(() => this.noteVisibleEditors()),
      vscode.workspace.onDidOpenTextDocument((document) => this.noteOpened(document)),
      vscode.workspace.onDidCloseTextDocument((document) => this.forget(document.uri.toString())),
      vscode.workspace.onWillSaveTextDocument((event) => this.savingSince.set(event.document.uri.toString(), Date.now())),
      vscode.workspace.onDidSaveTextDocument((document) => this.afterSave(document)),
    );
  }

  private noteOpened(document: vscode.TextDocument): void {
    const key = document.uri.toString();
    this.dirtyByDocument.set(key, document.isDirty);
    if (!this.visibleKeys.has(key)) this.keepHiddenText(key, document);
  }

  /**
   * Keeps the text a hidden document's next burst starts from. Not for large documents (over 20,000
   * lines or 1 M characters): taking a 50 MB text on every open and hide held the extension host for
   * hundreds of ms (and kept a copy of it); their bursts are classified from the edits alone.
   */
  private keepHiddenText(key: string, document: vscode.TextDocument): void {
    if (!isLargeDocument(document)) this.hiddenTexts.set(key, document.getText());
    else this.hiddenTexts.delete(key);
  }

  /** Keeps the set of visible documents (so an edit asks a set, not the editors) and the text hidden ones start a burst from. */
  private noteVisibleEditors(): void {
    const visible = new Set(vscode.window.visibleTextEditors.map((editor) => editor.document.uri.toString()));
    for (const key of visible) this.hiddenTexts.delete(key);
    for (const document of vscode.workspace.textDocuments) {
      const key = document.uri.toString();
      if (!visible.has(key) && this.visibleKeys.has(key) && !this.bursts.has(key)) this.keepHiddenText(key, document);
    }
    this.visibleKeys = visible;
  }

  /**
   * In-event verdicts the ledger applies to the edit itself (so undo/redo restore them): chat
   * editing and agent diff tabs. The rest of the verdict goes with the applied edit to afterEdit.
   */
  private classify(edit: DocumentEdit): EditClassification {
    const pasted = this.pastes.consumeMatching(edit.key, edit.changes);
    const verdict = this.verdictFor(edit, pasted);
    if (verdict.author !== 'ai' || (verdict.signal !== 'chat-editing-document' && verdict.signal !== 'agent-diff-tab')) return { author: undefined, pasted, verdict };
    const naming: ToolNaming = verdict.signal === 'agent-diff-tab' && verdict.tool ? { tool: verdict.tool } : this.chatToolNaming();
    this.log.info(`${verdict.kind} edit of ${vscode.workspace.asRelativePath(edit.document.uri)} recorded as AI (${verdict.signal}, ${naming.tool})`);
    const author = aiAuthor(verdict, naming);
    return { author, pasted, verdict };
  }

  /** A chat-editing session is named when exactly one active AI extension runs chat participants. */
  private chatToolNaming(): ToolNaming {
    const chatTools = this.tools.activeChatTools();
    return chatTools.length === 1 ? nameIfOnlyCandidate(chatTools) : unknownTool(this.tools.activeTools());
  }

  private verdictFor(edit: DocumentEdit, pasted: boolean): ChangeVerdict {
    const { document, key } = edit;
    const wasDirty = this.dirtyByDocument.get(key) ?? true;
    const mayBeReloaded = document.uri.scheme === 'file' && !wasDirty && !document.isDirty;
    const diskChange = this.diskChangedAt.get(key);
    const saved = this.savedAt.get(key);
    const reloadLikely =
      mayBeReloaded && diskChange !== undefined && Date.now() - diskChange <= DISK_EVIDENCE_MS && (saved === undefined || Math.abs(saved - diskChange) > DISK_EVIDENCE_MS);
    const signals: ChangeSignals = {
      changes: edit.changes,
      pasted,
      inSaveParticipant: this.inSaveParticipant(key),
      gitOperation: false,
      partOfVisibleBatch: false,
      // A change that follows a disk change is judged as a reload (git, an outside program), even in a chat session.
      chatEditing: reloadLikely || edit.typing ? undefined : this.chatEditingOf(document.uri),
      agentDiffTab: reloadLikely || edit.typing ? undefined : this.agentDiffTabOf(document.uri),
      visible: this.visibleKeys.has(key),
      reloadedFromDisk: mayBeReloaded,
      settings: this.settings(),
    };
    return classifyChange(signals);
  }

  private afterEdit(edit: AppliedEdit): void {
    const { key, changes } = edit;
    for (const reload of this.pendingReloads) if (reload.documentUri === key) reload.ranges = reload.ranges.flatMap((range) => mapRangeThroughChanges(range, changes));
    const bulk = this.unclaimedBulk.get(key);
    if (bulk) bulk.ranges = bulk.ranges.flatMap((range) => mapRangeThroughChanges(range, changes));
    const burst = this.bursts.get(key);
    if (burst) burst.lateRanges = burst.lateRanges.flatMap((range) => mapRangeThroughChanges(range, changes));
    const carried = this.carried.get(key);
    if (carried) carried.ranges = carried.ranges.flatMap((range) => mapRangeThroughChanges(range, changes));
    try {
      const visible = this.visibleKeys.has(key);
      if (edit.decidedBy === 'typing') {
        // A keystroke-sized edit: a person's in a visible editor, a piece of a stream in a hidden document.
        if (!visible) this.addToBurst(edit, !this.settings().hiddenEditorEdits || this.inSaveParticipant(key));
        else if (burst) this.addToBurst(edit, true);
        return;
      }
      if (edit.fileChangedSinceSave) this.judgeFileChangedSinceSave(edit, edit.fileChangedSinceSave, visible);
      const verdict = edit.classification?.verdict;
      if (edit.decidedBy !== 'classifier' || !verdict || edit.author.kind === 'ai') {
        // Undo/redo, accepts and in-event AI verdicts are recorded already; they still move a burst's
        // text, and a hidden document's next burst starts from the text after them.
        if (burst || !visible) this.addToBurst(edit, true);
        return;
      }
      if (visible) {
        this.noteVisibleBulkChange(edit.at);
        if (burst) this.addToBurst(edit, true);
        if (verdict.author === 'human' && verdict.reason === 'visible-editor' && insertedContentChars(changes) >= this.settings().minimumHeuristicChars) {
          // Kept in case a save that skips the save participants shows an agent made it.
          const entry = this.unclaimedBulk.get(key) ?? { ranges: [] };
          entry.ranges.push(...insertedRangesAfter(changes));
          this.unclaimedBulk.set(key, entry);
        }
      }
      if (verdict.author === 'ai' && verdict.signal === 'disk-reload') {
        const formatLike = edit.replacedTexts === undefined || newWordChars(changes, edit.replacedTexts) < this.settings().minimumHeuristicChars;
        const reload: PendingReload = { documentUri: key, ranges: insertedRangesAfter(changes), verdict, hidden: !visible, at: edit.at, formatLike };
        this.pendingReloads.push(reload);
        this.settleReloadSoon.trigger(reload);
        if (!visible || burst) this.addToBurst(edit, true);
        return;
      }
      if (!visible) this.addToBurst(edit, !this.countsInBurst(verdict));
    } finally {
      this.dirtyByDocument.set(key, edit.document.isDirty);
    }
  }

  /**
   * A revert to a file that changed on disk while the document had unsaved edits (Revert File after
   * an agent wrote it): what the file gained since the save is judged as a reload of the saved text
   * would be, with the evidence of the disk change itself (when it was, whether git was busy then,
   * whether it is the index's text or another editor window's save).
   */
  private judgeFileChangedSinceSave(edit: AppliedEdit, since: NonNullable<AppliedEdit['fileChangedSinceSave']>, visible: boolean): void {
    const settings = this.settings();
    const verdict = classifyChange({
      changes: since.changes,
      pasted: false,
      inSaveParticipant: false,
      gitOperation: false,
      partOfVisibleBatch: false,
      visible,
      reloadedFromDisk: true,
      settings,
    });
    if (verdict.author !== 'ai' || verdict.signal !== 'disk-reload') return;
    const formatLike = newWordChars(since.changes, since.replacedTexts) < settings.minimumHeuristicChars;
    // Timed by the write, not the revert: git's traces and the save are judged against it. The file's
    // modification time says when it was, even before the watcher's event for it (late on a busy machine).
    const at = fileModifiedAt(edit.document.uri) ?? this.diskChangedAt.get(edit.key);
    const relative = vscode.workspace.asRelativePath(edit.document.uri);
    if (at === undefined) {
      this.log.info(`${relative} took its file's text, changed since its save, but when the file was written is not known: not judged`);
      return;
    }
    const saved = this.savedAt.get(edit.key);
    if (formatLike && saved !== undefined && Math.abs(saved - at) <= DISK_EVIDENCE_MS) {
      this.log.info(`${relative} took its file's text, rewritten right after its save adding no new words (a formatter the save ran): not AI`);
      return;
    }
    const reload: PendingReload = { documentUri: edit.key, ranges: insertedRangesAfter(since.changes), verdict, hidden: false, at, formatLike, takenFileText: edit.document.getText() };
    this.pendingReloads.push(reload);
    this.settleReloadSoon.trigger(reload);
  }

  /** Edits to a hidden document whose text counts in its burst: anything but pastes, save participants, reloads and a switched-off detector. */
  private countsInBurst(verdict: ChangeVerdict): boolean {
    if (verdict.author === 'ai') return verdict.signal === 'hidden-editor';
    return verdict.reason === 'typing' || verdict.reason === 'below-threshold' || verdict.reason === 'refactoring';
  }

  private addToBurst(edit: DocumentEdit, excluded: boolean): void {
    let burst = this.bursts.get(edit.key);
    if (!burst) {
      burst = { documentUri: edit.key, textBefore: this.hiddenTexts.get(edit.key), events: [], lateRanges: [] };
      this.bursts.set(edit.key, burst);
    }
    burst.events.push({ changes: edit.changes, excluded, at: edit.at });
    this.settleBurstSoon.trigger(burst);
  }

  private noteVisibleBulkChange(at: number): void {
    this.visibleBulkChangeTimes.push(at);
    while (this.visibleBulkChangeTimes.length > 0 && at - this.visibleBulkChangeTimes[0] > 5_000) this.visibleBulkChangeTimes.shift();
  }

  /** Decides a burst once it is quiet (or saved); waits for a reload verdict of the same document first, which may join it. */
  private async settleBurst(burst: Burst): Promise<void> {
    if (this.bursts.get(burst.documentUri) !== burst) return;
    this.settleBurstSoon.cancel(burst);
    const waitingReload = this.pendingReloads.find((reload) => reload.documentUri === burst.documentUri);
    if (waitingReload) {
      this.settleBurstSoon.trigger(burst, Math.max(50, waitingReload.at + RELOAD_SETTLE_MS + 50 - Date.now()));
      return;
    }
    this.bursts.delete(burst.documentUri);
    const document = this.service.openDocument(burst.documentUri);
    if (!document) return;
    const text = document.getText();
    if (!this.visibleKeys.has(burst.documentUri)) this.hiddenTexts.set(burst.documentUri, text);
    if (!this.settings().hiddenEditorEdits) return;
    const events: BurstEvent[] = burst.events.map((event) => ({
      changes: event.changes,
      // Part of an edit that also changed a visible document (a rename, a refactoring), or of a git operation: a person's.
      excluded: event.excluded || this.visibleBulkChangeTimes.some((at) => Math.abs(at - event.at) <= BATCH_WINDOW_MS) || this.gitActivity.isBusyAround(event.at),
    }));
    const carried = this.carried.get(burst.documentUri);
    const carriedRanges = carried && carried.until >= Date.now() ? carried.ranges : [];
    const verdict = classifyBurst({
      events,
      textBefore: burst.textBefore,
      textAfter: text,
      alsoInserted: [...burst.lateRanges, ...carriedRanges],
      minimumContentChars: this.settings().minimumHeuristicChars,
    });
    const relative = vscode.workspace.asRelativePath(document.uri);
    if (verdict.author === 'human') {
      if (verdict.reason === 'below-threshold') this.carried.set(burst.documentUri, { ranges: [...verdict.ranges], until: Date.now() + CARRY_MS });
      if (verdict.reason !== 'nothing-inserted') this.log.info(`${burst.events.length} edit(s) of ${relative} in no visible editor: not AI (${verdict.reason}${verdict.reason === 'below-threshold' ? ', kept for its next edits' : ''})`);
      return;
    }
    this.carried.delete(burst.documentUri);
    this.log.info(`${burst.events.length} edit(s) of ${relative} in no visible editor inserted ${verdict.contentChars} characters besides whitespace: an agent's`);
    this.markUncovered(document, verdict.ranges, { kind: 'agent', confidence: 'medium', signal: 'hidden-editor' }, unknownTool(this.tools.activeTools()));
  }

  /** Decides a pending reload once its evidence is in; marks the ranges that survived and nothing else covers. */
  private async settleReload(reload: PendingReload): Promise<void> {
    const index = this.pendingReloads.indexOf(reload);
    if (index < 0) return;
    this.pendingReloads.splice(index, 1);
    const document = this.service.openDocument(reload.documentUri);
    if (reload.ranges.length === 0 || (!document && reload.takenFileText === undefined)) return;
    const uri = document?.uri ?? vscode.Uri.parse(reload.documentUri);
    const relative = vscode.workspace.asRelativePath(uri);
    if (this.gitActivity.isBusyAround(reload.at)) {
      this.log.info(`Change of ${relative} during a git operation: not AI`);
      return;
    }
    if (!document) {
      await this.settleAfterClose(reload, uri, reload.takenFileText ?? '');
      return;
    }
    // A revert's evidence is the write, judged when it was taken; typing since does not undo it.
    if (reload.takenFileText === undefined && !this.hasDiskEvidence(reload, document)) {
      // Not a reload after all: an ordinary edit of a clean document (which then is dirty, or was saved since).
      const saved = this.savedAt.get(reload.documentUri);
      if (saved !== undefined && Math.abs(saved - reload.at) <= DISK_EVIDENCE_MS && reload.formatLike && !document.isDirty) {
        this.log.info(`Reload of ${relative} right after its save adds no new words (a formatter the save ran): not AI`);
      }
      const edited = document.isDirty || (saved !== undefined && saved >= reload.at);
      if (edited && reload.hidden) this.joinBurst(document, reload.ranges);
      return;
    }
    const located = this.states ? await this.states.storeOf(document.uri.fsPath) : undefined;
    if (await this.writtenByGitOrAnotherWindow(uri, located, reload.takenFileText ?? document.getText())) return;
    await this.pickUpReports();
    // An explicit report may be in the store before this window has taken it in: it covers its text too.
    const stored = this.states ? spansForExactText(await peekStoredState(this.states, document.uri.fsPath), document.getText()) : undefined;
    this.markUncovered(document, reload.ranges, reload.verdict, { tool: reload.verdict.tool ?? unknownTool([]).tool }, stored?.map((span) => ({ start: span.start, end: span.end })) ?? []);
  }

  /**
   * A revert's verdict whose document closed first: recorded in the working state, over the file's
   * text, when the file still holds what the document took and neither git nor another editor
   * window wrote it. The document's last save goes first, so its spans count as covering.
   */
  private async settleAfterClose(reload: PendingReload, uri: vscode.Uri, text: string): Promise<void> {
    const relative = vscode.workspace.asRelativePath(uri);
    const located = this.states ? await this.states.storeOf(uri.fsPath) : undefined;
    if (!located || (await this.writtenByGitOrAnotherWindow(uri, located, text))) return;
    if ((await readWorkingTreeText(located.repository, located.repoPath)) !== text) {
      this.log.info(`${relative} changed again after its document closed, before Vouch judged what it had gained: not recorded`);
      return;
    }
    await this.service.flush();
    const { verdict } = reload;
    const marked = await located.store.markUncovered(located.repoPath, text, reload.ranges, aiAuthor(verdict, { tool: verdict.tool ?? unknownTool([]).tool }));
    if (marked > 0) this.log.info(`${marked} characters of ${relative} recorded as AI after its document closed (${verdict.kind}, ${verdict.signal}, ${verdict.confidence} confidence)`);
  }

  /** A reload that brought what git (restore, checkout) or another editor window on the working tree wrote: not AI, and says so. */
  private async writtenByGitOrAnotherWindow(uri: vscode.Uri, located: LocatedFile | undefined, text: string): Promise<boolean> {
    const relative = vscode.workspace.asRelativePath(uri);
    if (located && (await this.gitActivity.diskMatchesIndex(located.repository, located.repoPath))) {
      this.log.info(`Reload of ${relative} brought back what the index holds (git restore/checkout): not AI`);
      return true;
    }
    if (await this.editorSaves?.savedByAnEditor(uri, text)) {
      this.log.info(`Reload of ${relative} brought what an editor window saved (another window on this working tree): not AI`);
      return true;
    }
    return false;
  }

  /** Text of an edit decided late joins the document's burst (a new one when it has settled). */
  private joinBurst(document: vscode.TextDocument, ranges: readonly OffsetRange[]): void {
    const key = document.uri.toString();
    let burst = this.bursts.get(key);
    if (!burst) {
      burst = { documentUri: key, textBefore: undefined, events: [], lateRanges: [] };
      this.bursts.set(key, burst);
    }
    burst.lateRanges.push(...ranges);
    this.settleBurstSoon.trigger(burst, 0);
  }

  /** A reload comes with a disk change that this editor did not cause (a save, or a formatter the save ran), and leaves the document clean. */
  private hasDiskEvidence(reload: PendingReload, document: vscode.TextDocument): boolean {
    const diskChange = this.diskChangedAt.get(reload.documentUri);
    const saved = this.savedAt.get(reload.documentUri);
    if (diskChange === undefined || Math.abs(diskChange - reload.at) > DISK_EVIDENCE_MS || document.isDirty) return false;
    return saved === undefined || Math.abs(saved - diskChange) > DISK_EVIDENCE_MS || !reload.formatLike;
  }

  private markUncovered(
    document: vscode.TextDocument,
    ranges: readonly OffsetRange[],
    verdict: Pick<Extract<ChangeVerdict, { author: 'ai' }>, 'kind' | 'confidence' | 'signal' | 'session'>,
    naming: ToolNaming,
    alsoCovered: readonly OffsetRange[] = [],
  ): void {
    const covered = [...this.service.spansOf(document.uri).map((span) => ({ start: span.start, end: span.end })), ...alsoCovered];
    const author: EditAuthor = { kind: 'ai', origin: { kind: verdict.kind, ...naming, ...(verdict.session ? { session: verdict.session } : {}) }, confidence: verdict.confidence };
    const text = document.getText();
    const pieces = ranges.flatMap((range) => subtractRanges(range, covered)).filter((piece) => piece.end <= text.length);
    const wasCovered = pieces.reduce((sum, piece) => sum + piece.end - piece.start, 0) < ranges.reduce((sum, range) => sum + range.end - range.start, 0);
    const remaining = insertedContentChars(pieces.map((piece): TextReplacement => ({ offset: 0, deletedLength: 0, insertedText: text.slice(piece.start, piece.end) })));
    // What an explicit report (`vouch mark`) left over is judged by the same threshold.
    if (wasCovered && remaining < this.settings().minimumHeuristicChars) return;
    let marked = 0;
    for (const piece of pieces) {
      this.service.markRange(document, new vscode.Range(document.positionAt(piece.start), document.positionAt(piece.end)), author);
      marked += piece.end - piece.start;
    }
    if (marked > 0) this.log.info(`${marked} characters of ${vscode.workspace.asRelativePath(document.uri)} recorded as AI (${verdict.kind}, ${verdict.signal}, ${naming.tool}, ${verdict.confidence} confidence)`);
  }

  private afterSave(document: vscode.TextDocument): void {
    const key = document.uri.toString();
    const ranParticipants = this.savingSince.delete(key);
    this.savedAt.set(key, Date.now());
    this.dirtyByDocument.set(key, document.isDirty);
    // A save ends a burst.
    const burst = this.bursts.get(key);
    if (burst) void this.settleBurst(burst);
    const bulk = this.unclaimedBulk.get(key);
    this.unclaimedBulk.delete(key);
    if (ranParticipants || !bulk || bulk.ranges.length === 0) return;
    if (!this.settings().savesWithoutParticipants) return;
    // Only VS Code's chat editing (and code that asks for it) saves without running save participants.
    this.log.info(`${vscode.workspace.asRelativePath(document.uri)} was saved without save participants: its unclaimed bulk edits are an agent's`);
    this.markUncovered(document, bulk.ranges, { kind: 'agent', confidence: 'medium', signal: 'hidden-editor' }, unknownTool(this.tools.activeTools()));
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
      // The tool is named when the verdict is recorded (classify), from the active chat extensions.
      return { tool: '', ...(session ? { session } : {}) };
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
    const burst = this.bursts.get(key);
    if (burst) this.settleBurstSoon.cancel(burst);
    this.bursts.delete(key);
    this.carried.delete(key);
    this.hiddenTexts.delete(key);
    this.dirtyByDocument.delete(key);
    this.diskChangedAt.delete(key);
    this.savedAt.delete(key);
    this.savingSince.delete(key);
    this.unclaimedBulk.delete(key);
  }

  dispose(): void {
    this.disposables.dispose();
  }
}

import * as path from 'node:path';
import * as vscode from 'vscode';
import { spanExcerpt } from '../../core/text/spanExcerpt';
import { documentLineSource, wholeTextForSpans } from '../documentText';
import type { AttributedSpan, Review, ReviewDecision } from '../../core/attribution';
import { blockNeedsReview, buildReviewBlocks, countReviewBlocks, rejectionRemovals, reviewBlocks, wholeLineRemovals, type BlockSelection, type ReviewBlock } from '../../core/review/reviewModel';
import type { GitRunner } from '../../git/gitRunner';
import { applyRemovals, replaceTextIfUnchanged } from '../../git/replaceFileText';
import { readGitReviewer } from '../../git/staging/gitReviewer';
import { workingFileBlocks } from '../../git/staging/workingBlocks';
import { committedTexts, headCommit } from '../../git/staging/committedText';
import type { RepositoryLocation } from '../../git/repository';
import { replacedLinesOfBlocks } from '../../core/review/blockDiff';
import type { AppliedEdit, AttributionService } from '../attributionService';
import { editKeepsReviewBlocks, type LineWithSpans } from '../../core/review/blocksKept';
import type { RepositoryRegistry } from '../repositoryRegistry';
import { Debouncer, DisposableStore, waitForEvent } from '../lifecycle';
import { errorMessage } from '../../core/errorMessage';
import { lineRangeLabel } from '../../core/text/lines';

/** Blocks waiting for review per file (uri string); files with none are left out. */
export type UnreviewedCountsByUri = ReadonlyMap<string, number>;

/** One file's blocks waiting for review. */
export interface ReviewTarget {
  readonly uri: vscode.Uri;
  /** As shown to the reviewer (workspace-relative); part of each block id. */
  readonly path: string;
  readonly blocks: readonly ReviewBlock[];
  /** The text the blocks were built from. */
  readonly text: string;
}

export interface ReviewDecisionInput {
  readonly decision: ReviewDecision;
  readonly intent: string;
  readonly scope: readonly string[];
  readonly scopeNote?: string;
  /** A rejection removes the blocks' whole lines (a person's text on them too), not only the AI text. */
  readonly wholeLines?: boolean;
}

export type DecisionResult =
  | {
      readonly ok: true;
      readonly message: string;
      /** After an accept: undoAccept(undoId) takes it back while it is the last accept. */
      readonly undoId?: string;
    }
  | { readonly ok: false; readonly reason: string };

/** The last accept, so it can be undone: each span's review before and after it. */
interface AcceptRecord {
  readonly id: string;
  readonly description: string;
  /** What the person was told: "Accepted line 9 of src/cart.ts." */
  readonly message: string;
  readonly entries: ReadonlyArray<{ readonly uri: vscode.Uri; readonly spanId: string; readonly previous: Review | undefined; readonly applied: Review }>;
}

const CHANGE_DEBOUNCE_MS = 150;
const LOAD_WAIT_MS = 3000;

function countsOfTargets(targets: readonly ReviewTarget[]): UnreviewedCountsByUri {
  return new Map(targets.map((target) => [target.uri.toString(), target.blocks.length]));
}

/** One run of `work` per change: callers after the same change share it; `publish` gets each result. */
class SharedPerChange<T> {
  private running: { readonly changeCount: number; readonly result: Promise<T> } | undefined;

  constructor(
    private readonly work: () => Promise<T>,
    private readonly publish: (changeCount: number, result: T) => void,
  ) {}

  /** The run for this change, when one is under way. */
  current(changeCount: number): Promise<T> | undefined {
    return this.running?.changeCount === changeCount ? this.running.result : undefined;
  }

  run(changeCount: number): Promise<T> {
    const current = this.current(changeCount);
    if (current) return current;
    const result = this.work().then((value) => {
      this.publish(changeCount, value);
      return value;
    });
    const running = { changeCount, result };
    this.running = running;
    const done = () => {
      if (this.running === running) this.running = undefined;
    };
    result.then(done, done);
    return result;
  }
}

/** A block count of an open document, for one version and attribution generation. */
interface OpenCount {
  readonly version: number;
  readonly generation: number;
  readonly count: number;
  /**
   * A person typing inside one line since the count: the line as counted (`from`) and as it is now
   * (`to`). The count holds when the line rule says the run kept the blocks, asked once when the
   * count is next read instead of at every keystroke.
   */
  readonly typedLine?: { readonly from: LineWithSpans; readonly to: LineWithSpans };
}

/**
 * The count of just before an edit carried over it (without its version), or undefined when it
 * may no longer hold: the edit kept the blocks, or continues or starts a run of typing in one line
 * (after a run that kept them).
 */
function carriedCount(counted: OpenCount, edit: AppliedEdit): Omit<OpenCount, 'version' | 'generation'> | undefined {
  const typed = counted.typedLine;
  const line = edit.lineChange;
  if (line && typed && typed.to === line.before) return { count: counted.count, typedLine: { from: typed.from, to: line.after } };
  if (typed && typed.from !== typed.to && !editKeepsReviewBlocks(typed.from, typed.to)) return undefined;
  if (line) return { count: counted.count, typedLine: { from: line.before, to: line.after } };
  return edit.blocksKept ? { count: counted.count } : undefined;
}

/** The uri of a file of a repository by its path in it ('/'-separated, as the working state names it). */
function repositoryFileUri(topLevel: string, repoPath: string): vscode.Uri {
  return vscode.Uri.file(path.join(topLevel, ...repoPath.split('/')));
}

export function displayPath(uri: vscode.Uri): string {
  return vscode.workspace.asRelativePath(uri, (vscode.workspace.workspaceFolders?.length ?? 0) > 1);
}

/**
 * The blocks waiting for review across the workspace (open documents from the attribution
 * service, closed files from the working state), and the one path that records decisions on
 * them: open the document, rebuild its blocks from the current text, check the reviewer saw
 * exactly that text, then set the reviews (and, for a rejection, remove the AI text with an
 * undoable edit).
 */
export class ReviewWorkspace implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  /** Fires (debounced) when blocks may have appeared, changed or been reviewed. */
  readonly onDidChange = this.emitter.event;
  private readonly countedEmitter = new vscode.EventEmitter<UnreviewedCountsByUri>();
  /**
   * Fires with the blocks waiting per file after each collect or count newer than the last one
   * fired: the status bar shows what the review panel and the AI Review view show, never older.
   */
  readonly onDidCount = this.countedEmitter.event;
  private readonly disposables = new DisposableStore(this.emitter, this.countedEmitter);
  /** Bumped at every change (before the debounce): a collect or count started at the same count sees the same blocks. */
  private changeCount = 0;
  private readonly collects = new SharedPerChange(
    () => this.collectNow(),
    (changeCount, targets: ReviewTarget[]) => this.publishCounts(changeCount, countsOfTargets(targets)),
  );
  private readonly counts = new SharedPerChange(
    () => this.countNow(),
    (changeCount, counts: UnreviewedCountsByUri) => this.publishCounts(changeCount, counts),
  );
  private lastCountedChangeCount = -1;
  /** Blocks of open documents by uri, for one document version each (dropped when the document's attribution changes). */
  private readonly openBlocks = new Map<string, { readonly version: number; readonly blocks: ReviewBlock[] }>();
  /**
   * Block counts of open documents for one document version and attribution generation each (a
   * count builds no blocks: it runs after typing pauses); an edit that keeps the blocks carries
   * its document's count over to the new version.
   */
  private readonly openCounts = new Map<string, OpenCount>();
  /** Attribution changes per open document (the service's onDidChangeAttribution). */
  private readonly generations = new Map<string, number>();
  /** Blocks of every file with stored AI spans, read from disk; re-read when the stored state changes or a document opens or closes. */
  private storedBlocks: Promise<ReviewTarget[]> | undefined;
  private readonly changes = this.disposables.add(new Debouncer(CHANGE_DEBOUNCE_MS, () => this.emitter.fire()));
  private lastAccept: AcceptRecord | undefined;
  private acceptCount = 0;
  /** Last committed texts per repository top level, for the HEAD they were read at (undefined: not in HEAD). */
  private readonly committed = new Map<string, { head: string | undefined; texts: Map<string, string | undefined> }>();

  constructor(
    private readonly service: AttributionService,
    private readonly states: RepositoryRegistry | undefined,
    private readonly git: GitRunner | undefined,
    private readonly log: vscode.LogOutputChannel,
    /** The `vouch.signing.key` setting, read at each decision: reviews name the same key the notes are signed with. */
    private readonly signingKeySetting: () => string | undefined = () => undefined,
  ) {
    const storedChanged = () => {
      this.storedBlocks = undefined;
      this.schedule();
    };
    this.disposables.push(
      service.onDidChangeAttribution((uri) => {
        const key = uri.toString();
        this.openBlocks.delete(key);
        this.generations.set(key, this.generationOf(key) + 1);
        this.schedule();
      }),
      service.onDidApplyEdit((edit) => {
        // Comes right after the attribution change the edit fired (when it affected spans): a count of just before it holds when it kept the blocks.
        const counted = this.openCounts.get(edit.key);
        const generation = this.generationOf(edit.key);
        if (counted && counted.version === edit.versionBefore && counted.generation === generation - (edit.spansAffected ? 1 : 0)) {
          const carried = carriedCount(counted, edit);
          if (carried) this.openCounts.set(edit.key, { ...carried, version: edit.document.version, generation });
        }
        // Away from every span, lines added or removed move the blocks below them (their line
        // labels), and a line filled or emptied between AI lines can join or split blocks: no
        // attribution change says so.
        if (!edit.spansAffected && (edit.linesMoved || !edit.blocksKept)) this.schedule();
      }),
      // A file counts from the editor while open and from its stored state once closed.
      vscode.workspace.onDidOpenTextDocument((document) => {
        if (document.uri.scheme === 'file') storedChanged();
      }),
      vscode.workspace.onDidCloseTextDocument((document) => {
        this.generations.delete(document.uri.toString());
        if (document.uri.scheme === 'file') storedChanged();
      }),
    );
    if (states) {
      this.disposables.push(
        states.onDidChangeStoredState((change) => {
          // This window's own save of a document open here: the stored blocks leave open documents out, nothing to re-read.
          if (change.writtenHere !== undefined && this.service.openDocument(repositoryFileUri(change.repository.topLevel, change.writtenHere))) return;
          storedChanged();
        }),
      );
    }
  }

  private generationOf(key: string): number {
    return this.generations.get(key) ?? 0;
  }

  private schedule(): void {
    this.changeCount++;
    this.changes.trigger();
  }

  /** Blocks of an open document (current text and spans). */
  blocksOfDocument(document: vscode.TextDocument): ReviewBlock[] {
    return buildReviewBlocks({ path: displayPath(document.uri), text: document.getText(), spans: this.service.spansOf(document.uri) });
  }

  /**
   * Every file with blocks waiting for review, sorted by path. Callers after the same change share
   * one collect; each result newer than the last goes to onDidCount. `reread` reads the files
   * with stored AI spans from disk again (the panel's Refresh).
   */
  collect(options: { readonly reread?: boolean } = {}): Promise<ReviewTarget[]> {
    if (options.reread) {
      this.storedBlocks = undefined;
      this.changeCount++;
    }
    return this.collects.run(this.changeCount);
  }

  /**
   * How many blocks wait per file (uri string; files with none left out), as collect() would say,
   * without building the blocks of open documents. Shares a collect or count of the same change.
   */
  count(): Promise<UnreviewedCountsByUri> {
    return this.collects.current(this.changeCount)?.then(countsOfTargets) ?? this.counts.run(this.changeCount);
  }

  private publishCounts(changeCount: number, counts: UnreviewedCountsByUri): void {
    if (changeCount <= this.lastCountedChangeCount) return;
    this.lastCountedChangeCount = changeCount;
    this.countedEmitter.fire(counts);
  }

  private async countNow(): Promise<UnreviewedCountsByUri> {
    const counts = new Map<string, number>();
    const open = new Set<string>();
    for (const document of this.service.documentsWithSpans()) {
      const key = document.uri.toString();
      open.add(key);
      let cached = this.openCounts.get(key);
      const generation = this.generationOf(key);
      if (cached?.typedLine && cached.typedLine.from !== cached.typedLine.to) {
        // A run of typing in one line since the count: the line rule says once whether it kept the blocks.
        cached = editKeepsReviewBlocks(cached.typedLine.from, cached.typedLine.to) ? { ...cached, typedLine: { from: cached.typedLine.to, to: cached.typedLine.to } } : undefined;
        if (cached) this.openCounts.set(key, cached);
      }
      if (!cached || cached.version !== document.version || cached.generation !== generation) {
        // Over the whole text when the spans are dense, else over the lines around them (spanExcerpt gives the same blocks): a big document's whole text is never taken per count.
        const spans = this.service.spansOf(document.uri);
        const whole = wholeTextForSpans(document, spans.length);
        const input = whole !== undefined ? { text: whole, spans } : spanExcerpt(documentLineSource(document), spans);
        cached = { version: document.version, generation, count: countReviewBlocks({ path: displayPath(document.uri), text: input.text, spans: input.spans }) };
        this.openCounts.set(key, cached);
      }
      if (cached.count > 0) counts.set(key, cached.count);
    }
    for (const key of this.openCounts.keys()) if (!open.has(key)) this.openCounts.delete(key);
    this.storedBlocks ??= this.storedTargets();
    for (const stored of await this.storedBlocks) {
      const key = stored.uri.toString();
      if (!open.has(key) && !this.service.openDocument(stored.uri) && stored.blocks.length > 0) counts.set(key, stored.blocks.length);
    }
    return counts;
  }

  private async collectNow(): Promise<ReviewTarget[]> {
    // The open documents are read before the first await: the result is the state of this change.
    const targets = new Map<string, ReviewTarget>();
    for (const document of this.service.documentsWithSpans()) {
      const key = document.uri.toString();
      let cached = this.openBlocks.get(key);
      if (!cached || cached.version !== document.version) {
        cached = { version: document.version, blocks: this.blocksOfDocument(document) };
        this.openBlocks.set(key, cached);
      }
      targets.set(key, { uri: document.uri, path: displayPath(document.uri), blocks: cached.blocks, text: document.getText() });
    }
    for (const key of this.openBlocks.keys()) if (!targets.has(key)) this.openBlocks.delete(key);
    this.storedBlocks ??= this.storedTargets();
    for (const stored of await this.storedBlocks) {
      const key = stored.uri.toString();
      if (!targets.has(key) && !this.service.openDocument(stored.uri)) targets.set(key, stored);
    }
    return [...targets.values()].filter((target) => target.blocks.length > 0).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  /** Files with working state with AI spans, their blocks built over the text on disk. */
  private async storedTargets(): Promise<ReviewTarget[]> {
    if (!this.states) return [];
    const targets: ReviewTarget[] = [];
    const seenRepositories = new Set<string>();
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      if (folder.uri.scheme !== 'file') continue;
      // storeOf takes a file path; any name inside the folder locates the folder's repository.
      const located = await this.states.storeOf(path.join(folder.uri.fsPath, '.vouch-review-probe')).catch(() => undefined);
      if (!located || seenRepositories.has(located.repository.topLevel)) continue;
      seenRepositories.add(located.repository.topLevel);
      try {
        for (const document of await located.store.loadAll()) {
          if (document.spans.length === 0) continue;
          const uri = repositoryFileUri(located.repository.topLevel, document.path);
          // An open file counts from the editor (both callers skip it): its file on disk is not read,
          // hashed and re-anchored at every save of its working state (2-3 s for a 50 MB file).
          if (this.service.openDocument(uri)) continue;
          // The CLI's block builder over the file on disk, so the panel, `vouch status` and `vouch check` agree.
          const working = await workingFileBlocks(located.store, document.path, displayPath(uri), document);
          if (!working?.exists) continue;
          targets.push({ uri, path: displayPath(uri), blocks: working.blocks.filter((block) => blockNeedsReview(block.state)), text: working.text });
        }
      } catch (error) {
        this.log.warn(`Could not read the stored AI marks of ${located.repository.topLevel}: ${errorMessage(error)}`);
      }
    }
    return targets;
  }

  /**
   * What each block replaced (by block id): the file's last committed text diffed against the
   * text its blocks were built from. Committed texts are kept per repository until HEAD moves.
   */
  async replacedLines(targets: readonly ReviewTarget[]): Promise<Map<string, string[]>> {
    const result = new Map<string, string[]>();
    if (!this.git || !this.states) return result;
    const byRepository = new Map<string, { repository: RepositoryLocation; files: Array<{ target: ReviewTarget; repoPath: string }> }>();
    for (const target of targets) {
      if (target.uri.scheme !== 'file') continue;
      const located = await this.states.storeOf(target.uri.fsPath).catch(() => undefined);
      if (!located) continue;
      const entry = byRepository.get(located.repository.topLevel) ?? { repository: located.repository, files: [] };
      entry.files.push({ target, repoPath: located.repoPath });
      byRepository.set(located.repository.topLevel, entry);
    }
    for (const { repository, files } of byRepository.values()) {
      try {
        const head = await headCommit(this.git, repository);
        let cached = this.committed.get(repository.topLevel);
        if (!cached || cached.head !== head) {
          cached = { head, texts: new Map() };
          this.committed.set(repository.topLevel, cached);
        }
        const missing = files.map((file) => file.repoPath).filter((repoPath) => !cached!.texts.has(repoPath));
        if (missing.length > 0) {
          const read = await committedTexts(this.git, repository, head, missing);
          for (const repoPath of missing) cached.texts.set(repoPath, read.texts.get(repoPath));
        }
        for (const { target, repoPath } of files) {
          const base = cached.texts.get(repoPath);
          if (base === undefined) continue;
          for (const [blockId, lines] of replacedLinesOfBlocks(base, target.text, target.blocks)) result.set(blockId, lines);
        }
      } catch (error) {
        this.log.warn(`Review panel: could not read the committed text of files in ${repository.topLevel}: ${errorMessage(error)}`);
      }
    }
    return result;
  }

  /** Opens a document and waits (briefly) for its stored attribution to load, so there is one path for open and closed files. */
  async openDocument(uri: vscode.Uri): Promise<vscode.TextDocument> {
    const document = await vscode.workspace.openTextDocument(uri);
    if (this.service.spansOf(uri).length > 0 || !this.states || uri.scheme !== 'file') return document;
    await waitForEvent(this.service.onDidChangeAttribution, (changed) => changed.toString() === uri.toString(), LOAD_WAIT_MS, () => this.service.spansOf(uri).length > 0);
    return document;
  }

  /**
   * Records one decision for blocks of one or more files. `selection` names the blocks by id and
   * the text hash the reviewer saw; a block that changed since is refused and nothing is recorded.
   */
  async decide(selection: ReadonlyArray<BlockSelection & { readonly uri: vscode.Uri }>, input: ReviewDecisionInput): Promise<DecisionResult> {
    const result = await this.recordDecision(selection, input);
    // The person sees the reason; the log keeps it for a bug report (a block changed while a prompt was open).
    if (!result.ok) this.log.warn(`A review decision was refused: ${result.reason}`);
    return result;
  }

  private async recordDecision(selection: ReadonlyArray<BlockSelection & { readonly uri: vscode.Uri }>, input: ReviewDecisionInput): Promise<DecisionResult> {
    if (selection.length === 0) return { ok: false, reason: vscode.l10n.t('No block was chosen.') };
    if (!this.git) return { ok: false, reason: vscode.l10n.t('Reviews need git (for the reviewer name and email), which Vouch does not run in Restricted Mode. Trust the workspace to review.') };
    const byUri = new Map<string, { uri: vscode.Uri; selection: BlockSelection[] }>();
    for (const entry of selection) {
      const key = entry.uri.toString();
      const group = byUri.get(key) ?? { uri: entry.uri, selection: [] };
      group.selection.push({ blockId: entry.blockId, textHash: entry.textHash });
      byUri.set(key, group);
    }
    // Check every file first, so a group decision is recorded whole or not at all.
    const planned: Array<{ document: vscode.TextDocument; blocks: ReviewBlock[]; reviews: Array<{ spanId: string; review: Review }> }> = [];
    for (const { uri, selection: chosen } of byUri.values()) {
      const document = await this.openDocument(uri);
      const reviewer = await readGitReviewer(this.git, path.dirname(uri.fsPath), { settingKey: this.signingKeySetting() }).catch((error: unknown) => {
        this.log.warn(`Could not read git user.name/user.email for ${uri.fsPath}: ${errorMessage(error)}`);
        return undefined;
      });
      if (!reviewer) return { ok: false, reason: vscode.l10n.t('Git has no user.name and user.email for {0}; set them (git config user.name / user.email) to record reviews.', displayPath(uri)) };
      const blocks = this.blocksOfDocument(document);
      const result = reviewBlocks(blocks, chosen, { ...input, reviewer, now: Date.now() }, vscode.l10n.t);
      if (!result.ok) return { ok: false, reason: result.reason };
      const chosenIds = new Set(chosen.map((c) => c.blockId));
      planned.push({ document, blocks: blocks.filter((block) => chosenIds.has(block.id)), reviews: result.value });
    }
    const described: string[] = [];
    const accepted: Array<AcceptRecord['entries'][number]> = [];
    for (const { document, blocks, reviews } of planned) {
      if (input.decision === 'rejected') {
        await this.reject(document, reviews, input.wholeLines === true ? blocks : undefined);
      } else {
        const previous = new Map(this.service.spansOf(document.uri).map((span) => [span.id, span.review]));
        for (const { spanId, review } of reviews) {
          if (this.service.setReview(document, spanId, review)) accepted.push({ uri: document.uri, spanId, previous: previous.get(spanId), applied: review });
        }
      }
      described.push(vscode.l10n.t('{0} of {1}', blocks.map((block) => lineRangeLabel(block, vscode.l10n.t)).join(', '), displayPath(document.uri)));
    }
    const what = described.join('; ');
    const message =
      input.decision === 'accepted'
        ? vscode.l10n.t('Accepted {0}.', what)
        : input.wholeLines === true
          ? vscode.l10n.t('Rejected and removed whole {0}.', what)
          : vscode.l10n.t('Rejected and removed {0}.', what);
    this.log.info(message);
    if (input.decision === 'rejected') {
      this.lastAccept = undefined;
      return { ok: true, message };
    }
    this.lastAccept = { id: `undo-${++this.acceptCount}`, description: what, message, entries: accepted };
    return { ok: true, message, undoId: this.lastAccept.id };
  }

  /** The id of the accept that undoAccept would take back, if any. */
  get lastAcceptId(): string | undefined {
    return this.lastAccept?.id;
  }

  /** The accept that undoAccept would take back, as the review panel offers it. */
  get undoableAccept(): { readonly undoId: string; readonly message: string } | undefined {
    return this.lastAccept ? { undoId: this.lastAccept.id, message: this.lastAccept.message } : undefined;
  }

  /**
   * Takes back the last accept (`undoId` names it, so an old button cannot undo a newer accept):
   * each span gets the review it had before, unless its review changed since (a later decision wins).
   */
  async undoAccept(undoId: string): Promise<DecisionResult> {
    const record = this.lastAccept;
    if (!record || record.id !== undoId) return { ok: false, reason: vscode.l10n.t('Only the last accept can be undone, and it was undone or replaced by a later decision.') };
    this.lastAccept = undefined;
    let restored = 0;
    for (const entry of record.entries) {
      const document = await this.openDocument(entry.uri);
      const current = this.service.spansOf(entry.uri).find((span) => span.id === entry.spanId);
      if (!current?.review || !sameReview(current.review, entry.applied)) continue;
      if (this.service.setReview(document, entry.spanId, entry.previous)) restored++;
    }
    if (restored === 0) return { ok: false, reason: vscode.l10n.t('Nothing to undo: {0} changed since it was accepted.', record.description) };
    this.log.info(`Undid the accept of ${record.description}`);
    return { ok: true, message: vscode.l10n.t('Undid the accept of {0}: it waits for review again.', record.description) };
  }

  /**
   * Records the rejection on the spans, then removes their text. A document shown in an editor is
   * edited there, with one undoable edit (undo brings the text back as "rejected before"). A file in
   * no editor is replaced on disk through the atomic write (VS Code's own save truncates the file
   * first, so a crash mid-save could leave it empty); the editor then reloads the unchanged document.
   */
  private async reject(document: vscode.TextDocument, reviews: ReadonlyArray<{ spanId: string; review: Review }>, wholeLinesOf?: readonly ReviewBlock[]): Promise<void> {
    const ids = new Set(reviews.map((entry) => entry.spanId));
    for (const { spanId, review } of reviews) this.service.setReview(document, spanId, review);
    const spans: AttributedSpan[] = this.service.spansOf(document.uri).filter((span) => ids.has(span.id));
    const text = document.getText();
    const removals = wholeLinesOf ? wholeLineRemovals(text, wholeLinesOf) : rejectionRemovals(text, spans);
    if (document.uri.scheme === 'file' && !document.isDirty && !isShownInEditor(document.uri)) {
      const newText = applyRemovals(text, removals);
      if (await replaceTextIfUnchanged(document.uri.fsPath, text, newText)) {
        await this.waitForText(document, newText);
        return;
      }
      // The file on disk is not the document's text (another encoding, a change not loaded yet): edit in the editor.
    }
    const edit = new vscode.WorkspaceEdit();
    for (const removal of removals) {
      edit.delete(document.uri, new vscode.Range(document.positionAt(removal.offset), document.positionAt(removal.offset + removal.deletedLength)));
    }
    if (!(await vscode.workspace.applyEdit(edit))) throw new Error(`The AI text of ${displayPath(document.uri)} could not be removed (the editor refused the edit).`);
    // A file in no editor would keep the removal only in memory: save it. In an editor it stays unsaved and undoable.
    if (!isShownInEditor(document.uri)) await document.save();
  }

  /** Waits (briefly) until the editor has reloaded a document replaced on disk, so the decision returns with the document current. */
  private async waitForText(document: vscode.TextDocument, text: string): Promise<void> {
    if (document.getText() === text) return;
    // The service is the one listener of document changes; a tracked document's reload comes through it.
    const reloaded = await waitForEvent(this.service.onDidApplyEdit, () => document.getText() === text, LOAD_WAIT_MS);
    if (!reloaded) this.log.warn(`${displayPath(document.uri)} was rewritten on disk; the editor has not reloaded it yet`);
  }

  dispose(): void {
    this.disposables.dispose();
  }
}

function sameReview(a: Review, b: Review): boolean {
  return a.decision === b.decision && a.reviewedAt === b.reviewedAt && a.textHash === b.textHash && a.intent === b.intent;
}

export function isShownInEditor(uri: vscode.Uri): boolean {
  const key = uri.toString();
  return vscode.window.tabGroups.all.some((group) =>
    group.tabs.some((tab) => tab.input instanceof vscode.TabInputText && tab.input.uri.toString() === key),
  );
}

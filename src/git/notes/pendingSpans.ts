/**
 * Where the pending AI spans of committed files come from (PendingSpanProvider), and the provider
 * over the working state (`.git/vouch/working`). The flow that records a commit from them is
 * recordPendingSpansOfCommit in commitRecording.ts.
 */
import type { AttributedSpan } from '../../core/attribution';
import { AttributionLedger } from '../../core/ledger/attributionLedger';
import type { Logger } from '../../core/logger';
import type { CommittedFileInput } from '../../core/notes/recordFromSpans';
import type { CommittedPiece } from '../../core/notes/lineRanges';
import { reanchorSpans } from '../../core/reanchor';
import type { WorkingStateDocument } from '../../core/workingState/stateFile';
import { readWorkingTreeText } from '../repository';
import { storedBaseOf, type StoredBase, type WorkingStateStore } from '../workingStateStore';
import type { GitRunner } from '../gitRunner';
import { followRenamedDocuments, type FollowedRename } from '../staging/renamedFiles';
import { errorMessage } from '../../core/errorMessage';

/** The committed characters of one file's spans, in the coordinates of the working text pendingFiles handed out. */
export interface CommittedFilePieces {
  readonly path: string;
  readonly pieces: readonly CommittedPiece[];
  /** The blob the file was committed as: when the text whose spans are updated is that blob, git need not store it again. */
  readonly committedBlob?: string;
}

/** Where the pending AI spans of the files a commit touched come from, and where committed ones are reported. */
export interface PendingSpanProvider {
  /** Pending spans of these repository-relative paths, over the working text they refer to. Files without spans may be left out. */
  pendingFiles(topLevel: string, paths: readonly string[]): Promise<readonly CommittedFileInput[]>;
  /**
   * These characters of pending spans are recorded in a commit: they leave the pending state (a
   * span committed in part keeps only its remainder). Characters not listed stay pending.
   */
  markCommitted(topLevel: string, committed: readonly CommittedFilePieces[]): Promise<void>;
  /**
   * True when markCommitted takes the characters out of what pendingFiles hands out later (the
   * working state): only then may one recording record several commits from it.
   */
  readonly consumesCommitted?: boolean;
  /** Moves the pending spans of files `commit` renamed (and that are gone from the working tree) to their new paths. */
  followRenames?(git: GitRunner, topLevel: string, commit: string): Promise<readonly FollowedRename[]>;
}

/** What pendingFiles handed out for one file, so markCommitted can find the spans in the stored coordinates. */
interface HandedOut {
  readonly document: WorkingStateDocument;
  readonly workingText: string;
  readonly spans: readonly AttributedSpan[];
  readonly reanchored: boolean;
  /** The base of this recorder's save (what it took from the stored state). */
  readonly base: StoredBase;
}

/**
 * PendingSpanProvider over the WorkingStateStore. The working text of a file is its content on
 * disk (what `git add` staged from); the stored spans are re-anchored onto it. When the file is
 * gone from disk, the last known text is used.
 *
 * markCommitted removes the committed spans in the coordinates of the stored text (which may be
 * an editor's unsaved buffer), so spans the disk does not have yet are kept; the store's save is
 * a locked read-modify-write that merges with writers that changed the file meanwhile.
 */
export class WorkingStatePendingSpans implements PendingSpanProvider {
  readonly consumesCommitted = true;
  private readonly handedOut = new Map<string, HandedOut>();
  private readonly stores = new Map<string, Promise<WorkingStateStore>>();
  /**
   * The working state followRenames has just read (all of it, renames followed), by path: the next
   * pendingFiles of that repository takes the committed files' state from it instead of reading
   * their files again (as check --staged and status do). Taken once; a later commit reads afresh.
   */
  private readonly readAhead = new Map<string, ReadonlyMap<string, WorkingStateDocument>>();

  constructor(
    private readonly openStore: (topLevel: string) => Promise<WorkingStateStore>,
    private readonly logger: Logger,
  ) {}

  async pendingFiles(topLevel: string, paths: readonly string[]): Promise<readonly CommittedFileInput[]> {
    const store = await this.storeOf(topLevel);
    const readAhead = this.readAhead.get(topLevel);
    this.readAhead.delete(topLevel);
    const files: CommittedFileInput[] = [];
    for (const repoPath of paths) {
      this.handedOut.delete(keyOf(topLevel, repoPath));
      let handed: HandedOut | undefined;
      try {
        handed = await this.load(store, topLevel, repoPath, readAhead);
      } catch (error) {
        // One file whose state cannot be read (a name this system cannot open, a file over the size
        // limit, a broken state file) never costs the commit's other files their records.
        this.logger.warn(`vouch: ${repoPath}: its AI spans could not be read (${errorMessage(error)}); they stay pending`);
        continue;
      }
      if (handed && handed.spans.length > 0) files.push({ path: repoPath, workingText: handed.workingText, spans: handed.spans });
    }
    return files;
  }

  async followRenames(git: GitRunner, topLevel: string, commit: string): Promise<readonly FollowedRename[]> {
    const store = await this.storeOf(topLevel);
    const { followed, documents } = await followRenamedDocuments(git, topLevel, store, { commit }, await store.loadAll());
    this.readAhead.set(topLevel, new Map(documents.map((document) => [document.path, document])));
    return followed;
  }

  async markCommitted(topLevel: string, committed: readonly CommittedFilePieces[]): Promise<void> {
    const store = await this.storeOf(topLevel);
    const failures: string[] = [];
    for (const { path: repoPath, pieces, committedBlob } of committed) {
      if (pieces.length === 0) continue;
      // One file that cannot be updated never keeps the others' committed spans pending.
      try {
        await this.markFileCommitted(store, topLevel, repoPath, pieces, committedBlob);
      } catch (error) {
        failures.push(`${repoPath}: ${errorMessage(error)}`);
      }
    }
    if (failures.length > 0) throw new Error(`the record is written, but committed AI spans stay pending in the working state for ${failures.join('; ')}`);
  }

  private async markFileCommitted(store: WorkingStateStore, topLevel: string, repoPath: string, pieces: CommittedFilePieces['pieces'], committedBlob: string | undefined): Promise<void> {
    const key = keyOf(topLevel, repoPath);
    const handed = this.handedOut.get(key) ?? (await this.load(store, topLevel, repoPath));
    this.handedOut.delete(key);
    if (!handed) return;
    const byId = new Map(handed.spans.map((span) => [span.id, span]));
    const known = pieces.filter((piece) => {
      const span = byId.get(piece.spanId);
      return span !== undefined && span.start <= piece.start && piece.start < piece.end && piece.end <= span.end;
    });
    if (known.length < pieces.length) this.logger.warn(`vouch: ${repoPath}: ${pieces.length - known.length} committed piece(s) are not in a pending span; ignored`);
    if (known.length === 0) return;
    // The committed characters become human; a span committed in part keeps its remainder.
    const asSpans = known.map((piece, index) => ({ ...(byId.get(piece.spanId) as AttributedSpan), id: `${piece.spanId}#${index}`, start: piece.start, end: piece.end }));
    let text = handed.workingText;
    let spans: readonly AttributedSpan[] = handed.spans;
    let storedBase = handed.base;
    let ranges: readonly { start: number; end: number }[] = asSpans;
    if (handed.reanchored) {
      const storedText = await store.readText(handed.document);
      if (storedText !== undefined) {
        // Find the committed characters in the stored text (maybe an editor's unsaved buffer) and make them human there.
        text = storedText;
        spans = handed.document.spans;
        storedBase = storedBaseOf(handed.document);
        ranges = reanchorSpans(handed.workingText, storedText, asSpans);
      }
    }
    const ledger = AttributionLedger.fromSpans(spans);
    for (const range of ranges) ledger.markRange(range.start, range.end, { kind: 'human' });
    await store.save(repoPath, ledger.spans(), text, { storedBlob: committedBlob, base: storedBase });
  }

  private storeOf(topLevel: string): Promise<WorkingStateStore> {
    let store = this.stores.get(topLevel);
    if (!store) {
      store = this.openStore(topLevel);
      this.stores.set(topLevel, store);
      store.catch(() => this.stores.delete(topLevel));
    }
    return store;
  }

  /** `readAhead`: the working state as just read (every document by path): a path not in it has none, and no file is read. */
  private async load(store: WorkingStateStore, topLevel: string, repoPath: string, readAhead?: ReadonlyMap<string, WorkingStateDocument>): Promise<HandedOut | undefined> {
    const document = readAhead ? readAhead.get(repoPath) : await store.load(repoPath);
    if (!document || document.spans.length === 0) return undefined;
    const onDisk = await readWorkingTreeText(store.repository, repoPath);
    const workingText = onDisk ?? (await store.readText(document));
    if (workingText === undefined) {
      this.logger.warn(`vouch: ${repoPath} is gone and its last known text is not in git; its AI spans stay pending`);
      return undefined;
    }
    const loaded = await store.loadForText(repoPath, workingText, { loaded: document });
    if (!loaded) return undefined;
    const handed: HandedOut = { document: loaded.document, workingText, spans: loaded.spans, reanchored: loaded.reanchored, base: loaded.base };
    this.handedOut.set(keyOf(topLevel, repoPath), handed);
    return handed;
  }
}

function keyOf(topLevel: string, repoPath: string): string {
  return `${topLevel}\0${repoPath}`;
}

/**
 * The pending AI spans of committed files, taken from the working state (`.git/vouch/working`),
 * and the one flow that records a commit from them (the CLI's post-commit hook and the editor's
 * commit event both call `recordCommitFromPending`).
 */
import type { AttributedSpan } from '../../core/attribution';
import { AttributionLedger } from '../../core/ledger/attributionLedger';
import type { Logger } from '../../core/logger';
import type { CommittedFileInput } from '../../core/notes/commitRecord';
import { reanchorSpans } from '../../core/reanchor';
import type { WorkingStateDocument } from '../../core/workingState/stateFile';
import type { GitRunner } from '../gitRunner';
import { readWorkingTreeText } from '../repository';
import type { WorkingStateStore } from '../workingStateStore';
import { recordCommit, type RecordCommitResult } from './commitRecorder';
import { changedPathsOfCommit, resolveCommit } from './gitObjects';
import type { NotesWriter } from './notesWriter';

/** Where the pending AI spans of the files a commit touched come from, and where committed ones are reported. */
export interface PendingSpanProvider {
  /** Pending spans of these repository-relative paths, over the working text they refer to. Files without spans may be left out. */
  pendingFiles(topLevel: string, paths: readonly string[]): Promise<readonly CommittedFileInput[]>;
  /** Spans that reached the commit whole: remove them from the pending state. Spans not listed stay pending. */
  markCommitted(topLevel: string, committed: readonly { readonly path: string; readonly spanIds: readonly string[] }[]): Promise<void>;
}

/** What pendingFiles handed out for one file, so markCommitted can find the spans in the stored coordinates. */
interface HandedOut {
  readonly document: WorkingStateDocument;
  readonly workingText: string;
  readonly spans: readonly AttributedSpan[];
  readonly reanchored: boolean;
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
  private readonly handedOut = new Map<string, HandedOut>();
  private readonly stores = new Map<string, Promise<WorkingStateStore>>();

  constructor(
    private readonly openStore: (topLevel: string) => Promise<WorkingStateStore>,
    private readonly logger: Logger,
  ) {}

  async pendingFiles(topLevel: string, paths: readonly string[]): Promise<readonly CommittedFileInput[]> {
    const store = await this.storeOf(topLevel);
    const files: CommittedFileInput[] = [];
    for (const repoPath of paths) {
      this.handedOut.delete(keyOf(topLevel, repoPath));
      const handed = await this.load(store, topLevel, repoPath);
      if (handed && handed.spans.length > 0) files.push({ path: repoPath, workingText: handed.workingText, spans: handed.spans });
    }
    return files;
  }

  async markCommitted(topLevel: string, committed: readonly { readonly path: string; readonly spanIds: readonly string[] }[]): Promise<void> {
    const store = await this.storeOf(topLevel);
    for (const { path: repoPath, spanIds } of committed) {
      if (spanIds.length === 0) continue;
      const key = keyOf(topLevel, repoPath);
      const handed = this.handedOut.get(key) ?? (await this.load(store, topLevel, repoPath));
      this.handedOut.delete(key);
      if (!handed) continue;
      const ids = new Set(spanIds);
      const unknown = spanIds.filter((id) => !handed.spans.some((span) => span.id === id));
      if (unknown.length > 0) this.logger.warn(`vouch: ${repoPath}: ${unknown.length} committed span id(s) are not pending; ignored`);
      if (!handed.reanchored) {
        await store.save(repoPath, handed.spans.filter((span) => !ids.has(span.id)), handed.workingText);
        continue;
      }
      const storedText = await store.readText(handed.document);
      if (storedText === undefined) {
        await store.save(repoPath, handed.spans.filter((span) => !ids.has(span.id)), handed.workingText);
        continue;
      }
      // Find the committed characters in the stored text and make them human there.
      const committedOnStored = reanchorSpans(
        handed.workingText,
        storedText,
        handed.spans.filter((span) => ids.has(span.id)),
      );
      const ledger = AttributionLedger.fromSpans(handed.document.spans);
      for (const span of committedOnStored) ledger.markRange(span.start, span.end, { kind: 'human' }, storedText.slice(span.start, span.end));
      await store.save(repoPath, ledger.spans(), storedText);
    }
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

  private async load(store: WorkingStateStore, topLevel: string, repoPath: string): Promise<HandedOut | undefined> {
    const document = await store.load(repoPath);
    if (!document || document.spans.length === 0) return undefined;
    const onDisk = await readWorkingTreeText(store.repository, repoPath);
    const workingText = onDisk ?? (await store.readText(document));
    if (workingText === undefined) {
      this.logger.warn(`vouch: ${repoPath} is gone and its last known text is not in git; its AI spans stay pending`);
      return undefined;
    }
    const loaded = await store.loadForText(repoPath, workingText, { asBase: true });
    if (!loaded) return undefined;
    const handed: HandedOut = { document: loaded.document, workingText, spans: loaded.spans, reanchored: loaded.reanchored };
    this.handedOut.set(keyOf(topLevel, repoPath), handed);
    return handed;
  }
}

function keyOf(topLevel: string, repoPath: string): string {
  return `${topLevel}\0${repoPath}`;
}

export interface RecordFromPendingDeps {
  readonly git: GitRunner;
  readonly topLevel: string;
  readonly writer: NotesWriter;
  readonly logger: Logger;
}

/**
 * Records `revision`'s note from the pending spans of the files it changed, then reports the
 * spans that reached the commit whole back to the provider (they leave the working state).
 */
export async function recordCommitFromPending(deps: RecordFromPendingDeps, provider: PendingSpanProvider, revision: string): Promise<RecordCommitResult> {
  const commit = await resolveCommit(deps.git, deps.topLevel, revision);
  const paths = await changedPathsOfCommit(deps.git, deps.topLevel, commit);
  const files = await provider.pendingFiles(deps.topLevel, paths);
  const result = await recordCommit(deps, { commit, files });
  const committed = result.files.filter((file) => file.committedSpanIds.length > 0).map((file) => ({ path: file.path, spanIds: file.committedSpanIds }));
  if (committed.length > 0) await provider.markCommitted(deps.topLevel, committed);
  return result;
}

/**
 * The staging gate's rule, on the staged content: AI spans recorded for the working text are
 * carried onto the staged blob's text (re-anchoring, as for files changed outside the editor),
 * and the blocks that still need review there are what the gate reports. Shared by
 * `vouch check --staged` and the editor's gate, so both apply the same rule.
 */
import type { AttributedSpan } from '../../core/attribution';
import { reanchorSpans } from '../../core/reanchor';
import { committedTextInWorkingLineEnds } from '../../core/text/lines';
import { aiLinesMissingFromBlob } from '../../core/notes/lineRanges';
import { aiLinesChangedByFilters, type MissingAiLines } from '../filteredLines';
import { buildReviewBlocks, type ReviewBlock } from '../../core/review/reviewModel';
import type { GitRunner } from '../gitRunner';
import type { RepositoryLocation } from '../repository';
import { sha256Hex } from '../../core/textHash';
import { readBlobs } from '../blobReads';
import { MAX_DOCUMENT_BYTES, readWorkingTreeText } from '../repository';
import type { WorkingStateStore } from '../workingStateStore';
import { readBlobText, stagedChanges, stagedEntries, stagedEntry, type IndexOptions, type StagedEntry } from './stagedFiles';
import { nativeSha256HexInSlices } from '../blame/nativeSha256';
import type { WorkingStateDocument } from '../../core/workingState/stateFile';

/** Spans and the exact text they refer to. */
export interface AttributedText {
  readonly text: string;
  readonly spans: readonly AttributedSpan[];
}

/** Where the working attribution of a path comes from (the editor's open document, or the stored state). */
export type AttributionSource = (repoPath: string) => Promise<AttributedText | undefined>;

export interface StagedFileCheck {
  readonly repoPath: string;
  /** The staged blob that was checked. */
  readonly blob: string;
  /** Blocks of the staged text that need review (lines refer to the staged text). */
  readonly blocks: readonly ReviewBlock[];
  /**
   * AI lines git's filters changed on add (filteredLines.ts), which no staged line can be told to
   * be: the gate fails for them as for unreviewed AI code. Absent when there are none.
   */
  readonly filterChangedAiLines?: number;
}

/** The blocks of `stagedText` that need review, given the attribution of another version of the file. */
export function pendingBlocksInText(repoPath: string, attributed: AttributedText, stagedText: string): ReviewBlock[] {
  if (attributed.spans.length === 0) return [];
  // Line breaks git converted on add are not a change: the staged lines read as the working tree holds them (same line numbers).
  const staged = committedTextInWorkingLineEnds(stagedText, attributed.text);
  const spans = reanchorSpans(attributed.text, staged, attributed.spans);
  return buildReviewBlocks({ path: repoPath, text: staged, spans });
}

/**
 * The stored attribution of a path with the text it was recorded on (its last known text), or
 * undefined when there is none or that text is gone from git (then `onLost` hears why).
 */
export async function storedAttribution(store: WorkingStateStore, repoPath: string, onLost?: (reason: string) => void): Promise<AttributedText | undefined> {
  const document = await store.load(repoPath);
  if (!document || document.spans.length === 0) return undefined;
  const text = await store.readText(document);
  if (text === undefined) {
    onLost?.(`the AI marks of ${repoPath} cannot be placed: the text they were recorded on is gone from git`);
    return undefined;
  }
  return { text, spans: document.spans };
}

/** Applies the gate rule to the staged content of each path; paths with nothing staged are left out. */
export async function checkStagedFiles(
  git: GitRunner,
  repository: RepositoryLocation,
  repoPaths: readonly string[],
  source: AttributionSource,
  index: IndexOptions = {},
): Promise<StagedFileCheck[]> {
  const checks: StagedFileCheck[] = [];
  const missing: MissingAiLines[] = [];
  for (const repoPath of repoPaths) {
    const attributed = await source(repoPath);
    if (!attributed || attributed.spans.length === 0) continue;
    const entry = await stagedEntry(git, repository, repoPath, index);
    if (!entry) continue;
    const stagedText = await readBlobText(git, repository, entry.blob);
    checks.push({ repoPath, blob: entry.blob, blocks: pendingBlocksInText(repoPath, attributed, stagedText) });
    missing.push({ path: repoPath, lines: aiLinesMissingFromBlob(attributed.text, attributed.spans, stagedText) });
  }
  return withFilterChangedLines(git, repository, checks, missing);
}

/**
 * The gate rule on the staged content of one path, given the attribution of another version of the
 * file (`attributed`: the editor's open document, or the stored state): checkStagedFiles for that
 * path, so the editor's gate and `vouch check --staged` reach the same verdict, AI lines git's
 * filters changed on add included. Undefined when the attribution has no spans or nothing is staged.
 */
export async function checkStagedFile(
  git: GitRunner,
  repository: RepositoryLocation,
  repoPath: string,
  attributed: AttributedText,
  index: IndexOptions = {},
): Promise<StagedFileCheck | undefined> {
  const [check] = await checkStagedFiles(git, repository, [repoPath], async (asked) => (asked === repoPath ? attributed : undefined), index);
  return check;
}

/**
 * The checks with the AI lines git's filters changed on add (filteredLines.ts): the same rule as
 * the record's (prepareCommitRecord), over the AI lines found nowhere unchanged in the staged text.
 */
async function withFilterChangedLines(git: GitRunner, repository: RepositoryLocation, checks: StagedFileCheck[], missing: readonly MissingAiLines[]): Promise<StagedFileCheck[]> {
  const changed = await aiLinesChangedByFilters(git, repository.topLevel, missing);
  return changed.size === 0 ? checks : checks.map((check) => (changed.has(check.repoPath) ? { ...check, filterChangedAiLines: changed.get(check.repoPath) } : check));
}

/**
 * checkStagedFiles over the working-state store in a fixed number of git processes, however many
 * files: `ls-files` for the index entries (one per 200 paths), then at most one `cat-file` batch
 * pair for the texts that are not on disk (see checkStagedDocuments).
 */
export async function checkStagedFilesInStore(
  git: GitRunner,
  repository: RepositoryLocation,
  store: WorkingStateStore,
  repoPaths: readonly string[],
  index: IndexOptions = {},
  onLost?: (reason: string) => void,
): Promise<StagedFileCheck[]> {
  const documents = await documentsWithSpans(store, repoPaths);
  if (documents.length === 0) return [];
  const entries = await stagedEntries(git, repository, documents.map((document) => document.path), index);
  return checkStagedDocuments(git, repository, documents, entries, onLost);
}

/**
 * The gate rule on everything staged, from the working state, as the pre-commit hook runs it: one
 * `git diff --cached --raw` for the staged paths and their blobs, and nothing more when each file
 * with AI spans is staged as its last known text and is that text on disk (the common commit).
 * `recorded` is the working state when the caller has read it already (store.loadAll()): each
 * state file is read once.
 */
export async function checkStagedChangesInStore(
  git: GitRunner,
  repository: RepositoryLocation,
  store: WorkingStateStore,
  index: IndexOptions = {},
  onLost?: (reason: string) => void,
  recorded?: readonly WorkingStateDocument[],
): Promise<StagedFileCheck[]> {
  const all = recorded ?? (await store.loadAll());
  if (all.length === 0) return [];
  const entries = await stagedChanges(git, repository, index);
  const documents = all.filter((document) => document.spans.length > 0 && entries.has(document.path));
  return checkStagedDocuments(git, repository, documents, entries, onLost);
}

async function documentsWithSpans(store: WorkingStateStore, repoPaths: readonly string[]): Promise<WorkingStateDocument[]> {
  const documents: WorkingStateDocument[] = [];
  for (const repoPath of repoPaths) {
    const document = await store.load(repoPath);
    if (document && document.spans.length > 0) documents.push(document);
  }
  return documents;
}

/**
 * The last known text of a document staged unchanged (its staged blob is its text blob), read from
 * the working tree when the file there is still that text (same sha256): no git process. Undefined
 * otherwise (the text then comes from git).
 */
async function knownTextOnDisk(repository: RepositoryLocation, document: WorkingStateDocument, entry: StagedEntry | undefined): Promise<string | undefined> {
  if (entry === undefined || entry.blob !== document.textBlob) return undefined;
  try {
    const text = await readWorkingTreeText(repository, document.path);
    return text !== undefined && text.length === document.textLength && (await nativeSha256HexInSlices(text)) === document.textSha256 ? text : undefined;
  } catch {
    return undefined; // over the size limit or unreadable here: git has the text
  }
}

/**
 * Checks documents against their staged entries. Texts not on disk (knownTextOnDisk) come from one
 * `cat-file` batch pair for every staged text and every last-known text (a file staged as last
 * recorded is read once).
 */
async function checkStagedDocuments(
  git: GitRunner,
  repository: RepositoryLocation,
  documents: readonly WorkingStateDocument[],
  entries: ReadonlyMap<string, StagedEntry>,
  onLost?: (reason: string) => void,
): Promise<StagedFileCheck[]> {
  const onDisk = new Map<string, string>();
  for (const document of documents) {
    const text = await knownTextOnDisk(repository, document, entries.get(document.path));
    if (text !== undefined) onDisk.set(document.path, text);
  }
  const toRead = documents.filter((document) => entries.has(document.path) && !onDisk.has(document.path));
  const blobIds = [
    ...toRead.map((document) => (entries.get(document.path) as StagedEntry).blob),
    ...toRead.filter((document) => document.textLength > 0).map((document) => document.textBlob),
  ];
  const blobs = await readBlobs(git, repository.topLevel, blobIds, MAX_DOCUMENT_BYTES);
  const checks: StagedFileCheck[] = [];
  const missing: MissingAiLines[] = [];
  for (const document of documents) {
    const entry = entries.get(document.path);
    if (!entry) continue;
    const fromDisk = onDisk.get(document.path);
    const known = fromDisk ?? (document.textLength === 0 ? '' : blobs.get(document.textBlob)?.text);
    if (known === undefined || (fromDisk === undefined && sha256Hex(known) !== document.textSha256)) {
      onLost?.(`the AI marks of ${document.path} cannot be placed: the text they were recorded on is gone from git`);
      continue;
    }
    const staged = fromDisk ?? blobs.get(entry.blob)?.text;
    if (staged === undefined) throw new Error(`cannot read the staged ${document.path}: ${blobs.get(entry.blob)?.problem ?? 'missing object'}`);
    const stagedText = staged.charCodeAt(0) === 0xfeff ? staged.slice(1) : staged;
    checks.push({ repoPath: document.path, blob: entry.blob, blocks: pendingBlocksInText(document.path, { text: known, spans: document.spans }, stagedText) });
    if (fromDisk === undefined) missing.push({ path: document.path, lines: aiLinesMissingFromBlob(known, document.spans, stagedText) });
  }
  return withFilterChangedLines(git, repository, checks, missing);
}

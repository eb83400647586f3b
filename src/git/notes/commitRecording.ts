/**
 * Recording a commit's AI lines in its note: the one flow from the pending spans
 * (recordPendingSpansOfCommit: the CLI's post-commit hook and the editor's commit event), and its
 * parts: mapping spans into the committed blobs with git (prepareCommitRecord, over the pure
 * buildCommitRecord of core/notes/recordFromSpans.ts) and writing a record of given files
 * (recordFilesOfCommit).
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Logger } from '../../core/logger';
import { buildCommitRecord, type CommitRecordResult, type CommittedBlob, type CommittedFileInput, type CommittedFileOutcome } from '../../core/notes/recordFromSpans';
import { noteFileProblem, notePathProblem } from '../../core/notes/noteParser';
import { assertObjectId, type GitRunner } from '../gitRunner';
import { MAX_DOCUMENT_BYTES, findRepository } from '../repository';
import { blobsAtPaths, readBlobs, type BlobRead } from '../blobReads';
import { gitBlobIdOfText } from '../blame/nativeSha256';
import { aiLinesChangedByFilters } from '../filteredLines';
import { patchIdOfCommit, readCommitChanges, type CommitChanges } from '../commitDiffs';
import { isQueued, recordQueueDirectory, unqueue } from './recordQueue';
import { resolveCommit, treeOfCommit } from '../revisions';
import { buildNoteRecord } from '../../core/notes/noteRecord';
import { attachAgentClaims } from '../../core/signing/attributionClaim';
import { loadClaims, removeClaims } from '../signing/claimStore';
import type { ApplyResult, NotesWriter } from './notesWriter';
import type { PendingSpanProvider } from './pendingSpans';
import { recordLineSha256, removeRecordingIntent, settleRecordingIntents, writeRecordingIntent } from './recordingIntents';
import { DEFAULT_FILE_LOCK_OPTIONS, withFileLock, type FileLockOptions } from '../workingState/fileLock';
import { signRecord, type SignerSource, type SigningOutcome } from '../signing/recordSigning';

/**
 * Committed files larger than this are not mapped; their spans stay pending. The same limit as
 * marking (`vouch mark`, the editor) and verifying: AI lines that could be marked can be recorded.
 */
const MAX_MAPPED_FILE_BYTES = MAX_DOCUMENT_BYTES;

function skippedFile(file: CommittedFileInput, reason: string): CommittedFileOutcome {
  return { path: file.path, committedPieces: [], committedSpanIds: [], pendingSpanIds: file.spans.map((span) => span.id), aiLines: 0, skipped: reason };
}

export interface RecordCommitResult extends CommitRecordResult {
  readonly commit: string;
  /**
   * Parents (oldest first) that a post-commit hook had queued but no recorder had recorded yet,
   * recorded first (each its own lines): see recordQueue.ts.
   */
  readonly queuedParents?: readonly RecordCommitResult[];
  /** Undefined when there was nothing to write. */
  readonly write?: ApplyResult;
  /** Who signed the record, or why it is unsigned (undefined when there was no record). */
  readonly signing?: SigningOutcome;
}

/** Maps the pending spans into the committed blobs and builds the commit's record, without writing it. */
export async function prepareCommitRecord(
  deps: { readonly git: GitRunner; readonly topLevel: string; readonly logger: Logger; readonly commonDir?: string },
  input: { readonly commit: string; readonly files: readonly CommittedFileInput[]; readonly changes?: CommitChanges },
): Promise<CommitRecordResult & { readonly commit: string; readonly claimFiles: readonly string[] }> {
  const { git, topLevel, logger } = deps;
  const changes = input.changes;
  const commit = changes ? changes.commit : await resolveCommit(git, topLevel, input.commit);
  const paths = input.files.map((file) => file.path);
  // Files among the commit's changes already have their blob ids; only others need a lookup.
  const unknownPaths = changes ? paths.filter((path) => !changes.paths.includes(path)) : paths;
  const [tree, patchId, looked] = await Promise.all([
    changes ? changes.tree : treeOfCommit(git, topLevel, commit),
    changes ? changes.patchId : patchIdOfCommit(git, topLevel, commit),
    unknownPaths.length > 0 || !changes ? blobsAtPaths(git, topLevel, commit, unknownPaths) : new Map<string, string>(),
  ]);
  const blobIds = new Map(looked);
  if (changes) for (const path of paths) if (changes.blobs.has(path)) blobIds.set(path, changes.blobs.get(path) as string);
  // A file committed as it is in the working tree (the common commit) is its blob already: git reads only the others.
  const texts = new Map<string, BlobRead>();
  for (const file of input.files) {
    const blob = blobIds.get(file.path);
    if (blob !== undefined && Buffer.byteLength(file.workingText, 'utf8') <= MAX_MAPPED_FILE_BYTES && gitBlobIdOfText(file.workingText, blob) === blob) texts.set(blob, { id: blob, text: file.workingText });
  }
  for (const [blob, read] of await readBlobs(git, topLevel, [...blobIds.values()].filter((blob) => !texts.has(blob)), MAX_MAPPED_FILE_BYTES)) texts.set(blob, read);
  const blobs = new Map<string, CommittedBlob>();
  // A file that cannot be recorded is skipped alone, with the real reason; the others still get their record.
  const skipped: CommittedFileOutcome[] = [];
  const mappable: CommittedFileInput[] = [];
  for (const file of input.files) {
    const nameProblem = notePathProblem(file.path);
    const blob = blobIds.get(file.path);
    const read = blob === undefined ? undefined : texts.get(blob);
    if (nameProblem) skipped.push(skippedFile(file, `cannot be recorded: ${nameProblem}`));
    else if (blob !== undefined && read?.text === undefined) {
      const problem = read?.problem ?? 'not read';
      skipped.push(skippedFile(file, read?.tooLarge ? `the committed file is ${problem} bytes, the limit for marking and recording AI lines` : `its blob could not be read (${problem})`));
    } else mappable.push(file);
    if (blob !== undefined && read?.text !== undefined) blobs.set(file.path, { path: file.path, blob, text: read.text });
  }
  let mapped = buildCommitRecord({ commit, tree, patchId, files: mappable, blobs });
  // A file whose part a reader would refuse (a name the note format does not take, from any pending
  // source) is skipped alone; the record is built again of the others.
  const refused = new Map<string, string>();
  for (const file of mapped.record?.statement.predicate.files ?? []) {
    const problem = noteFileProblem(file);
    if (problem) refused.set(file.path, problem);
  }
  if (refused.size > 0) {
    for (const file of mappable) if (refused.has(file.path)) skipped.push(skippedFile(file, `cannot be recorded: ${refused.get(file.path)}`));
    mapped = buildCommitRecord({ commit, tree, patchId, files: mappable.filter((file) => !refused.has(file.path)), blobs });
  }
  // AI lines git's filters changed on add cannot be placed in the blob: said per file, never left out silently.
  const filterChanged = await aiLinesChangedByFilters(git, topLevel, mapped.files.map((file) => ({ path: file.path, lines: file.missingAiLines ?? [] })));
  const outcomes = mapped.files.map((file) => (filterChanged.has(file.path) ? { ...file, filterChangedAiLines: filterChanged.get(file.path) } : file));
  const built = { ...mapped, files: [...outcomes, ...skipped] };
  if (!built.record) return { ...built, commit, claimFiles: [] };
  // Agents' signed claims about lines this record holds travel into it (one range each).
  const commonDir = deps.commonDir ?? (await findRepository(git, topLevel)).commonDir;
  const stored = loadClaims(commonDir, logger);
  if (stored.length === 0) return { ...built, commit, claimFiles: [] };
  const predicate = built.record.statement.predicate;
  const attached = attachAgentClaims(predicate.files, stored.map((claim) => claim.value));
  if (attached.used.length === 0) return { ...built, commit, claimFiles: [] };
  const record = buildNoteRecord({ commit: predicate.commit, tree: predicate.tree, patchId: predicate.patchId, files: attached.files });
  const claimFiles = stored.filter((claim) => attached.used.includes(claim.value)).map((claim) => claim.file);
  return { ...built, record, commit, claimFiles };
}

/** Builds, signs (with the user's key, when there is one) and writes the record of one commit; records pending from earlier runs are applied too. */
export async function recordFilesOfCommit(
  deps: { readonly git: GitRunner; readonly topLevel: string; readonly writer: NotesWriter; readonly logger: Logger; readonly signer?: SignerSource },
  input: { readonly commit: string; readonly files: readonly CommittedFileInput[] },
): Promise<RecordCommitResult> {
  const prepared = await prepareCommitRecord({ ...deps, commonDir: deps.writer.commonDir }, input);
  if (!prepared.record) return { ...prepared, write: await deps.writer.replayPending() };
  const signed = await signRecord(prepared.record, deps.signer, deps.logger);
  const write = await deps.writer.append([{ commit: prepared.commit, line: signed.record.line }]);
  removeClaims(prepared.claimFiles);
  return { ...prepared, record: signed.record, write, signing: signed.outcome };
}

/** A commit id already checked to name a commit of the repository (e.g. by findRepositoryAndCommit). */
export interface CheckedCommit {
  readonly commit: string;
}

export interface RecordFromPendingDeps {
  readonly git: GitRunner;
  readonly topLevel: string;
  readonly writer: NotesWriter;
  readonly logger: Logger;
  /** The user's signing key; without one the record is written unsigned. */
  readonly signer?: SignerSource;
}

/**
 * Records `revision`'s note from the pending spans of the files it changed. Once the record is in
 * the journal (durable: it reaches the ref now or with a later write), the characters it records
 * leave the pending state, before the ref is updated: a failed ref update then never leads a later
 * commit to record the same lines again. A line of a commit is recorded once, in that commit's record.
 * `revision` is resolved once the recorder holds the lock, unless it is a commit already checked.
 */
export async function recordPendingSpansOfCommit(deps: RecordFromPendingDeps, provider: PendingSpanProvider, revision: string | CheckedCommit): Promise<RecordCommitResult> {
  // Recorders take turns per repository: two editor windows and the post-commit hook may all record
  // the same new commit. Reading the pending spans and marking them committed happen under one lock,
  // so the recorder that comes second finds those characters committed and records nothing again.
  const lockDir = path.join(deps.writer.commonDir, 'vouch');
  await fs.mkdir(recordQueueDirectory(deps.writer.commonDir), { recursive: true });
  return withFileLock(path.join(lockDir, 'record-commit.lock'), deps.logger, RECORD_LOCK_OPTIONS, () => recordFromPendingNow(deps, provider, revision));
}

/** A recorder waits for another one as long as a busy machine may take to record a large commit. */
const RECORD_LOCK_OPTIONS: FileLockOptions = { ...DEFAULT_FILE_LOCK_OPTIONS, maxWaitMs: 120_000 };

/** How many queued parents one recording takes first, at most (a burst of commits made while their hooks start). */
const MAX_QUEUED_PARENTS = 16;

async function recordFromPendingNow(deps: RecordFromPendingDeps, provider: PendingSpanProvider, revision: string | CheckedCommit): Promise<RecordCommitResult> {
  const commit = typeof revision === 'string' ? await resolveCommit(deps.git, deps.topLevel, revision) : assertObjectId(revision.commit);
  // What a killed run journaled but never took out of the pending state leaves it first.
  await settleRecordingIntents(deps, provider);
  const changes = await readCommitChanges(deps.git, deps.topLevel, commit);
  // A parent whose post-commit hook has not recorded it yet is recorded first, so that this commit
  // does not take the parent's AI lines (still pending, and unchanged here) into its own record.
  // Only over the working state: a provider that does not consume what it hands out would give
  // the same spans to both.
  const queued: CommitChanges[] = [];
  if (provider.consumesCommitted) {
    for (let parent = changes.parents[0]; parent !== undefined && queued.length < MAX_QUEUED_PARENTS && (await isQueued(deps.writer.commonDir, parent)); ) {
      const parentChanges = await readCommitChanges(deps.git, deps.topLevel, parent);
      queued.push(parentChanges);
      parent = parentChanges.parents[0];
    }
  }
  const queuedParents: RecordCommitResult[] = [];
  for (const parentChanges of queued.reverse()) {
    queuedParents.push(await recordChanges(deps, provider, parentChanges));
    await unqueue(deps.writer.commonDir, parentChanges.commit);
  }
  const recorded = await recordChanges(deps, provider, changes);
  await unqueue(deps.writer.commonDir, commit);
  const write = await deps.writer.replayPending();
  return { ...recorded, write, ...(queuedParents.length > 0 ? { queuedParents } : {}) };
}

/** Records one commit's pending lines into the journal and takes them out of the pending state (the caller writes the ref). */
async function recordChanges(deps: RecordFromPendingDeps, provider: PendingSpanProvider, changes: CommitChanges): Promise<RecordCommitResult> {
  const commit = changes.commit;
  // A file the commit renamed (git mv) takes its AI spans along: they are pending under its old path.
  for (const rename of (await provider.followRenames?.(deps.git, deps.topLevel, commit)) ?? []) {
    deps.logger.warn(`vouch: ${rename.from} was renamed to ${rename.to} in ${commit.slice(0, 12)}; its AI marks follow it`);
  }
  const files = await provider.pendingFiles(deps.topLevel, changes.paths);
  const prepared = await prepareCommitRecord({ ...deps, commonDir: deps.writer.commonDir }, { commit, files, changes });
  // Signed before it is journaled: the journal holds the line that reaches the ref.
  const signed = prepared.record ? await signRecord(prepared.record, deps.signer, deps.logger) : undefined;
  const committed = prepared.files
    .filter((file) => file.committedPieces.length > 0)
    .map((file) => ({ path: file.path, pieces: file.committedPieces, committedBlob: changes.blobs.get(file.path) }));
  let intent: string | undefined;
  if (signed) {
    const files = signed.record.statement.predicate.files.map((file) => ({ path: file.path, blob: file.blob }));
    intent = await writeRecordingIntent(deps.writer, { topLevel: deps.topLevel, commit, lineSha256: recordLineSha256(signed.record.line), files });
    await deps.writer.journalRecords([{ commit, line: signed.record.line }]);
    removeClaims(prepared.claimFiles); // they are in the journaled record now
  }
  if (committed.length > 0) await provider.markCommitted(deps.topLevel, committed);
  if (intent) removeRecordingIntent(intent);
  return { ...prepared, ...(signed ? { record: signed.record, signing: signed.outcome } : {}) };
}

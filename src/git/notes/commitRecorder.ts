/** Records the AI lines of one commit: maps pending spans into the committed blobs and writes the record. */
import type { Logger } from '../../core/logger';
import { buildCommitRecord, type CommitRecordResult, type CommittedBlob, type CommittedFileInput, type CommittedFileOutcome } from '../../core/notes/commitRecord';
import { notePathProblem } from '../../core/notes/noteParser';
import type { GitRunner } from '../gitRunner';
import { MAX_DOCUMENT_BYTES, findRepository } from '../repository';
import { blobsAtPaths, patchIdOfCommit, readBlobs, resolveCommit, treeOfCommit, type CommitChanges } from './gitObjects';
import { buildNoteRecord } from '../../core/notes/noteRecord';
import { attachAgentClaims } from '../../core/signing/attributionClaim';
import { loadClaims, removeClaims } from '../signing/claimStore';
import type { ApplyResult, NotesWriter } from './notesWriter';
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
  const texts = await readBlobs(git, topLevel, [...blobIds.values()], MAX_MAPPED_FILE_BYTES);
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
  const mapped = buildCommitRecord({ commit, tree, patchId, files: mappable, blobs });
  const built = { ...mapped, files: [...mapped.files, ...skipped] };
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
export async function recordCommit(
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

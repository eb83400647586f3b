/** Records the AI lines of one commit: maps pending spans into the committed blobs and writes the record. */
import type { Logger } from '../../core/logger';
import { buildCommitRecord, type CommitRecordResult, type CommittedBlob, type CommittedFileInput } from '../../core/notes/commitRecord';
import type { GitRunner } from '../gitRunner';
import { blobsAtPaths, patchIdOfCommit, readBlobs, resolveCommit, resolveRepository, treeOfCommit } from './gitObjects';
import { buildNoteRecord } from '../../core/notes/noteRecord';
import { attachAgentClaims } from '../../core/signing/attributionClaim';
import { loadClaims, removeClaims } from '../signing/claimStore';
import type { ApplyResult, NotesWriter } from './notesWriter';
import { signRecord, type SignerSource, type SigningOutcome } from '../signing/recordSigning';

/** Committed files larger than this are not mapped; their spans stay pending. */
const MAX_MAPPED_FILE_BYTES = 16 * 1024 * 1024;

export interface RecordCommitResult extends CommitRecordResult {
  readonly commit: string;
  /** Undefined when there was nothing to write. */
  readonly write?: ApplyResult;
  /** Who signed the record, or why it is unsigned (undefined when there was no record). */
  readonly signing?: SigningOutcome;
}

/** Maps the pending spans into the committed blobs and builds the commit's record, without writing it. */
export async function prepareCommitRecord(
  deps: { readonly git: GitRunner; readonly topLevel: string; readonly logger: Logger },
  input: { readonly commit: string; readonly files: readonly CommittedFileInput[] },
): Promise<CommitRecordResult & { readonly commit: string; readonly claimFiles: readonly string[] }> {
  const { git, topLevel, logger } = deps;
  const commit = await resolveCommit(git, topLevel, input.commit);
  const [tree, patchId, blobIds] = await Promise.all([
    treeOfCommit(git, topLevel, commit),
    patchIdOfCommit(git, topLevel, commit),
    blobsAtPaths(
      git,
      topLevel,
      commit,
      input.files.map((file) => file.path),
    ),
  ]);
  const texts = await readBlobs(git, topLevel, [...blobIds.values()], MAX_MAPPED_FILE_BYTES);
  const blobs = new Map<string, CommittedBlob>();
  for (const [path, blob] of blobIds) {
    const read = texts.get(blob);
    if (read?.text !== undefined) blobs.set(path, { path, blob, text: read.text });
    else logger.warn(`vouch: ${path} in ${commit} not mapped: ${read?.problem ?? 'not read'}`);
  }
  const built = buildCommitRecord({ commit, tree, patchId, files: input.files, blobs });
  if (!built.record) return { ...built, commit, claimFiles: [] };
  // Agents' signed claims about lines this record holds travel into it (one range each).
  const { commonDir } = await resolveRepository(git, topLevel);
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
  const prepared = await prepareCommitRecord(deps, input);
  if (!prepared.record) return { ...prepared, write: await deps.writer.replayPending() };
  const signed = await signRecord(prepared.record, deps.signer, deps.logger);
  const write = await deps.writer.append([{ commit: prepared.commit, line: signed.record.line }]);
  removeClaims(prepared.claimFiles);
  return { ...prepared, record: signed.record, write, signing: signed.outcome };
}

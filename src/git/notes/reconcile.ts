/**
 * `vouch reconcile`: finds commits without a Vouch note whose content came from noted commits
 * (cherry-pick with or without -x, merge --squash, reset --soft + commit, split commits) and
 * writes records carried from the originals; reports noted commits whose records are stale.
 */
import type { Logger } from '../../core/logger';
import type { CarryMatch, NoteRecord } from '../../core/notes/noteRecord';
import { SearchBudget } from '../../core/notes/lineSearch';
import { carryRecord, type CarryTargetFile, type RecordCheck } from '../../core/notes/recordCheck';
import { GitError, assertObjectId, type GitRunner } from '../gitRunner';
import { addedLinesOfCommit, patchIdOfCommit } from '../commitDiffs';
import { blobLinesOf, blobsAtPaths, readBlobs } from '../blobReads';
import { readRef, treeOfCommit } from '../revisions';
import { MAX_DOCUMENT_BYTES } from '../repository';
import type { NotesReader } from './notesReader';
import type { NotesWriter } from './notesWriter';

/** The limit of marking, recording and verifying: a file that could hold a record can pass it on. */
const MAX_CARRY_FILE_BYTES = MAX_DOCUMENT_BYTES;
export const DEFAULT_RECONCILE_COMMITS = 200;

export interface CarriedRecordReport {
  readonly commit: string;
  readonly recordId: string;
  readonly fromRecordId: string;
  readonly fromCommit: string;
  readonly match: CarryMatch;
  readonly ranges: number;
}

export interface StaleRecordReport {
  readonly commit: string;
  readonly check: RecordCheck;
}

export interface ReconcileReport {
  readonly scannedCommits: number;
  readonly carried: readonly CarriedRecordReport[];
  readonly stale: readonly StaleRecordReport[];
  /** Records that could not be read (schema, size): never used as a source. */
  readonly rejected: readonly { readonly commit: string; readonly line: number; readonly reason: string }[];
}

export interface ReconcileDeps {
  readonly git: GitRunner;
  readonly topLevel: string;
  readonly reader: NotesReader;
  readonly writer: NotesWriter;
  readonly logger: Logger;
}

/** The record a carried record descends from, so a chain of cherry-picks carries the original once. */
function rootId(record: NoteRecord): string {
  return record.statement.predicate.carriedFrom?.recordId ?? record.recordId;
}

function uniqueByRoot(records: readonly NoteRecord[]): NoteRecord[] {
  const byRoot = new Map<string, NoteRecord>();
  for (const record of records) {
    const root = rootId(record);
    const kept = byRoot.get(root);
    if (!kept || (kept.statement.predicate.carriedFrom && !record.statement.predicate.carriedFrom)) byRoot.set(root, record);
  }
  return [...byRoot.values()];
}

/** The lines (by path) that records carried from source commits other than `sourceCommit` claim: a new set to claim more in. */
function linesClaimedByOthers(claimedBySource: ReadonlyMap<string, ReadonlyMap<string, ReadonlySet<number>>>, sourceCommit: string): Map<string, Set<number>> {
  const claimed = new Map<string, Set<number>>();
  for (const [commit, byPath] of claimedBySource) {
    if (commit === sourceCommit) continue;
    for (const [path, lines] of byPath) {
      const set = claimed.get(path) ?? new Set<number>();
      for (const line of lines) set.add(line);
      claimed.set(path, set);
    }
  }
  return claimed;
}

/** Notes the lines of `carried` as claimed by its source commit. */
function claimLines(claimedBySource: Map<string, Map<string, Set<number>>>, sourceCommit: string, carried: NoteRecord): void {
  const byPath = claimedBySource.get(sourceCommit) ?? new Map<string, Set<number>>();
  for (const file of carried.statement.predicate.files) {
    const lines = byPath.get(file.path) ?? new Set<number>();
    for (const range of file.ranges) for (let line = range.start; line <= range.end; line++) lines.add(line);
    byPath.set(file.path, lines);
  }
  claimedBySource.set(sourceCommit, byPath);
}

async function commitsInRange(git: GitRunner, cwd: string, range: string | undefined, maxCommits: number): Promise<string[]> {
  if (range !== undefined && (range.startsWith('-') || range.trim() === '')) throw new GitError('bad-revision', `not a revision range: ${JSON.stringify(range)}`, []);
  if (range === undefined && !(await readRef(git, cwd, 'HEAD'))) return [];
  const revisions = range === undefined ? ['HEAD'] : range.split(/\s+/).filter(Boolean);
  const result = await git.run(['rev-list', '--no-merges', `--max-count=${maxCommits}`, '--end-of-options', ...revisions, '--'], { cwd, okExitCodes: [128] });
  if (result.exitCode !== 0) throw new GitError('bad-revision', `not a commit range: ${range ?? 'HEAD'}: ${result.stderr.trim().split('\n')[0] ?? ''}`, []);
  return result.stdout.split('\n').filter(Boolean).map(assertObjectId);
}

export async function reconcileNotes(deps: ReconcileDeps, options: { readonly range?: string; readonly maxCommits?: number } = {}): Promise<ReconcileReport> {
  const { git, topLevel, reader, writer, logger } = deps;
  await writer.replayPending();
  const commits = await commitsInRange(git, topLevel, options.range, options.maxCommits ?? DEFAULT_RECONCILE_COMMITS);
  const noteBlobs = await reader.listNotes();
  const parsedByBlob = await reader.readNoteBlobs([...new Set(noteBlobs.values())]);
  const rejected: { commit: string; line: number; reason: string }[] = [];
  const allRecords: NoteRecord[] = [];
  for (const [commit, blob] of noteBlobs) {
    const parsed = parsedByBlob.get(blob);
    if (!parsed) continue;
    allRecords.push(...parsed.records);
    if (commits.includes(commit)) rejected.push(...parsed.rejected.map((item) => ({ commit, ...item })));
  }
  const notedPaths = new Set(allRecords.flatMap((record) => record.statement.predicate.files.map((file) => file.path)));

  const carried: CarriedRecordReport[] = [];
  const toWrite: { commit: string; line: string }[] = [];
  const ancestry = new Map<string, Promise<boolean>>();
  /** Whether `target` may hold content of `source`: it is not `source` itself nor one of its ancestors, and `source` exists here. */
  const comesAfter = (target: string, source: string): Promise<boolean> => {
    const key = `${target} ${source}`;
    let answer = ancestry.get(key);
    if (!answer) {
      answer = git
        .run(['merge-base', '--is-ancestor', assertObjectId(target), assertObjectId(source)], { cwd: topLevel, okExitCodes: [1, 128] })
        .then((result) => result.exitCode === 1);
      ancestry.set(key, answer);
    }
    return answer;
  };
  /**
   * Whether `target` descends from `source` and its parent still holds the lines of every range of
   * `carried` (a person moved or copied lines within the file): the source's record already covers
   * them in the target's history, and a line is recorded once. A descendant whose parent had lost
   * them (removed, then restored) still gets the carry.
   */
  const movesRecordedLines = async (target: string, source: string, carried: NoteRecord, linesOf: (blob: string | undefined) => string[] | undefined): Promise<boolean> => {
    const descends = await git.run(['merge-base', '--is-ancestor', assertObjectId(source), assertObjectId(target)], { cwd: topLevel, okExitCodes: [1, 128] });
    if (descends.exitCode !== 0) return false;
    const parent = (await git.run(['rev-parse', '--verify', '--quiet', '--end-of-options', `${target}^`], { cwd: topLevel, okExitCodes: [1, 128] })).stdout.trim();
    if (!parent) return false;
    const files = carried.statement.predicate.files;
    const parentBlobs = await blobsAtPaths(git, topLevel, assertObjectId(parent), files.map((file) => file.path));
    const parentLinesOf = blobLinesOf(await readBlobs(git, topLevel, [...new Set(parentBlobs.values())], MAX_CARRY_FILE_BYTES));
    for (const file of files) {
      const lines = linesOf(file.blob);
      const held = parentLinesOf(parentBlobs.get(file.path));
      if (!lines || !held) return false;
      const heldText = `\n${held.join('\n')}\n`;
      if (!file.ranges.every((range) => heldText.includes(`\n${lines.slice(range.start - 1, range.end).join('\n')}\n`))) return false;
    }
    return true;
  };
  for (const commit of commits) {
    if (noteBlobs.has(commit) || allRecords.length === 0) continue;
    const added = await addedLinesOfCommit(git, topLevel, commit);
    const changedPaths = [...added.keys()].filter((path) => notedPaths.has(path));
    if (changedPaths.length === 0) continue;
    const patchId = await patchIdOfCommit(git, topLevel, commit);
    const others = allRecords.filter((record) => record.statement.predicate.commit !== commit);
    const byPatch = patchId ? uniqueByRoot(others.filter((record) => record.statement.predicate.patchId === patchId)) : [];
    const match: CarryMatch = byPatch.length > 0 ? 'patch-id' : 'line-hashes';
    const sources =
      byPatch.length > 0 ? byPatch : uniqueByRoot(others.filter((record) => record.statement.predicate.files.some((file) => changedPaths.includes(file.path))));
    if (sources.length === 0) continue;
    const tree = await treeOfCommit(git, topLevel, commit);
    const blobIds = await blobsAtPaths(git, topLevel, commit, changedPaths);
    // The sources' own blobs too: with the recorded lines known, a range is found in linear time.
    const recordedBlobs = sources.flatMap((source) => source.statement.predicate.files.filter((file) => blobIds.has(file.path)).map((file) => file.blob));
    const linesOf = blobLinesOf(await readBlobs(git, topLevel, [...blobIds.values(), ...recordedBlobs], MAX_CARRY_FILE_BYTES));
    const files = new Map<string, CarryTargetFile>();
    for (const [path, blob] of blobIds) {
      const lines = linesOf(blob);
      if (lines) files.set(path, { blob, lines, addedLines: added.get(path) ?? new Set() });
    }
    // One budget per target commit, and lines claimed per source commit: the records of two source
    // commits never claim the same lines, while the records of one (the record its lines came with
    // and its approvals, vouch approve) name the same lines in the target as they do in the source.
    const budget = new SearchBudget();
    const claimedBySource = new Map<string, Map<string, Set<number>>>();
    for (const source of sources) {
      const sourceCommit = source.statement.predicate.commit;
      const trial = linesClaimedByOthers(claimedBySource, sourceCommit);
      const carriedRecord = carryRecord(source, { commit, tree, patchId, files }, match, { recordedLinesOf: (_path, blob) => linesOf(blob), budget, claimed: trial });
      // Content flows forward: a commit that is an ancestor of the source (its parent, say) cannot
      // hold lines the source's AI wrote, however alike the text (asked only when text matched).
      if (!carriedRecord || !(await comesAfter(commit, sourceCommit)) || (await movesRecordedLines(commit, sourceCommit, carriedRecord, linesOf))) continue;
      claimLines(claimedBySource, sourceCommit, carriedRecord);
      // Written unsigned: whoever runs reconcile did not review the lines, and a signature by them
      // over a record naming the reviewer would read as the review's own (docs/note-format.md,
      // "Signatures"). Its reviews count through the record it was carried from.
      const record = carriedRecord;
      toWrite.push({ commit, line: record.line });
      carried.push({
        commit,
        recordId: record.recordId,
        fromRecordId: source.recordId,
        fromCommit: sourceCommit,
        match,
        ranges: record.statement.predicate.files.reduce((sum, file) => sum + file.ranges.length, 0),
      });
    }
  }
  if (toWrite.length > 0) {
    await writer.append(toWrite);
    logger.info(`vouch: carried ${toWrite.length} record(s) to commits without a note`);
  }

  const stale: StaleRecordReport[] = [];
  for (const commit of commits) {
    const blob = noteBlobs.get(commit);
    const parsed = blob ? parsedByBlob.get(blob) : undefined;
    if (!parsed || parsed.records.length === 0) continue;
    const check = await reader.checkCommitNote(commit, parsed);
    for (const record of check?.records ?? []) if (record.status === 'stale') stale.push({ commit, check: record });
  }
  return { scannedCommits: commits.length, carried, stale, rejected };
}

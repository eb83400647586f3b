/**
 * Reads `refs/notes/vouch` in batch. Notes are hostile input: each note blob is type- and
 * size-checked before it is read, then parsed record by record (a bad record is rejected alone).
 */
import type { Logger } from '../../core/logger';
import { parseNote, type ParsedNote } from '../../core/notes/noteParser';
import { MAX_NOTE_BYTES, NOTES_REF } from '../../core/notes/noteRecord';
import { SearchBudget } from '../../core/notes/lineSearch';
import { checkRecord, type RecordCheck } from '../../core/notes/recordCheck';
import { assertObjectId, type GitRunner } from '../gitRunner';
import { MAX_DOCUMENT_BYTES } from '../repository';
import { blobLinesOf, blobsAtCommitPaths, commitPathKey, readBlobs } from '../blobReads';
import { readRef } from '../revisions';

/** Blob bytes read per batch when checking many commits: bounds memory, whatever the number of commits. */
const CHECK_BATCH_BYTES = 32 * 1024 * 1024;

export interface CommitNoteCheck {
  readonly commit: string;
  readonly records: readonly RecordCheck[];
  readonly rejected: ParsedNote['rejected'];
}

export class NotesReader {
  constructor(
    private readonly git: GitRunner,
    private readonly topLevel: string,
    private readonly logger: Logger,
    readonly ref: string = NOTES_REF,
  ) {}

  /** Every note on the ref: annotated commit id -> note blob id. Empty when the ref does not exist. */
  async listNotes(ref: string = this.ref): Promise<Map<string, string>> {
    const notes = new Map<string, string>();
    if (!(await readRef(this.git, this.topLevel, ref))) return notes;
    const result = await this.git.run(['notes', '--ref', ref, 'list'], { cwd: this.topLevel });
    for (const line of result.stdout.split('\n').filter(Boolean)) {
      const [blob, commit] = line.split(' ');
      notes.set(assertObjectId(commit), assertObjectId(blob));
    }
    return notes;
  }

  /**
   * The same map as `listNotes`, from one git process instead of two: `git notes list` of a ref that
   * does not exist lists nothing, so the existence check can be skipped where each process counts.
   */
  async listNotesInOneProcess(ref: string = this.ref): Promise<Map<string, string>> {
    const notes = new Map<string, string>();
    const result = await this.git.run(['notes', '--ref', ref, 'list'], { cwd: this.topLevel });
    for (const line of result.stdout.split('\n').filter(Boolean)) {
      const [blob, commit] = line.split(' ');
      notes.set(assertObjectId(commit), assertObjectId(blob));
    }
    return notes;
  }

  /** Parses the note blobs given (blob id -> parsed note); unreadable blobs give one rejection. */
  async readNoteBlobs(blobIds: readonly string[]): Promise<Map<string, ParsedNote>> {
    const parsed = new Map<string, ParsedNote>();
    const reads = await readBlobs(this.git, this.topLevel, blobIds, MAX_NOTE_BYTES);
    for (const [id, read] of reads) {
      if (read.text === undefined) {
        this.logger.warn(`vouch: note blob ${id} not read: ${read.problem}`);
        parsed.set(id, { records: [], rejected: [{ line: 0, reason: `note not read: ${read.problem}` }] });
      } else {
        parsed.set(id, parseNote(read.text));
      }
    }
    return parsed;
  }

  /** The parsed notes of `commits` (those without a note are absent). */
  async readNotes(commits: readonly string[], ref: string = this.ref): Promise<Map<string, ParsedNote>> {
    const all = await this.listNotes(ref);
    const wanted = commits.map(assertObjectId).filter((commit) => all.has(commit));
    const blobs = await this.readNoteBlobs(wanted.map((commit) => all.get(commit) as string));
    return new Map(wanted.map((commit) => [commit, blobs.get(all.get(commit) as string) as ParsedNote]));
  }

  async readNote(commit: string, ref: string = this.ref): Promise<ParsedNote | undefined> {
    const listed = await this.git.run(['notes', '--ref', ref, 'list', assertObjectId(commit)], { cwd: this.topLevel, okExitCodes: [1] });
    const blob = listed.stdout.trim();
    if (listed.exitCode !== 0 || !blob) return undefined;
    return (await this.readNoteBlobs([assertObjectId(blob)])).get(blob);
  }

  /** Checks every record of the note on `commit` against that commit's blobs (valid / moved / stale). */
  async checkCommitNote(commit: string, note?: ParsedNote): Promise<CommitNoteCheck | undefined> {
    const parsed = note ?? (await this.readNote(commit));
    if (!parsed) return undefined;
    return (await this.checkCommitNotes(new Map([[assertObjectId(commit), parsed]]))).get(commit);
  }

  /**
   * Checks the notes of many commits with a fixed number of git processes per batch of commits
   * (not per commit): one to find every file's blob, then blob reads batched by size. Files are read
   * only up to MAX_DOCUMENT_BYTES, the limit of marking and recording; larger ones report missing.
   * Where a record was written for other blobs (an amend, a rebase, a carry), those blobs are read
   * too, so a moved range is found in linear time.
   */
  async checkCommitNotes(notes: ReadonlyMap<string, ParsedNote>, runBudget?: SearchBudget): Promise<Map<string, CommitNoteCheck>> {
    const pairs = [...notes].flatMap(([commit, parsed]) => parsed.records.flatMap((record) => record.statement.predicate.files.map((file) => ({ commit, path: file.path }))));
    const blobAt = await blobsAtCommitPaths(this.git, this.topLevel, pairs);
    const needed = new Map<string, string[]>();
    for (const [commit, parsed] of notes) {
      const ids = new Set<string>();
      for (const record of parsed.records) {
        for (const file of record.statement.predicate.files) {
          const current = blobAt.get(commitPathKey(commit, file.path));
          if (current) ids.add(current);
          if (current !== file.blob) ids.add(file.blob);
        }
      }
      needed.set(commit, [...ids]);
    }
    const sizes = await this.blobSizes([...new Set([...needed.values()].flat())]);
    const checks = new Map<string, CommitNoteCheck>();
    let batch: string[] = [];
    let batchBytes = 0;
    const flush = async () => {
      const linesOf = blobLinesOf(await readBlobs(this.git, this.topLevel, [...new Set(batch.flatMap((commit) => needed.get(commit) ?? []))], MAX_DOCUMENT_BYTES));
      for (const commit of batch) {
        const parsed = notes.get(commit) as ParsedNote;
        // Each commit's searches have their own budget, within the run's when the caller gives one.
        const budget = new SearchBudget(undefined, runBudget);
        const records = parsed.records.map((record) =>
          checkRecord(record, commit, (path) => linesOf(blobAt.get(commitPathKey(commit, path))), { budget, recordedLinesOf: (_path, blob) => linesOf(blob) }),
        );
        checks.set(commit, { commit, records, rejected: parsed.rejected });
      }
      batch = [];
      batchBytes = 0;
    };
    for (const [commit, ids] of needed) {
      const bytes = ids.reduce((sum, id) => sum + Math.min(sizes.get(id) ?? 0, MAX_DOCUMENT_BYTES), 0);
      if (batch.length > 0 && batchBytes + bytes > CHECK_BATCH_BYTES) await flush();
      batch.push(commit);
      batchBytes += bytes;
    }
    if (batch.length > 0) await flush();
    return checks;
  }

  /** Sizes of the blobs among `ids` (other objects and missing ones are absent), in one process. */
  private async blobSizes(ids: readonly string[]): Promise<Map<string, number>> {
    const sizes = new Map<string, number>();
    if (ids.length === 0) return sizes;
    const wanted = new Set(ids);
    const result = await this.git.run(['cat-file', '--batch-check=%(objectname) %(objecttype) %(objectsize)'], { cwd: this.topLevel, input: `${ids.map(assertObjectId).join('\n')}\n` });
    for (const line of result.stdout.split('\n')) {
      const [id, type, size] = line.split(' ');
      if (type === 'blob' && wanted.has(id)) sizes.set(id, Number(size));
    }
    return sizes;
  }
}

/**
 * Reads `refs/notes/vouch` in batch. Notes are hostile input: each note blob is type- and
 * size-checked before it is read, then parsed record by record (a bad record is rejected alone).
 */
import type { Logger } from '../../core/logger';
import { splitLines } from '../../core/notes/lineRanges';
import { parseNote, type ParsedNote } from '../../core/notes/noteParser';
import { MAX_NOTE_BYTES, NOTES_REF } from '../../core/notes/noteRecord';
import { checkRecord, type RecordCheck } from '../../core/notes/recordCheck';
import { assertObjectId, type GitRunner } from '../gitRunner';
import { blobsAtPaths, readBlobs, readRef } from './gitObjects';

/** Files larger than this are not read to check line hashes; their ranges report stale. */
const MAX_CHECKED_FILE_BYTES = 64 * 1024 * 1024;

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
    const paths = [...new Set(parsed.records.flatMap((record) => record.statement.predicate.files.map((file) => file.path)))];
    const blobIds = await blobsAtPaths(this.git, this.topLevel, commit, paths);
    const texts = await readBlobs(this.git, this.topLevel, [...blobIds.values()], MAX_CHECKED_FILE_BYTES);
    const lines = new Map<string, string[]>();
    for (const [path, blob] of blobIds) {
      const text = texts.get(blob)?.text;
      if (text !== undefined) lines.set(path, splitLines(text));
    }
    return { commit, records: parsed.records.map((record) => checkRecord(record, commit, (path) => lines.get(path))), rejected: parsed.rejected };
  }
}

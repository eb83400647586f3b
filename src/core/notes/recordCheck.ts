/**
 * Checking a record against the blobs of the commit it is attached to, and re-attaching a record
 * to another commit whose content came from it. A range whose line hash no longer matches is
 * stale, never valid.
 */
import { sha256Hex } from '../textHash';
import { hashLines } from './lineRanges';
import type { ParsedNote } from './noteParser';
import { SearchBudget, searchLineWindows } from './lineSearch';
import { buildNoteRecord, type CarryMatch, type NoteFile, type NoteRange, type NoteRecord } from './noteRecord';

/** valid: the hash matches at the recorded lines; moved: the same lines are found elsewhere in the blob; stale: not found. */
export type RangeStatus = 'valid' | 'moved' | 'stale';

export interface RangeCheck {
  readonly start: number;
  readonly end: number;
  readonly status: RangeStatus;
  /** Where a moved range now starts (1-based). */
  readonly movedTo?: number;
  /** Why a stale range's verdict is not a plain "not found", e.g. the search stopped at its work budget. */
  readonly reason?: string;
  /** For an accepted range found in the commit: whether its review covers the lines found (reviewCoversLines). */
  readonly reviewCovers?: boolean;
}

/**
 * Whether the accepted review of `range` covers the range's lines, found in `lines` (a file's
 * lines) from line `at` on. Vouch writes the review's textHash as the range's sha256 when the
 * committed text is the text its reviewer accepted. Records of the first shape (record.firstShape)
 * hashed the reviewed span's text instead: writers that recorded aiShare left out the review of
 * text changed after it (so a review they kept covers the lines); earlier ones kept every review,
 * which covers the lines when it hashed exactly them (the span was these whole lines).
 */
export function reviewCoversLines(record: NoteRecord, range: NoteRange, lines: readonly string[], at: number): boolean {
  return reviewCoverageWithoutLines(record, range) ?? range.review?.textHash === sha256Hex(lines.slice(at - 1, at + range.end - range.start).join('\n'));
}

/**
 * reviewCoversLines as far as the record tells it without the committed lines: true or false, or
 * undefined when only the lines can tell (an earlier first-shape writer's review, which hashed the
 * reviewed span's text). Readers that have no lines at hand (blame, the editor's hover) read the
 * lines only then.
 */
export function reviewCoverageWithoutLines(record: NoteRecord, range: NoteRange): boolean | undefined {
  const review = range.review;
  if (review === null) return false;
  if (review.textHash === range.sha256) return true;
  if (!record.firstShape) return false;
  if (range.aiShare !== undefined) return true;
  return undefined;
}

/** Whether some accepted review of `record` covers its lines or not only as the lines tell (reviewCoverageWithoutLines). */
export function reviewCoverageNeedsLines(record: NoteRecord): boolean {
  return record.statement.predicate.files.some((file) => file.ranges.some((range) => range.review?.decision === 'accepted' && reviewCoverageWithoutLines(record, range) === undefined));
}

export interface CheckOptions {
  /**
   * The lines of the blob a record names for a file (the blob the ranges were written for), when
   * the repository has it: moved ranges are then found in linear time.
   */
  readonly recordedLinesOf?: (path: string, blob: string) => readonly string[] | undefined;
  /** Work budget for searching ranges whose recorded lines are unknown (default: one per call). */
  readonly budget?: SearchBudget;
}

/** The recorded text of a range, from the recorded blob, or undefined. */
function recordedPattern(lines: readonly string[] | undefined, range: NoteRange): readonly string[] | undefined {
  return lines && range.end <= lines.length ? lines.slice(range.start - 1, range.end) : undefined;
}

const BUDGET_REASON = 'not at its recorded lines, and the search for them elsewhere stopped at its work budget';

export interface FileCheck {
  readonly path: string;
  /** missing: the commit has no such file. */
  readonly status: 'valid' | 'stale' | 'missing';
  readonly ranges: readonly RangeCheck[];
}

export interface RecordCheck {
  readonly recordId: string;
  readonly status: 'valid' | 'stale';
  /** The record was written for another commit (carried by notes.rewriteRef, concatenated by a squash). */
  readonly writtenForOtherCommit: boolean;
  readonly files: readonly FileCheck[];
}

/**
 * Checks every range of `record` against the lines of the files of `commit`.
 * `linesOf(path)` returns the file's lines in that commit, or undefined when it has no such file.
 */
export function checkRecord(record: NoteRecord, commit: string, linesOf: (path: string) => readonly string[] | undefined, options: CheckOptions = {}): RecordCheck {
  const budget = options.budget ?? new SearchBudget();
  const files: FileCheck[] = record.statement.predicate.files.map((file) => {
    const lines = linesOf(file.path);
    if (!lines) {
      return { path: file.path, status: 'missing', ranges: file.ranges.map((range) => ({ start: range.start, end: range.end, status: 'stale' as const })) };
    }
    const ranges: RangeCheck[] = file.ranges.map((range) => {
      const reviewCovers = (at: number): { reviewCovers?: boolean } => (range.review?.decision === 'accepted' ? { reviewCovers: reviewCoversLines(record, range, lines, at) } : {});
      if (range.end <= lines.length && hashLines(lines, range.start, range.end) === range.sha256) {
        return { start: range.start, end: range.end, status: 'valid', ...reviewCovers(range.start) };
      }
      const pattern = recordedPattern(options.recordedLinesOf?.(file.path, file.blob), range);
      const found = searchLineWindows(lines, range.end - range.start + 1, range.sha256, range.start, { pattern, budget });
      const [movedTo] = found.starts;
      if (movedTo !== undefined) return { start: range.start, end: range.end, status: 'moved', movedTo, ...reviewCovers(movedTo) };
      return { start: range.start, end: range.end, status: 'stale', ...(found.budgetExceeded ? { reason: BUDGET_REASON } : {}) };
    });
    return { path: file.path, status: ranges.some((range) => range.status === 'stale') ? 'stale' : 'valid', ranges };
  });
  return {
    recordId: record.recordId,
    status: files.some((file) => file.status !== 'valid') ? 'stale' : 'valid',
    writtenForOtherCommit: record.statement.predicate.commit !== commit,
    files,
  };
}

/**
 * The review of `range` (found in `lines` from line `at` on) as a record written now states it: an
 * accepted review of a first-shape record that covers the lines (reviewCoversLines) gets their
 * hash as its textHash, so the carried record, which is of the current shape, says the same.
 */
function reviewAsWrittenNow(source: NoteRecord, range: NoteRange, lines: readonly string[], at: number): NoteRange['review'] {
  const review = range.review;
  if (!source.firstShape || review?.decision !== 'accepted' || review.textHash === range.sha256) return review;
  return reviewCoversLines(source, range, lines, at) ? { ...review, textHash: range.sha256 } : review;
}

export interface CarryTargetFile {
  readonly blob: string;
  readonly lines: readonly string[];
  /** 1-based lines the target commit added or changed relative to its first parent. */
  readonly addedLines: ReadonlySet<number>;
}

export interface CarryTarget {
  readonly commit: string;
  readonly tree: string;
  readonly patchId: string | null;
  readonly files: ReadonlyMap<string, CarryTargetFile>;
}

/** A range carried by line hashes alone must be at least this many lines... */
export const MIN_LINE_HASH_CARRY_LINES = 3;
/** ...holding at least this many non-whitespace characters... */
export const MIN_LINE_HASH_CARRY_CHARS = 32;
// ...and occur exactly once in the target's file. Short or common text (`}`, `return null;`) is
// written by humans every day: finding it again says nothing about where it came from.

/** Whether a window of lines is long and rich enough to identify AI text by its hash alone. */
export function identifiesByLineHashes(lines: readonly string[], start: number, length: number): boolean {
  if (length < MIN_LINE_HASH_CARRY_LINES) return false;
  let characters = 0;
  for (let index = start - 1; index < start - 1 + length; index++) characters += lines[index].replace(/\s+/g, '').length;
  return characters >= MIN_LINE_HASH_CARRY_CHARS;
}

export interface CarryOptions {
  /** The lines of the source record's blobs, when the repository has them (linear search). */
  readonly recordedLinesOf?: (path: string, blob: string) => readonly string[] | undefined;
  readonly budget?: SearchBudget;
  /** Target lines (per path) already claimed by another record for this commit: never claimed again. */
  readonly claimed?: Map<string, Set<number>>;
}

/**
 * A record for `target` holding the ranges of `source` found in the target's blobs by line hash,
 * marked as carried from the source record. With a patch-id match a range may sit anywhere in the
 * file. With a line-hash match a range is carried only when it identifies its text (at least
 * MIN_LINE_HASH_CARRY_LINES lines and MIN_LINE_HASH_CARRY_CHARS non-whitespace characters, found
 * exactly once in the target's file) and only into lines the target commit itself added, so that a
 * later commit that merely keeps old AI lines is not mistaken for their origin. Lines in `claimed`
 * are never given a second record. Undefined when no range is found.
 */
export function carryRecord(source: NoteRecord, target: CarryTarget, match: CarryMatch, options: CarryOptions = {}): NoteRecord | undefined {
  const budget = options.budget ?? new SearchBudget();
  const claimed = options.claimed ?? new Map<string, Set<number>>();
  const files: NoteFile[] = [];
  for (const sourceFile of source.statement.predicate.files) {
    const targetFile = target.files.get(sourceFile.path);
    if (!targetFile) continue;
    let used = claimed.get(sourceFile.path);
    if (!used) {
      used = new Set<number>();
      claimed.set(sourceFile.path, used);
    }
    const taken = used;
    const recordedLines = options.recordedLinesOf?.(sourceFile.path, sourceFile.blob);
    const ranges: NoteRange[] = [];
    for (const range of sourceFile.ranges) {
      const length = range.end - range.start + 1;
      const pattern = recordedPattern(recordedLines, range);
      let start: number | undefined;
      if (match === 'line-hashes') {
        // Every occurrence in the whole file: text found twice does not identify one origin.
        const found = searchLineWindows(targetFile.lines, length, range.sha256, range.start, { pattern, budget });
        const [only] = found.starts;
        const unique = found.starts.length === 1 && !found.budgetExceeded;
        let inAddedLines = unique;
        for (let line = only; unique && line < only + length; line++) if (!targetFile.addedLines.has(line) || taken.has(line)) inAddedLines = false;
        if (inAddedLines && identifiesByLineHashes(targetFile.lines, only, length)) start = only;
      } else {
        [start] = searchLineWindows(targetFile.lines, length, range.sha256, range.start, { pattern, budget, allowed: (line) => !taken.has(line) }).starts;
      }
      if (start === undefined) continue;
      for (let line = start; line < start + length; line++) taken.add(line);
      ranges.push({ ...range, start, end: start + length - 1, review: reviewAsWrittenNow(source, range, targetFile.lines, start) });
    }
    if (ranges.length > 0) files.push({ path: sourceFile.path, blob: targetFile.blob, ranges });
  }
  if (files.length === 0) return undefined;
  return buildNoteRecord({
    commit: target.commit,
    tree: target.tree,
    patchId: target.patchId,
    files,
    carriedFrom: { recordId: source.recordId, commit: source.statement.predicate.commit, match },
  });
}

/**
 * A note whose records were written for another commit (notes.rewriteRef carried it through an
 * amend or a rebase), with each range where its check found it in this commit: kept where valid,
 * moved where moved, left out where stale (its lines are no longer the recorded ones). Records
 * written for this commit stay as they are. `check` is the note's check (records in the note's order).
 */
export function placedWhereFound(note: ParsedNote, commit: string, check: { readonly records: readonly RecordCheck[] }): ParsedNote {
  const records = note.records.map((record, index) => {
    const recordCheck = check.records[index];
    if (record.statement.predicate.commit === commit || !recordCheck) return record;
    const files = record.statement.predicate.files
      .map((file) => {
        const fileCheck = recordCheck.files.find((checked) => checked.path === file.path);
        const ranges = file.ranges.flatMap((range, rangeIndex) => {
          const rangeCheck = fileCheck?.ranges[rangeIndex];
          if (!rangeCheck || rangeCheck.status === 'stale') return [];
          if (rangeCheck.status === 'valid' || rangeCheck.movedTo === undefined) return [range];
          return [{ ...range, start: rangeCheck.movedTo, end: rangeCheck.movedTo + range.end - range.start }];
        });
        return { ...file, ranges };
      })
      .filter((file) => file.ranges.length > 0);
    return { ...record, statement: { ...record.statement, predicate: { ...record.statement.predicate, files } } };
  });
  return { ...note, records };
}

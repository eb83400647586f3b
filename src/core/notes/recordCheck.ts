/**
 * Checking a record against the blobs of the commit it is attached to, and re-attaching a record
 * to another commit whose content came from it. A range whose line hash no longer matches is
 * stale, never valid.
 */
import { findLineWindows, hashLines } from './lineRanges';
import { buildNoteRecord, type CarryMatch, type NoteFile, type NoteRange, type NoteRecord } from './noteRecord';

/** valid: the hash matches at the recorded lines; moved: the same lines are found elsewhere in the blob; stale: not found. */
export type RangeStatus = 'valid' | 'moved' | 'stale';

export interface RangeCheck {
  readonly start: number;
  readonly end: number;
  readonly status: RangeStatus;
  /** Where a moved range now starts (1-based). */
  readonly movedTo?: number;
}

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
export function checkRecord(record: NoteRecord, commit: string, linesOf: (path: string) => readonly string[] | undefined): RecordCheck {
  const files: FileCheck[] = record.statement.predicate.files.map((file) => {
    const lines = linesOf(file.path);
    if (!lines) {
      return { path: file.path, status: 'missing', ranges: file.ranges.map((range) => ({ start: range.start, end: range.end, status: 'stale' as const })) };
    }
    const ranges: RangeCheck[] = file.ranges.map((range) => {
      if (range.end <= lines.length && hashLines(lines, range.start, range.end) === range.sha256) {
        return { start: range.start, end: range.end, status: 'valid' };
      }
      const [movedTo] = findLineWindows(lines, range.end - range.start + 1, range.sha256, range.start);
      return movedTo === undefined ? { start: range.start, end: range.end, status: 'stale' } : { start: range.start, end: range.end, status: 'moved', movedTo };
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

/**
 * A record for `target` holding the ranges of `source` found in the target's blobs by line hash,
 * marked as carried from the source record. With a patch-id match a range may sit anywhere in the
 * file; with a line-hash match only in lines the target commit itself added, so that a later
 * commit that merely keeps old AI lines is not mistaken for their origin. Undefined when no range is found.
 */
export function carryRecord(source: NoteRecord, target: CarryTarget, match: CarryMatch): NoteRecord | undefined {
  const files: NoteFile[] = [];
  for (const sourceFile of source.statement.predicate.files) {
    const targetFile = target.files.get(sourceFile.path);
    if (!targetFile) continue;
    const used = new Set<number>();
    const allowed = match === 'line-hashes' ? (line: number) => targetFile.addedLines.has(line) && !used.has(line) : (line: number) => !used.has(line);
    const ranges: NoteRange[] = [];
    for (const range of sourceFile.ranges) {
      const length = range.end - range.start + 1;
      const [start] = findLineWindows(targetFile.lines, length, range.sha256, range.start, allowed);
      if (start === undefined) continue;
      for (let line = start; line < start + length; line++) used.add(line);
      ranges.push({ ...range, start, end: start + length - 1 });
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

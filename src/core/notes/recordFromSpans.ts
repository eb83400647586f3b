/** Turning the pending AI spans of committed files into the record for the commit (pure). */
import type { AttributedSpan } from '../attribution';
import { buildNoteRanges, mapAttributionToBlob, splitLines, type CommittedPiece } from './lineRanges';
import { buildNoteRecord, type NoteFile, type NoteRange, type NoteRecord } from './noteRecord';
import { sha256Hex } from '../textHash';

/** One committed file as the working state knows it: its working text and the AI spans over it. */
export interface CommittedFileInput {
  readonly path: string;
  readonly workingText: string;
  readonly spans: readonly AttributedSpan[];
}

export interface CommittedBlob {
  readonly path: string;
  readonly blob: string;
  readonly text: string;
}

export interface CommittedFileOutcome {
  readonly path: string;
  /**
   * The span characters (offsets into the file's workingText) on lines that reached the commit:
   * this commit records them, so they leave the working state; the rest of each span stays pending.
   * A line of a commit is recorded once, in that commit's record.
   */
  readonly committedPieces: readonly CommittedPiece[];
  /** Spans that reached the commit whole. */
  readonly committedSpanIds: readonly string[];
  /** Spans (or parts) that did not reach the commit: their remainder stays pending. */
  readonly pendingSpanIds: readonly string[];
  /** AI lines recorded for this file. */
  readonly aiLines: number;
  /** Why nothing could be mapped (the file is not in the commit, the diff gave up), if so. */
  readonly skipped?: string;
  /** The working AI lines found nowhere unchanged in the blob (mapAttributionToBlob's missingAiLines); they stay pending. */
  readonly missingAiLines?: readonly string[];
  /**
   * How many of those git's filters changed on add (a clean filter, `ident`, `working-tree-encoding`),
   * so that no one can tell which committed lines they are: set by the git layer (aiLinesChangedByFilters).
   */
  readonly filterChangedAiLines?: number;
}

export interface CommitRecordResult {
  /** Undefined when no AI line reached the commit: no record is written then. */
  readonly record: NoteRecord | undefined;
  readonly files: readonly CommittedFileOutcome[];
}

/**
 * A note's review.textHash is the hash of the reviewed lines (the range's sha256) when the span's
 * text is still the text its reviewer accepted; otherwise it keeps the hash of the accepted text,
 * and `vouch verify` reports the lines as changed after the review.
 */
function reviewedLinesHashes(file: CommittedFileInput, ranges: NoteRange[]): NoteRange[] {
  const unchanged = new Set<string>();
  for (const span of file.spans) {
    if (span.review && sha256Hex(file.workingText.slice(span.start, span.end)) === span.review.textHash) unchanged.add(span.review.textHash);
  }
  return ranges.map((range) => (range.review && unchanged.has(range.review.textHash) ? { ...range, review: { ...range.review, textHash: range.sha256 } } : range));
}

export function buildCommitRecord(input: {
  readonly commit: string;
  readonly tree: string;
  readonly patchId: string | null;
  readonly files: readonly CommittedFileInput[];
  readonly blobs: ReadonlyMap<string, CommittedBlob>;
}): CommitRecordResult {
  const noteFiles: NoteFile[] = [];
  const outcomes: CommittedFileOutcome[] = [];
  for (const file of input.files) {
    const allIds = file.spans.map((span) => span.id);
    const blob = input.blobs.get(file.path);
    if (!blob) {
      outcomes.push({ path: file.path, committedPieces: [], committedSpanIds: [], pendingSpanIds: allIds, aiLines: 0, skipped: 'the file is not in the commit' });
      continue;
    }
    const mapped = mapAttributionToBlob(file.workingText, file.spans, blob.text);
    if (!mapped) {
      outcomes.push({ path: file.path, committedPieces: [], committedSpanIds: [], pendingSpanIds: allIds, aiLines: 0, skipped: 'the working text and the commit differ too much to map' });
      continue;
    }
    const ranges = reviewedLinesHashes(file, buildNoteRanges(splitLines(blob.text), mapped.lines));
    const aiLines = ranges.reduce((sum, range) => sum + range.end - range.start + 1, 0);
    if (ranges.length > 0) noteFiles.push({ path: file.path, blob: blob.blob, ranges });
    outcomes.push({ path: file.path, committedPieces: mapped.committedPieces, committedSpanIds: mapped.committedSpanIds, pendingSpanIds: mapped.pendingSpanIds, aiLines, ...(mapped.missingAiLines.length > 0 ? { missingAiLines: mapped.missingAiLines } : {}) });
  }
  const record = noteFiles.length > 0 ? buildNoteRecord({ commit: input.commit, tree: input.tree, patchId: input.patchId, files: noteFiles }) : undefined;
  return { record, files: outcomes };
}

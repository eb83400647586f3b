/**
 * Committed AI lines of the current text: git blame says which commit (and which line of that
 * commit's version of the file) each current line comes from; that commit's note says whether AI
 * wrote that line. Vouch notes win over git-ai notes for the same line. Pure.
 */
import type { Confidence, OriginKind } from '../attribution';
import { reviewSignatureCount, reviewSignerOf, type CarryOrigin } from '../notes/carryChain';
import type { ParsedNote } from '../notes/noteParser';
import { reviewCoverageWithoutLines, type RecordCheck } from '../notes/recordCheck';
import { rangeAiShare, type NoteReview } from '../notes/noteRecord';
import type { GitAiKeyKind, GitAiNote, GitAiRange } from './gitAiNote';

/** One line of `git blame --porcelain` output. */
export interface BlameLine {
  /** 1-based line of the blamed (current) text. */
  readonly finalLine: number;
  readonly commit: string;
  /** 1-based line in `commit`'s version of the file. */
  readonly originalLine: number;
  /** The file's path in `commit`. */
  readonly path: string;
}

export interface BlameCommitInfo {
  readonly commit: string;
  readonly author?: string;
  /** Seconds since the epoch. */
  readonly authorTime?: number;
  readonly summary?: string;
}

export type CommittedNoteSource = 'vouch' | 'git-ai';

export interface CommittedAiLine {
  /** 0-based line of the current text. */
  readonly line: number;
  readonly commit: string;
  readonly source: CommittedNoteSource;
  readonly path: string;
  readonly originalLine: number;
  readonly origin: { readonly kind?: OriginKind; readonly tool: string; readonly model?: string };
  readonly confidence?: Confidence;
  /** 0..1 as recorded at commit time (Vouch notes only). */
  readonly humanChangedShare?: number;
  /** 0..1: share of the range's non-whitespace characters the AI wrote (below 1 when a person wrote part of the lines; Vouch notes only). */
  readonly aiShare?: number;
  /** The recorded review (null: recorded as not reviewed); undefined when the source does not record reviews. */
  readonly review?: NoteReview | null;
  /**
   * For an accepted review: whether it covers the committed lines (reviewCoversLines, as vouch
   * verify decides); false: the text changed after this review (verify's reviewed-text-differs),
   * so the lines are not reviewed. Absent when unknown (the lines were not found in the commit).
   */
  readonly reviewCovers?: boolean;
  readonly commitInfo?: BlameCommitInfo;
  /**
   * The Vouch record holding the line: its id, the range as recorded, and how many signatures the
   * review has: the record's own, or for a record `vouch reconcile` carried, the original record's
   * (`carriedFrom`: its commit), never the carrier's (core/notes/carryChain.ts). `carryProblem`: a
   * carried record whose origin does not check out (then no signature counts).
   */
  readonly record?: {
    readonly id: string;
    readonly signatures: number;
    readonly start: number;
    readonly end: number;
    readonly carriedFrom?: string;
    readonly carryProblem?: string;
  };
  /** What git-ai recorded about the line's session (git-ai notes only). */
  readonly gitAi?: {
    readonly keyKind: GitAiKeyKind;
    readonly key: string;
    readonly conversationId?: string;
    readonly humanAuthor?: string;
  };
}

/** A line git-ai saw a known person type (`h_` key): not AI. */
export interface CommittedKnownHumanLine {
  /** 0-based line of the current text. */
  readonly line: number;
  readonly commit: string;
  readonly path: string;
  readonly originalLine: number;
  /** `Name <email>` as git-ai recorded it, when it did. */
  readonly author?: string;
}

interface IndexedRange {
  readonly start: number;
  readonly end: number;
  /** Which of several records holding a line speaks for it: an accepted review (a later approval) first. */
  readonly rank: number;
  readonly make: (line: number, blame: BlameLine) => CommittedAiLine;
}

/**
 * Checks of the notes (records in each note's order) whose accepted reviews only the committed
 * lines tell covered or not (reviewCoverageNeedsLines): their `reviewCovers`, by commit.
 */
export type ReviewCoverageChecks = ReadonlyMap<string, { readonly records: readonly RecordCheck[] }>;

/** The commits' ranges by commit and path, sorted by start, for binary search. */
function indexRanges(
  vouchNotes: ReadonlyMap<string, ParsedNote>,
  gitAiNotes: ReadonlyMap<string, GitAiNote>,
  commitInfo: ReadonlyMap<string, BlameCommitInfo>,
  origins: ReadonlyMap<string, CarryOrigin>,
  coverage: ReviewCoverageChecks,
): Map<string, Map<string, SortedRanges[]>> {
  const collected = new Map<string, Map<string, [IndexedRange[], IndexedRange[]]>>();
  const listOf = (commit: string, path: string, source: number) => {
    let byPath = collected.get(commit);
    if (!byPath) collected.set(commit, (byPath = new Map()));
    let lists = byPath.get(path);
    if (!lists) byPath.set(path, (lists = [[], []]));
    return lists[source];
  };
  const rangesOf = (commit: string, path: string) => listOf(commit, path, 0);
  for (const [commit, note] of vouchNotes) {
    note.records.forEach((record, recordIndex) => {
      const origin: CarryOrigin = record.statement.predicate.carriedFrom
        ? (origins.get(carryOriginKey(commit, record.recordId)) ?? { kind: 'broken', sourceFound: false, detail: 'the record it was carried from was not read' })
        : { kind: 'own' };
      record.statement.predicate.files.forEach((file, fileIndex) => {
        const ranges = rangesOf(commit, file.path);
        file.ranges.forEach((range, rangeIndex) => {
          const signer = reviewSignerOf(commit, record, origin, file.path, range);
          const carry = signer.ok ? (signer.carriedFrom === undefined ? {} : { carriedFrom: signer.carriedFrom }) : { carryProblem: signer.detail };
          // The one rule of vouch verify: told by the record, else by the check of the commit's lines.
          const covers =
            range.review?.decision === 'accepted'
              ? (reviewCoverageWithoutLines(record, range) ?? coverage.get(commit)?.records[recordIndex]?.files[fileIndex]?.ranges[rangeIndex]?.reviewCovers)
              : undefined;
          ranges.push({
            start: range.start,
            end: range.end,
            // A review of text changed after it ranks with a rejection: a later approval of the lines speaks for them.
            rank: range.review?.decision === 'accepted' && covers !== false ? 2 : range.review ? 1 : 0,
            make: (line, blame) => ({
              line,
              commit,
              source: 'vouch',
              path: blame.path,
              originalLine: blame.originalLine,
              origin: range.origin.model ? { kind: range.origin.kind, tool: range.origin.tool, model: range.origin.model } : { kind: range.origin.kind, tool: range.origin.tool },
              confidence: range.confidence,
              humanChangedShare: range.humanChangedShare,
              aiShare: rangeAiShare(range),
              review: range.review,
              ...(covers === undefined ? {} : { reviewCovers: covers }),
              commitInfo: commitInfo.get(commit),
              record: { id: record.recordId, signatures: reviewSignatureCount(signer), start: range.start, end: range.end, ...carry },
            }),
          });
        });
      });
    });
  }
  for (const [commit, note] of gitAiNotes) {
    for (const [path, fileRanges] of note.files) {
      const ranges = listOf(commit, path, 1);
      for (const range of fileRanges) ranges.push({ start: range.start, end: range.end, rank: 0, make: gitAiLine(commit, range, commitInfo) });
    }
  }
  // Per commit and path: Vouch ranges first, then git-ai ranges, each sorted for lookup.
  const index = new Map<string, Map<string, SortedRanges[]>>();
  for (const [commit, byPath] of collected) {
    index.set(commit, new Map([...byPath].map(([path, lists]) => [path, lists.map(sortRanges)])));
  }
  return index;
}

function gitAiLine(commit: string, range: GitAiRange, commitInfo: ReadonlyMap<string, BlameCommitInfo>): IndexedRange['make'] {
  return (line, blame) => ({
    line,
    commit,
    source: 'git-ai',
    path: blame.path,
    originalLine: blame.originalLine,
    origin: range.model ? { tool: range.tool, model: range.model } : { tool: range.tool },
    commitInfo: commitInfo.get(commit),
    gitAi: {
      keyKind: range.keyKind,
      key: range.key,
      ...(range.conversationId ? { conversationId: range.conversationId } : {}),
      ...(range.humanAuthor ? { humanAuthor: range.humanAuthor } : {}),
    },
  });
}

const MAX_WEIGHED_OVERLAPS = 64;

/** Ranges sorted by start, with the running maximum of their ends so a lookup can stop early. */
interface SortedRanges {
  readonly ranges: readonly IndexedRange[];
  readonly maxEndSoFar: readonly number[];
}

function sortRanges(ranges: IndexedRange[]): SortedRanges {
  ranges.sort((a, b) => a.start - b.start);
  const maxEndSoFar: number[] = [];
  let max = 0;
  for (const range of ranges) maxEndSoFar.push((max = Math.max(max, range.end)));
  return { ranges, maxEndSoFar };
}

/** The best-ranked range holding `line` (the latest of equals); exact also when hostile or merged notes hold overlapping ranges. */
function findRange(sorted: SortedRanges | undefined, line: number): IndexedRange | undefined {
  if (!sorted) return undefined;
  const { ranges, maxEndSoFar } = sorted;
  let low = 0;
  let high = ranges.length - 1;
  let found = -1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (ranges[middle].start <= line) {
      found = middle;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  let best: IndexedRange | undefined;
  // Past the first hit, only a bounded number of overlapping candidates is weighed (hostile notes).
  let weighed = 0;
  for (let index = found; index >= 0 && maxEndSoFar[index] >= line && weighed < MAX_WEIGHED_OVERLAPS; index--) {
    const range = ranges[index];
    if (best) weighed++;
    if (range.end >= line && (!best || range.rank > best.rank)) best = range;
    if (best?.rank === 2) break;
  }
  return best;
}

/** The key of `origins` (where carried records' reviews are signed) for a record in the note of `commit`. */
export function carryOriginKey(commit: string, recordId: string): string {
  return `${commit}\0${recordId}`;
}

/** The committed AI lines of the blamed text, sorted by line. `origins`: see carryOriginKey; `coverage`: see ReviewCoverageChecks. */
export function mapCommittedAiLines(
  blame: readonly BlameLine[],
  vouchNotes: ReadonlyMap<string, ParsedNote>,
  gitAiNotes: ReadonlyMap<string, GitAiNote> = new Map(),
  commitInfo: ReadonlyMap<string, BlameCommitInfo> = new Map(),
  origins: ReadonlyMap<string, CarryOrigin> = new Map(),
  coverage: ReviewCoverageChecks = new Map(),
): CommittedAiLine[] {
  const index = indexRanges(vouchNotes, gitAiNotes, commitInfo, origins, coverage);
  const result: CommittedAiLine[] = [];
  for (const entry of blame) {
    const lists = index.get(entry.commit)?.get(entry.path);
    if (!lists) continue;
    const range = findRange(lists[0], entry.originalLine) ?? findRange(lists[1], entry.originalLine);
    if (range) result.push(range.make(entry.finalLine - 1, entry));
  }
  return result.sort((a, b) => a.line - b.line);
}

/**
 * Lines of the blamed text that git-ai recorded as typed by a known person, except lines a Vouch
 * note records as AI (Vouch notes win, as for AI lines). Sorted by line.
 */
export function mapKnownHumanLines(blame: readonly BlameLine[], gitAiNotes: ReadonlyMap<string, GitAiNote>, aiLines: readonly CommittedAiLine[] = []): CommittedKnownHumanLine[] {
  const aiAt = new Set(aiLines.map((line) => line.line));
  const result: CommittedKnownHumanLine[] = [];
  for (const entry of blame) {
    const ranges = gitAiNotes.get(entry.commit)?.humans.get(entry.path);
    if (!ranges || aiAt.has(entry.finalLine - 1)) continue;
    const range = ranges.find((item) => item.start <= entry.originalLine && entry.originalLine <= item.end);
    if (range) result.push({ line: entry.finalLine - 1, commit: entry.commit, path: entry.path, originalLine: entry.originalLine, ...(range.author ? { author: range.author } : {}) });
  }
  return result;
}

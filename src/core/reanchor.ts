/**
 * Re-anchoring spans after a file changed outside the editor (another tool, a checkout, a CLI
 * agent): diff the last known text against the new text and carry each span through the diff.
 * Unchanged characters keep their attribution; inserted text is human; deleted text drops.
 *
 * Cost is bounded for big files: common prefix and suffix are cut off first, the rest is aligned
 * by lines (patience-style anchors on unique lines, Myers only on small regions, see alignLines),
 * and characters are diffed only inside each changed hunk (with caps on hunk size and character
 * edits). Past any cap the region counts as replaced: its attribution is lost, the safe direction.
 */
import { diffArrays, diffChars } from 'diff';
import type { AttributedSpan, TextReplacement } from './attribution';
import { AttributionLedger } from './ledger/attributionLedger';
import { randomId } from './randomId';
import { lineStartOffsets } from './text/lines';

export interface ReanchorLimits {
  /** Largest region without unique lines (old + new lines) that is aligned with a Myers line diff. */
  readonly maxLineDiffLines: number;
  /** Most line insertions + deletions that Myers line diff explores before treating its region as replaced. */
  readonly maxLineEdits: number;
  /** Largest changed hunk (old + new characters) that is refined by a character diff. */
  readonly maxHunkChars: number;
  /** Most character insertions + deletions explored inside one hunk. */
  readonly maxCharEdits: number;
}

export const DEFAULT_REANCHOR_LIMITS: ReanchorLimits = { maxLineDiffLines: 8000, maxLineEdits: 1000, maxHunkChars: 32_768, maxCharEdits: 1000 };

export interface ReanchorOptions {
  readonly limits?: ReanchorLimits;
  /** Id for the second and later pieces of a span that the change splits. */
  readonly newId?: () => string;
}

/**
 * The replacements (offsets in `oldText`, sorted, not touching each other) that turn `oldText`
 * into `newText`.
 */
export function computeTextReplacements(
  oldText: string,
  newText: string,
  limits: ReanchorLimits = DEFAULT_REANCHOR_LIMITS,
): TextReplacement[] {
  if (oldText === newText) return [];
  const shorter = Math.min(oldText.length, newText.length);
  let prefix = 0;
  while (prefix < shorter && oldText.charCodeAt(prefix) === newText.charCodeAt(prefix)) prefix++;
  // Cut at line boundaries so the line diff below sees whole lines.
  if (prefix > 0) prefix = oldText.lastIndexOf('\n', prefix - 1) + 1;
  let suffix = 0;
  while (
    suffix < shorter - prefix &&
    oldText.charCodeAt(oldText.length - 1 - suffix) === newText.charCodeAt(newText.length - 1 - suffix)
  ) {
    suffix++;
  }
  if (suffix > 0) {
    const newlineInSuffix = oldText.indexOf('\n', oldText.length - suffix);
    suffix = newlineInSuffix === -1 ? 0 : oldText.length - newlineInSuffix - 1;
  }
  const oldMiddle = oldText.slice(prefix, oldText.length - suffix);
  const newMiddle = newText.slice(prefix, newText.length - suffix);
  const out = new ReplacementCollector();
  if (oldMiddle.length === 0 || newMiddle.length === 0) {
    out.replace(prefix, oldMiddle.length, newMiddle);
    return out.result();
  }
  const oldLines = lineStarts(oldMiddle);
  const newLines = lineStarts(newMiddle);
  const matches = alignLines(oldMiddle, oldLines, newMiddle, newLines, limits);
  let oldLine = 0;
  let newLine = 0;
  const lineCount = (starts: number[]): number => starts.length - 1;
  for (const [matchedOld, matchedNew] of [...matches, [lineCount(oldLines), lineCount(newLines)]]) {
    if (matchedOld > oldLine || matchedNew > newLine) {
      refineHunk(
        out,
        prefix + oldLines[oldLine],
        oldMiddle.slice(oldLines[oldLine], oldLines[matchedOld]),
        newMiddle.slice(newLines[newLine], newLines[matchedNew]),
        limits,
      );
    }
    oldLine = matchedOld + 1;
    newLine = matchedNew + 1;
  }
  return out.result();
}

/** Offsets where each line starts, plus the text length (so line i is [starts[i], starts[i+1])). */
function lineStarts(text: string): number[] {
  const starts = lineStartOffsets(text);
  // A final '\n' ends the last line here; it starts none.
  if (starts.length > 1 && starts[starts.length - 1] === text.length) starts.pop();
  starts.push(text.length);
  return starts;
}

/**
 * Pairs of equal lines (old index, new index), increasing in both. Patience-style, so cost stays
 * near-linear for big files with edits all over them: equal lines at the ends of a region match
 * directly; lines that occur exactly once on each side anchor the region (longest increasing run
 * of such pairs) and the gaps between anchors are aligned the same way; a region without unique
 * lines is diffed with Myers' algorithm (the `diff` package) only when it is small, with a cap on
 * edits. An unaligned region counts as replaced.
 */
function alignLines(oldText: string, oldStarts: number[], newText: string, newStarts: number[], limits: ReanchorLimits): [number, number][] {
  const oldLines = Array.from({ length: oldStarts.length - 1 }, (_, i) => oldText.slice(oldStarts[i], oldStarts[i + 1]));
  const newLines = Array.from({ length: newStarts.length - 1 }, (_, i) => newText.slice(newStarts[i], newStarts[i + 1]));
  const matches: [number, number][] = [];
  const regions: [number, number, number, number][] = [[0, oldLines.length, 0, newLines.length]];
  for (let region = regions.pop(); region; region = regions.pop()) {
    let [oldStart, oldEnd, newStart, newEnd] = region;
    while (oldStart < oldEnd && newStart < newEnd && oldLines[oldStart] === newLines[newStart]) matches.push([oldStart++, newStart++]);
    while (oldStart < oldEnd && newStart < newEnd && oldLines[oldEnd - 1] === newLines[newEnd - 1]) matches.push([--oldEnd, --newEnd]);
    if (oldStart === oldEnd || newStart === newEnd) continue;
    const anchors = uniqueLineAnchors(oldLines, oldStart, oldEnd, newLines, newStart, newEnd);
    if (anchors.length > 0) {
      let previousOld = oldStart;
      let previousNew = newStart;
      for (const [anchorOld, anchorNew] of anchors) {
        regions.push([previousOld, anchorOld, previousNew, anchorNew]);
        matches.push([anchorOld, anchorNew]);
        previousOld = anchorOld + 1;
        previousNew = anchorNew + 1;
      }
      regions.push([previousOld, oldEnd, previousNew, newEnd]);
      continue;
    }
    if (oldEnd - oldStart + (newEnd - newStart) > limits.maxLineDiffLines) continue;
    const changes = diffArrays(oldLines.slice(oldStart, oldEnd), newLines.slice(newStart, newEnd), { maxEditLength: limits.maxLineEdits });
    if (!changes) continue;
    let oldIndex = oldStart;
    let newIndex = newStart;
    for (const change of changes) {
      if (change.removed) oldIndex += change.count;
      else if (change.added) newIndex += change.count;
      else for (let i = 0; i < change.count; i++) matches.push([oldIndex++, newIndex++]);
    }
  }
  return matches.sort((a, b) => a[0] - b[0]);
}

/** Lines occurring once in each region, paired, reduced to the longest run increasing on both sides. */
function uniqueLineAnchors(
  oldLines: readonly string[],
  oldStart: number,
  oldEnd: number,
  newLines: readonly string[],
  newStart: number,
  newEnd: number,
): [number, number][] {
  const seen = new Map<string, { oldCount: number; oldIndex: number; newCount: number; newIndex: number }>();
  for (let i = oldStart; i < oldEnd; i++) {
    const entry = seen.get(oldLines[i]);
    if (entry) entry.oldCount++;
    else seen.set(oldLines[i], { oldCount: 1, oldIndex: i, newCount: 0, newIndex: -1 });
  }
  for (let i = newStart; i < newEnd; i++) {
    const entry = seen.get(newLines[i]);
    if (!entry) continue;
    entry.newCount++;
    entry.newIndex = i;
  }
  const pairs: [number, number][] = [];
  for (const entry of seen.values()) {
    if (entry.oldCount === 1 && entry.newCount === 1) pairs.push([entry.oldIndex, entry.newIndex]);
  }
  pairs.sort((a, b) => a[1] - b[1]);
  return longestIncreasingByOld(pairs);
}

/** Patience sorting: the longest subsequence of pairs (sorted by new index) whose old index increases. */
function longestIncreasingByOld(pairs: readonly [number, number][]): [number, number][] {
  const tails: number[] = []; // index into pairs of the smallest tail of each run length
  const previous = new Array<number>(pairs.length);
  for (let i = 0; i < pairs.length; i++) {
    let low = 0;
    let high = tails.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (pairs[tails[middle]][0] < pairs[i][0]) low = middle + 1;
      else high = middle;
    }
    previous[i] = low > 0 ? tails[low - 1] : -1;
    tails[low] = i;
  }
  const run: [number, number][] = [];
  for (let i = tails.length > 0 ? tails[tails.length - 1] : -1; i !== -1; i = previous[i]) run.push(pairs[i]);
  return run.reverse();
}

/** Emits the replacements of one changed hunk, refined by a bounded character diff when affordable. */
function refineHunk(out: ReplacementCollector, oldOffset: number, removed: string, added: string, limits: ReanchorLimits): void {
  if (!removed || !added) {
    out.replace(oldOffset, removed.length, added);
    return;
  }
  if (removed.length + added.length > limits.maxHunkChars) {
    // Too big to diff by characters as a whole. When it has as many lines on both sides (every
    // line edited in place: a rename, a reformat), pair the lines and keep each pair's common
    // start and end, when they are most of the line; else the hunk is replaced.
    const removedLines = lineStarts(removed);
    const addedLines = lineStarts(added);
    if (removedLines.length !== addedLines.length || removedLines.length <= 2) {
      out.replace(oldOffset, removed.length, added);
      return;
    }
    for (let i = 0; i + 1 < removedLines.length; i++) {
      replaceKeepingCommonEnds(
        out,
        oldOffset + removedLines[i],
        removed.slice(removedLines[i], removedLines[i + 1]),
        added.slice(addedLines[i], addedLines[i + 1]),
      );
    }
    return;
  }
  const charChanges = diffChars(removed, added, { maxEditLength: limits.maxCharEdits });
  if (!charChanges) {
    out.replace(oldOffset, removed.length, added);
    return;
  }
  let offset = oldOffset;
  for (const change of charChanges) {
    if (change.removed) {
      out.replace(offset, change.value.length, '');
      offset += change.value.length;
    } else if (change.added) {
      out.replace(offset, 0, change.value);
    } else {
      offset += change.value.length;
    }
  }
}

/** One line edited in place: its common start and end are kept when they make up at least half of it. */
function replaceKeepingCommonEnds(out: ReplacementCollector, oldOffset: number, removed: string, added: string): void {
  const shorter = Math.min(removed.length, added.length);
  let start = 0;
  while (start < shorter && removed.charCodeAt(start) === added.charCodeAt(start)) start++;
  let end = 0;
  while (end < shorter - start && removed.charCodeAt(removed.length - 1 - end) === added.charCodeAt(added.length - 1 - end)) end++;
  if ((start + end) * 2 < Math.max(removed.length, added.length)) {
    out.replace(oldOffset, removed.length, added);
    return;
  }
  out.replace(oldOffset + start, removed.length - start - end, added.slice(start, added.length - end));
}

/** Collects replacements in increasing old offset and joins those that touch into one. */
class ReplacementCollector {
  private readonly replacements: { offset: number; deletedLength: number; insertedText: string }[] = [];

  replace(offset: number, deletedLength: number, insertedText: string): void {
    if (deletedLength === 0 && insertedText.length === 0) return;
    const last = this.replacements[this.replacements.length - 1];
    if (last && last.offset + last.deletedLength === offset) {
      last.deletedLength += deletedLength;
      last.insertedText += insertedText;
      return;
    }
    this.replacements.push({ offset, deletedLength, insertedText });
  }

  result(): TextReplacement[] {
    return this.replacements;
  }
}

/**
 * Carries spans (offsets in the old text) through replacements (offsets in the old text, not
 * overlapping) as human edits, with the ledger's own rules (see ledger/attributionLedger.ts): a
 * span loses the characters a replacement deletes, text inserted strictly inside it splits it (the
 * first piece keeps the id, later pieces get new ids), text inserted at its edge stays outside it,
 * deleted characters count as changed by a human, and every piece keeps origin and review.
 */
export function mapSpansThroughReplacements(
  spans: readonly AttributedSpan[],
  replacements: readonly TextReplacement[],
  newId: () => string = randomId,
): AttributedSpan[] {
  if (replacements.length === 0) return spans.slice();
  const ledger = AttributionLedger.fromSpans(spans, { newId, historyLimit: 1 });
  ledger.applyChanges(replacements, { kind: 'human' });
  return ledger.spans();
}

/** Spans of `oldText` re-anchored onto `newText`. */
export function reanchorSpans(
  oldText: string,
  newText: string,
  spans: readonly AttributedSpan[],
  options: ReanchorOptions = {},
): AttributedSpan[] {
  if (oldText === newText) return spans.slice();
  const replacements = computeTextReplacements(oldText, newText, options.limits);
  return mapSpansThroughReplacements(spans, replacements, options.newId);
}

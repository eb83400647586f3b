/**
 * Re-anchoring spans after a file changed outside the editor (another tool, a checkout, a CLI
 * agent): diff the last known text against the new text and carry each span through the diff.
 * Unchanged characters keep their attribution; inserted text is human; deleted text drops.
 *
 * Cost is bounded for big files: common prefix and suffix are cut off first, the rest is diffed
 * by lines (with a cap on the number of line edits), and characters are diffed only inside each
 * changed hunk (with caps on hunk size and character edits). Past any cap the region counts as
 * replaced: its attribution is lost, which is the safe direction.
 */
import { diffChars, diffLines } from 'diff';
import type { AttributedSpan, TextReplacement } from './attribution';
import { AttributionLedger } from './ledger/attributionLedger';

export interface ReanchorLimits {
  /** Most line insertions + deletions the line diff explores before treating the middle as replaced. */
  readonly maxLineEdits: number;
  /** Largest changed hunk (old + new characters) that is refined by a character diff. */
  readonly maxHunkChars: number;
  /** Most character insertions + deletions explored inside one hunk. */
  readonly maxCharEdits: number;
}

export const DEFAULT_REANCHOR_LIMITS: ReanchorLimits = { maxLineEdits: 2000, maxHunkChars: 32_768, maxCharEdits: 1000 };

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
  const lineChanges = diffLines(oldMiddle, newMiddle, { maxEditLength: limits.maxLineEdits });
  if (!lineChanges) {
    refineHunk(out, prefix, oldMiddle, newMiddle, limits);
    return out.result();
  }
  let oldOffset = prefix;
  let removed = '';
  let added = '';
  const flush = (): void => {
    if (removed || added) refineHunk(out, oldOffset, removed, added, limits);
    oldOffset += removed.length;
    removed = '';
    added = '';
  };
  for (const change of lineChanges) {
    if (change.removed) removed += change.value;
    else if (change.added) added += change.value;
    else {
      flush();
      oldOffset += change.value.length;
    }
  }
  flush();
  return out.result();
}

/** Emits the replacements of one changed hunk, refined by a bounded character diff when affordable. */
function refineHunk(out: ReplacementCollector, oldOffset: number, removed: string, added: string, limits: ReanchorLimits): void {
  if (!removed || !added || removed.length + added.length > limits.maxHunkChars) {
    out.replace(oldOffset, removed.length, added);
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

/** A uuid from the Web Crypto global (node >= 20 and browsers), so core needs no node import. */
function randomId(): string {
  return globalThis.crypto.randomUUID();
}

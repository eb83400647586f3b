/**
 * Pure rules of the heuristic detectors: which signals around an editor change make it AI, and
 * which make it certainly human. The host gathers the signals (open chat-editing documents, paste
 * records, git activity, visible editors...); these functions only weigh them, so the rules are
 * unit-tested without an editor.
 */
import type { Confidence, OriginKind, TextReplacement } from '../attribution';

/** Why a change was left to the human. */
export type HumanReason =
  | 'paste'
  | 'save-participant'
  | 'git-operation'
  | 'typing'
  | 'refactoring'
  | 'below-threshold'
  | 'visible-editor'
  | 'detector-off'
  | 'no-signal';

export type ChangeVerdict =
  | { readonly author: 'human'; readonly reason: HumanReason }
  | {
      readonly author: 'ai';
      readonly kind: OriginKind;
      readonly confidence: Confidence;
      /** The signal that decided it (for the log). */
      readonly signal: 'chat-editing-document' | 'agent-diff-tab' | 'hidden-editor' | 'disk-reload';
      readonly tool?: string;
      readonly session?: string;
    };

/** What the host knows about one content-change event (no undo/redo: those go to the ledger's history). */
export interface ChangeSignals {
  readonly changes: readonly TextReplacement[];
  /** The event's inserted text matches a paste recorded by the paste provider. */
  readonly pasted: boolean;
  /** The document is between onWillSave and onDidSave (format on save, code actions on save). */
  readonly inSaveParticipant: boolean;
  /** A git checkout/pull/stash/reset is under way or just ended. */
  readonly gitOperation: boolean;
  /** The same event batch also changed another document that a person is looking at (rename, refactorings). */
  readonly partOfVisibleBatch: boolean;
  /** A chat-editing document for this file is open: Copilot chat/agent edits it. */
  readonly chatEditing?: { readonly session?: string; readonly tool: string };
  /** A diff tab of a known agent extension shows this file. */
  readonly agentDiffTab?: { readonly tool: string };
  /** The document is shown in a visible editor. */
  readonly visible: boolean;
  /**
   * The document was clean before and the editor reports it clean with the change: it may have
   * been reloaded from disk (the host confirms with the file watcher and the dirty state later;
   * the first edit of a clean document also arrives with the clean flag).
   */
  readonly reloadedFromDisk: boolean;
  readonly settings: DetectionSwitches;
}

export interface DetectionSwitches {
  readonly chatEdits: boolean;
  readonly agentDiffTabs: boolean;
  readonly hiddenEditorEdits: boolean;
  readonly externalWrites: boolean;
  readonly minimumHeuristicChars: number;
}

/** Characters the changes insert, not counting whitespace (auto-indent is not content). */
export function insertedContentChars(changes: readonly TextReplacement[]): number {
  let count = 0;
  for (const change of changes) {
    const text = change.insertedText;
    for (let index = 0; index < text.length; index++) {
      const code = text.charCodeAt(index);
      if (code !== 32 && code !== 9 && code !== 10 && code !== 13) count++;
    }
  }
  return count;
}

/**
 * Keystrokes: every change inserts at most two content characters (a character, an auto-closed
 * pair, an IME composition step, one per cursor) plus whitespace (Enter with auto-indent), or
 * only deletes.
 */
export function looksLikeTyping(changes: readonly TextReplacement[]): boolean {
  return changes.every((change) => insertedContentChars([change]) <= 2);
}

/** Rename-like: several changes that all insert the same short single-line text. */
export function looksLikeRename(changes: readonly TextReplacement[]): boolean {
  if (changes.length < 2) return false;
  const first = changes[0].insertedText;
  if (first.length === 0 || first.length > 200 || first.includes('\n')) return false;
  return changes.every((change) => change.insertedText === first);
}

/** Decides who made a change that no AI edit window claimed. */
export function classifyChange(signals: ChangeSignals): ChangeVerdict {
  const { changes, settings } = signals;
  if (signals.pasted) return { author: 'human', reason: 'paste' };
  if (signals.inSaveParticipant) return { author: 'human', reason: 'save-participant' };
  if (signals.gitOperation) return { author: 'human', reason: 'git-operation' };
  if (insertedContentChars(changes) === 0) return { author: 'human', reason: 'typing' };
  if (looksLikeTyping(changes) && !signals.reloadedFromDisk) return { author: 'human', reason: 'typing' };
  if (signals.partOfVisibleBatch || looksLikeRename(changes)) return { author: 'human', reason: 'refactoring' };
  if (signals.chatEditing) {
    if (!settings.chatEdits) return { author: 'human', reason: 'detector-off' };
    return {
      author: 'ai',
      kind: 'chat',
      confidence: 'high',
      signal: 'chat-editing-document',
      tool: signals.chatEditing.tool,
      ...(signals.chatEditing.session ? { session: signals.chatEditing.session } : {}),
    };
  }
  if (signals.agentDiffTab) {
    if (!settings.agentDiffTabs) return { author: 'human', reason: 'detector-off' };
    return { author: 'ai', kind: 'agent', confidence: 'high', signal: 'agent-diff-tab', tool: signals.agentDiffTab.tool };
  }
  if (signals.reloadedFromDisk) {
    if (!settings.externalWrites) return { author: 'human', reason: 'detector-off' };
    if (insertedContentChars(changes) < settings.minimumHeuristicChars) return { author: 'human', reason: 'below-threshold' };
    return { author: 'ai', kind: 'external-write', confidence: 'medium', signal: 'disk-reload' };
  }
  if (signals.visible) return { author: 'human', reason: 'visible-editor' };
  if (!settings.hiddenEditorEdits) return { author: 'human', reason: 'detector-off' };
  if (insertedContentChars(changes) < settings.minimumHeuristicChars) return { author: 'human', reason: 'below-threshold' };
  return { author: 'ai', kind: 'agent', confidence: 'medium', signal: 'hidden-editor' };
}

export interface OffsetRange {
  readonly start: number;
  readonly end: number;
}

/**
 * Where the inserted text of one event lies in the text AFTER the event (of the changes `counts`
 * keeps, when given). VS Code reports the changes of one event with offsets into the text before
 * it, non-overlapping, in any order.
 */
export function insertedRangesAfter(changes: readonly TextReplacement[], counts?: (change: TextReplacement) => boolean): OffsetRange[] {
  const sorted = [...changes].sort((a, b) => a.offset - b.offset);
  const ranges: OffsetRange[] = [];
  let delta = 0;
  for (const change of sorted) {
    const start = change.offset + delta;
    if (change.insertedText.length > 0 && (counts === undefined || counts(change))) ranges.push({ start, end: start + change.insertedText.length });
    delta += change.insertedText.length - change.deletedLength;
  }
  return ranges;
}

/**
 * Moves a range through a later event's changes (offsets before that event). Text replaced inside
 * the range is no longer the text the range described, so it is cut out; the pieces around it
 * survive.
 */
export function mapRangeThroughChanges(range: OffsetRange, changes: readonly TextReplacement[]): OffsetRange[] {
  let pieces: OffsetRange[] = [range];
  // Apply from the last change backwards so earlier offsets stay valid.
  const sorted = [...changes].sort((a, b) => b.offset - a.offset);
  for (const change of sorted) {
    const changeEnd = change.offset + change.deletedLength;
    const delta = change.insertedText.length - change.deletedLength;
    const next: OffsetRange[] = [];
    for (const piece of pieces) {
      if (changeEnd <= piece.start) {
        // Wholly before the piece (an insertion at its start pushes it right).
        next.push({ start: piece.start + delta, end: piece.end + delta });
      } else if (change.offset >= piece.end) {
        next.push(piece);
      } else {
        // Overlaps: keep what lies before and after the replaced part.
        if (change.offset > piece.start) next.push({ start: piece.start, end: change.offset });
        if (changeEnd < piece.end) next.push({ start: change.offset + change.insertedText.length, end: piece.end + delta });
      }
    }
    pieces = next;
  }
  return pieces.filter((piece) => piece.end > piece.start).sort((a, b) => a.start - b.start);
}

/** Parts of `range` that none of `covered` (sorted or not) covers. */
export function subtractRanges(range: OffsetRange, covered: readonly OffsetRange[]): OffsetRange[] {
  const sorted = [...covered].filter((c) => c.end > range.start && c.start < range.end).sort((a, b) => a.start - b.start);
  const result: OffsetRange[] = [];
  let position = range.start;
  for (const cover of sorted) {
    if (cover.start > position) result.push({ start: position, end: Math.min(cover.start, range.end) });
    position = Math.max(position, cover.end);
    if (position >= range.end) break;
  }
  if (position < range.end) result.push({ start: position, end: range.end });
  return result;
}

/**
 * The attribution ledger of one document: which characters AI wrote, kept right through every edit.
 *
 * Model: spans never overlap; every character either belongs to exactly one span (AI) or to none
 * (human). Offsets are UTF-16 code units, as VS Code reports them.
 *
 * Edits (one editor content-change event = one `applyChanges` call):
 * - Spans shift, shrink and drop exactly as the editor moves text. A span whose text is all
 *   deleted is gone.
 * - Human insert/replace strictly inside a span: the inserted characters are human, so the span is
 *   split; the left part keeps the id, the right part gets a new id, both keep origin, confidence,
 *   insertedAt, insertedTextHash, insertedLength and review. A human insert exactly at a span
 *   boundary leaves the span alone.
 * - humanChangedChars: a human change [p, q) -> text adds, to every span it touches,
 *   (the span's characters inside [p, q)) + (the inserted length, when the insertion lands strictly
 *   inside the span, i.e. span characters remain on both sides of it). Replacing 3 characters of a
 *   span by 3 others therefore adds 6; typing 1 character inside adds 1; deleting 2 adds 2.
 *   AI edits and markRange never change it.
 * - AI insert: a new span (new id, insertedTextHash = sha256Hex(text), insertedLength = text length,
 *   insertedAt = author.insertedAt ?? now()). If the span it touches on the left and/or right has
 *   the same origin (kind, tool, model, session) and no review, they join into one span that keeps
 *   the existing span's id (the left one when both join), origin, confidence and insertedAt; the
 *   joined insertedLength and humanChangedChars are the sums, and its insertedTextHash is
 *   sha256Hex of the joined parts' hashes concatenated in text order (the ledger never sees the
 *   document text, so a joined span's hash identifies its insert history, not its current text).
 *   An AI insert inside a reviewed span (or one of another origin) splits it like a human insert.
 *
 * Undo/redo: every applyChanges call is one history entry holding, per change, the spans it removed
 * and the spans it left (bounded by historyLimit). An undo event is matched against the smallest
 * number k of newest entries whose composed change envelope (start, end before, end after) equals
 * the event's; their inverses are applied newest first, restoring exactly the spans (ids, records)
 * the text had, and the entries move to the redo stack. Redo does the reverse. A normal edit clears
 * the redo stack. An event that matches nothing is applied as a human edit and, since the ledger's
 * history no longer mirrors the editor's, clears both stacks.
 *
 * markRange re-attributes existing text without a text change. The editor's undo stack knows
 * nothing of it, so it clears both stacks (undoing older edits would otherwise silently revert it).
 * setReview does not touch history: undoing an edit restores the span records the text had then.
 */
import type { AttributedSpan, EditAuthor, Origin, Review, TextReplacement } from '../attribution';
import { sha256Hex } from '../textHash';
import { EditHistory, type Envelope, type HistoryEntry, type Step } from './editHistory';
import { randomFlatUuid } from './flatUuid';
import { NO_PIECES, type Piece, SpanSequence, type SpanRecord } from './spanSequence';

export interface LedgerOptions {
  now?: () => number;
  /** Default: a random uuid v4 (Web Crypto bytes, built as a flat string; see flatUuid.ts). */
  newId?: () => string;
  /** How many edit events undo can reach back; default 1000. */
  historyLimit?: number;
}

function stepsOf(entry: HistoryEntry): readonly Step[] {
  return 'steps' in entry ? entry.steps : [entry];
}

function envelopeOf(entry: HistoryEntry): Envelope {
  return 'steps' in entry ? entry : stepEnvelope(entry);
}

const DEFAULT_HISTORY_LIMIT = 1000;

export class AttributionLedger {
  private sequence: SpanSequence;
  private readonly now: () => number;
  private readonly newId: () => string;
  private readonly history: EditHistory;
  /** Undone entries; the last element is the next to redo. */
  private redoStack: HistoryEntry[] = [];
  /** What the last applyOne replaced and with what (a return object would cost an allocation per keystroke). */
  private appliedBefore: readonly Piece[] = NO_PIECES;
  private appliedAfter: readonly Piece[] = NO_PIECES;

  constructor(options: LedgerOptions = {}) {
    this.now = options.now ?? Date.now;
    const newId = options.newId;
    this.newId = newId === undefined ? randomFlatUuid : () => flat(newId());
    const limit = options.historyLimit ?? DEFAULT_HISTORY_LIMIT;
    if (!Number.isInteger(limit) || limit < 0) throw new Error(`historyLimit must be a non-negative integer, got ${String(limit)}`);
    this.history = new EditHistory(limit);
    this.sequence = new SpanSequence();
  }

  /** Builds a ledger from stored spans; throws when they are unsorted, overlapping, empty or not integer offsets. */
  static fromSpans(spans: readonly AttributedSpan[], options?: LedgerOptions): AttributionLedger {
    const ledger = new AttributionLedger(options);
    const pieces: Piece[] = new Array<Piece>(spans.length);
    const ids = new Set<string>();
    let prevEnd = 0;
    for (let i = 0; i < spans.length; i++) {
      const span = spans[i];
      const where = () => `span ${i} (id ${String(span.id)})`;
      if (!Number.isSafeInteger(span.start) || !Number.isSafeInteger(span.end) || span.start < 0) {
        throw new Error(`fromSpans: ${where()} has start ${String(span.start)} / end ${String(span.end)}; offsets must be non-negative integers`);
      }
      if (span.end <= span.start) throw new Error(`fromSpans: ${where()} is empty or reversed [${span.start}, ${span.end})`);
      if (span.start < prevEnd) throw new Error(`fromSpans: ${where()} starts at ${span.start}, before the previous span ends (${prevEnd}); spans must be sorted and must not overlap`);
      if (typeof span.id !== 'string' || span.id.length === 0) throw new Error(`fromSpans: span ${i} has no id`);
      if (ids.has(span.id)) throw new Error(`fromSpans: duplicate span id ${span.id}`);
      if (!Number.isSafeInteger(span.insertedLength) || span.insertedLength < 0 || !Number.isSafeInteger(span.humanChangedChars) || span.humanChangedChars < 0) {
        throw new Error(`fromSpans: ${where()} has invalid insertedLength/humanChangedChars`);
      }
      ids.add(span.id);
      prevEnd = span.end;
      pieces[i] = { start: span.start, end: span.end, rec: recordOf(span) };
    }
    ledger.sequence = SpanSequence.fromPieces(pieces);
    return ledger;
  }

  get spanCount(): number {
    return this.sequence.count;
  }

  /** Undo entries currently held (bounded by historyLimit). */
  get undoDepth(): number {
    return this.history.size;
  }

  get redoDepth(): number {
    return this.redoStack.length;
  }

  /**
   * One editor content-change event: offsets refer to the text BEFORE the event; changes may come in
   * any order and must not overlap. Throws (changing nothing) on invalid or overlapping changes.
   */
  applyChanges(changes: readonly TextReplacement[], author: EditAuthor): void {
    validateAuthor(author, 'applyChanges');
    const ordered = orderChanges(changes, 'applyChanges');
    if (ordered.length === 0) return;
    if (ordered.length === 1) {
      const change = ordered[0];
      this.applyOne(change, author);
      this.history.pushStep(change.offset, change.deletedLength, change.insertedText.length, this.appliedBefore, this.appliedAfter);
    } else {
      this.pushHistory(this.applyOrdered(ordered, author));
    }
    if (this.redoStack.length > 0) this.redoStack = [];
  }

  /**
   * An undo event from the editor. Restores the attribution the text had at that version; returns
   * false when it could not be matched to history (then it was applied as a human edit).
   */
  applyUndo(changes: readonly TextReplacement[]): boolean {
    const ordered = orderChanges(changes, 'applyUndo');
    if (ordered.length === 0) return false;
    const event = eventEnvelope(ordered);
    let composed: Envelope | undefined;
    for (let k = 1; k <= this.history.size; k++) {
      const entry = this.history.envelopeAt(k - 1);
      composed = composed === undefined ? entry : compose(entry, composed);
      if (composed.start === event.start && composed.postEnd === event.preEnd && composed.preEnd === event.postEnd) {
        for (let j = 0; j < k; j++) {
          const undone = this.history.pop();
          this.revert(undone);
          this.redoStack.push(undone);
        }
        return true;
      }
    }
    this.applyUnmatched(ordered);
    return false;
  }

  /** A redo event from the editor; see applyUndo. */
  applyRedo(changes: readonly TextReplacement[]): boolean {
    const ordered = orderChanges(changes, 'applyRedo');
    if (ordered.length === 0) return false;
    const event = eventEnvelope(ordered);
    const top = this.redoStack.length - 1;
    let composed: Envelope | undefined;
    for (let k = 1; k <= this.redoStack.length; k++) {
      const entry = envelopeOf(this.redoStack[top - k + 1]);
      composed = composed === undefined ? entry : compose(composed, entry);
      if (composed.start === event.start && composed.preEnd === event.preEnd && composed.postEnd === event.postEnd) {
        for (let j = 0; j < k; j++) {
          const redone = this.redoStack.pop() as HistoryEntry;
          this.reapply(redone);
          this.history.push(redone);
        }
        return true;
      }
    }
    this.applyUnmatched(ordered);
    return false;
  }

  /**
   * Attributes existing text [start, end) (explicit reports, "mark selection as AI"). An AI author
   * makes it one new span (never joined); a human author makes it human. `markedText`, when given,
   * is hashed into insertedTextHash (and must have length end - start); without it the hash is ''.
   * Clears undo/redo history (see the file comment).
   */
  markRange(start: number, end: number, author: EditAuthor, markedText?: string): void {
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start) {
      throw new Error(`markRange: invalid range [${String(start)}, ${String(end)})`);
    }
    validateAuthor(author, 'markRange');
    if (markedText !== undefined && markedText.length !== end - start) {
      throw new Error(`markRange: markedText has length ${markedText.length}, the range has ${end - start}`);
    }
    if (start === end) return;
    this.clearHistory();
    const touching = this.sequence.collectTouching(start, end) ?? NO_PIECES;
    const result: Piece[] = [];
    for (const { start: spanStart, end: spanEnd, rec } of touching) {
      if (spanStart < start) result.push({ start: spanStart, end: Math.min(spanEnd, start), rec });
      // A span that contained the whole range continues after it under a new id.
      if (spanEnd > end) result.push({ start: Math.max(spanStart, end), end: spanEnd, rec: spanStart < start ? withId(rec, this.newId()) : rec });
    }
    if (author.kind === 'ai') {
      result.push({
        start,
        end,
        rec: makeRecord(this.newId(), author.origin, author.confidence, author.insertedAt ?? this.now(), markedText === undefined ? '' : hashOf(markedText), end - start, 0, undefined),
      });
    }
    result.sort((a, b) => a.start - b.start);
    this.sequence.replaceCollected(result, 0);
  }

  /** Sets (or clears, with undefined) the review of a span; false when no span has that id. */
  setReview(spanId: string, review: Review | undefined): boolean {
    return this.sequence.replaceRecord(spanId, (rec) => withReview(rec, review));
  }

  /** All spans, sorted by start. */
  spans(): AttributedSpan[] {
    const out: AttributedSpan[] = [];
    this.sequence.forEach((start, end, rec) => {
      out.push(toSpan(start, end, rec));
    });
    return out;
  }

  /** Spans intersecting [start, end). */
  spansInRange(start: number, end: number): AttributedSpan[] {
    const out: AttributedSpan[] = [];
    if (end <= start) return out;
    this.sequence.forEachFrom(start + 1, (spanStart, spanEnd, rec) => {
      if (spanStart >= end) return false;
      out.push(toSpan(spanStart, spanEnd, rec));
      return true;
    });
    return out;
  }

  /** The span holding the character at `offset`, if any. */
  spanAt(offset: number): AttributedSpan | undefined {
    let found: AttributedSpan | undefined;
    this.sequence.forEachFrom(offset + 1, (start, end, rec) => {
      if (start <= offset) found = toSpan(start, end, rec);
      return false;
    });
    return found;
  }

  /** Applies changes ordered by descending offset; earlier changes never move later ones' offsets. */
  private applyOrdered(ordered: readonly TextReplacement[], author: EditAuthor): Step[] {
    const steps: Step[] = new Array<Step>(ordered.length);
    for (let i = 0; i < ordered.length; i++) {
      const change = ordered[i];
      this.applyOne(change, author);
      steps[i] = { offset: change.offset, deletedLength: change.deletedLength, insertedLength: change.insertedText.length, before: this.appliedBefore, after: this.appliedAfter };
    }
    return steps;
  }

  /** Applies one change; leaves the spans it replaced and their replacements in appliedBefore/appliedAfter. */
  private applyOne(change: TextReplacement, author: EditAuthor): void {
    const offset = change.offset;
    const deletedLength = change.deletedLength;
    const insertedLength = change.insertedText.length;
    let before: readonly Piece[];
    let after: readonly Piece[];
    if (author.kind === 'human') {
      // A human edit leaves spans that merely touch it as they are (they only shift), so only the
      // spans it cuts into are replaced and recorded; typing next to a span allocates nothing.
      before = this.sequence.collectOverlapping(offset, offset + deletedLength) ?? NO_PIECES;
      after = this.humanResult(before, offset, deletedLength, insertedLength);
    } else {
      // An AI insert may join the spans it touches.
      before = this.sequence.collectTouching(offset, offset + deletedLength) ?? NO_PIECES;
      after = this.aiResult(before, offset, deletedLength, change.insertedText, author);
    }
    this.sequence.replaceCollected(after, insertedLength - deletedLength);
    this.appliedBefore = before;
    this.appliedAfter = after;
  }

  /** The spans `before` (all overlapping the change, see collectOverlapping) become these. */
  private humanResult(before: readonly Piece[], p: number, deleted: number, inserted: number): readonly Piece[] {
    if (before.length === 0) return NO_PIECES;
    const q = p + deleted;
    const delta = inserted - deleted;
    let out: Piece[] | undefined;
    // An indexed loop: for-of with destructuring allocates an iterator result per span here.
    for (let i = 0; i < before.length; i++) {
      const piece = before[i];
      const start = piece.start;
      const end = piece.end;
      const removed = Math.max(0, Math.min(end, q) - Math.max(start, p));
      const inside = start < p && q < end;
      const changed = removed + (inside ? inserted : 0);
      const next = changed > 0 ? withHumanChanged(piece.rec, changed) : piece.rec;
      if (inside) {
        if (inserted > 0) {
          const left: Piece = { start, end: p, rec: next };
          const right: Piece = { start: p + inserted, end: end + delta, rec: withId(next, this.newId()) };
          if (out === undefined) {
            out = [left, right];
          } else {
            out.push(left, right);
          }
        } else {
          out = appendPiece(out, { start, end: end + delta, rec: next });
        }
      } else if (start < p) {
        out = appendPiece(out, { start, end: Math.min(end, p), rec: next });
      } else if (end > q) {
        out = appendPiece(out, { start: Math.max(start, q) + delta, end: end + delta, rec: next });
      }
    }
    return out ?? NO_PIECES;
  }

  private aiResult(
    before: readonly Piece[],
    p: number,
    deleted: number,
    text: string,
    author: Extract<EditAuthor, { kind: 'ai' }>,
  ): readonly Piece[] {
    const q = p + deleted;
    const inserted = text.length;
    const delta = inserted - deleted;
    // The text around the change, trimmed; `left` ends at p, `right` starts at p + inserted.
    const kept: Piece[] = [];
    let left: Piece | undefined;
    let right: Piece | undefined;
    for (const piece of before) {
      const { start, end, rec } = piece;
      if (start < p && q < end) {
        if (inserted === 0) {
          kept.push({ start, end: end + delta, rec });
          continue;
        }
        left = { start, end: p, rec };
        right = { start: p + inserted, end: end + delta, rec };
        continue;
      }
      if (start < p) {
        const trimmed = { start, end: Math.min(end, p), rec };
        if (trimmed.end === p) left = trimmed;
        else kept.push(trimmed);
      } else if (end > q) {
        const trimmed = { start: Math.max(start, q) + delta, end: end + delta, rec };
        if (inserted > 0 && trimmed.start === p + inserted) right = trimmed;
        else kept.push(trimmed);
      }
    }
    if (inserted === 0) {
      if (left) kept.push(left);
      if (right) kept.push(right);
      return kept.sort((a, b) => a.start - b.start);
    }
    const added = makeRecord(this.newId(), author.origin, author.confidence, author.insertedAt ?? this.now(), hashOf(text), inserted, 0, undefined);
    const joinLeft = left !== undefined && joinable(left.rec, author.origin);
    const joinRight = right !== undefined && joinable(right.rec, author.origin);
    const sameSpan = left !== undefined && right !== undefined && left.rec === right.rec;
    if (sameSpan && joinLeft) {
      // Inserted strictly inside a joinable span: it simply grows.
      const rec = left!.rec;
      kept.push({ start: left!.start, end: right!.end, rec: joined(rec, [rec.insertedTextHash, added.insertedTextHash], added, undefined) });
    } else {
      let start = p;
      let end = p + inserted;
      let rec = added;
      if (joinLeft && joinRight) {
        rec = joined(left!.rec, [left!.rec.insertedTextHash, added.insertedTextHash, right!.rec.insertedTextHash], added, right!.rec);
        start = left!.start;
        end = right!.end;
      } else if (joinLeft) {
        rec = joined(left!.rec, [left!.rec.insertedTextHash, added.insertedTextHash], added, undefined);
        start = left!.start;
        if (right) kept.push(right);
      } else if (joinRight) {
        rec = joined(right!.rec, [added.insertedTextHash, right!.rec.insertedTextHash], added, undefined);
        end = right!.end;
        if (left) kept.push(left);
      } else {
        if (left) kept.push(left);
        // The right part of a split span is a new span.
        if (right) kept.push(sameSpan ? { start: right.start, end: right.end, rec: withId(right.rec, this.newId()) } : right);
      }
      kept.push({ start, end, rec });
    }
    return kept.sort((a, b) => a.start - b.start);
  }

  private applyUnmatched(ordered: readonly TextReplacement[]): void {
    this.applyOrdered(ordered, { kind: 'human' });
    this.clearHistory();
  }

  private revert(entry: HistoryEntry): void {
    const steps = stepsOf(entry);
    for (let i = steps.length - 1; i >= 0; i--) {
      const step = steps[i];
      this.selectRecorded(step.after, step.offset);
      this.sequence.replaceCollected(step.before, step.deletedLength - step.insertedLength);
    }
  }

  private reapply(entry: HistoryEntry): void {
    for (const step of stepsOf(entry)) {
      this.selectRecorded(step.before, step.offset);
      this.sequence.replaceCollected(step.after, step.insertedLength - step.deletedLength);
    }
  }

  /**
   * Selects for replacement exactly the spans a step recorded on this side of the change (they are
   * consecutive); with none recorded, the place at `offset` after any span that ends there.
   */
  private selectRecorded(recorded: readonly Piece[], offset: number): void {
    this.sequence.selectRun(recorded.length > 0 ? recorded[0].start + 1 : offset + 1, recorded.length);
  }

  private pushHistory(steps: readonly Step[]): void {
    let envelope: Envelope = stepEnvelope(steps[0]);
    for (let i = 1; i < steps.length; i++) envelope = compose(envelope, stepEnvelope(steps[i]));
    this.history.push({ steps, start: envelope.start, preEnd: envelope.preEnd, postEnd: envelope.postEnd });
  }

  private clearHistory(): void {
    this.history.clear();
    this.redoStack = [];
  }
}

/** A literal sizes a new array exactly; the first push into [] would reserve 16 slots. */
function appendPiece(out: Piece[] | undefined, piece: Piece): Piece[] {
  if (out === undefined) return [piece];
  out.push(piece);
  return out;
}

/** Every record is built here, always with the same fields in the same order (one hidden class for V8). */
/**
 * Strings built by concatenation (sha256Hex's hex encoding, randomUUID) are V8 ropes of ~1 KB; a
 * ledger keeps 100,000s of ids and hashes, so it stores them flat. Reading a character makes V8
 * flatten a rope in place.
 */
function flat(text: string): string {
  text.charCodeAt(0);
  return text;
}

function hashOf(text: string): string {
  return flat(sha256Hex(text));
}

function makeRecord(
  id: string,
  origin: Origin,
  confidence: SpanRecord['confidence'],
  insertedAt: number,
  insertedTextHash: string,
  insertedLength: number,
  humanChangedChars: number,
  review: Review | undefined,
): SpanRecord {
  return { id, origin, confidence, insertedAt, insertedTextHash, insertedLength, humanChangedChars, review };
}

function recordOf(span: AttributedSpan): SpanRecord {
  return makeRecord(flat(span.id), span.origin, span.confidence, span.insertedAt, flat(span.insertedTextHash), span.insertedLength, span.humanChangedChars, span.review);
}

function withHumanChanged(rec: SpanRecord, added: number): SpanRecord {
  return makeRecord(rec.id, rec.origin, rec.confidence, rec.insertedAt, rec.insertedTextHash, rec.insertedLength, rec.humanChangedChars + added, rec.review);
}

function withReview(rec: SpanRecord, review: Review | undefined): SpanRecord {
  return makeRecord(rec.id, rec.origin, rec.confidence, rec.insertedAt, rec.insertedTextHash, rec.insertedLength, rec.humanChangedChars, review);
}

function toSpan(start: number, end: number, rec: SpanRecord): AttributedSpan {
  const span: AttributedSpan = {
    id: rec.id,
    start,
    end,
    origin: rec.origin,
    confidence: rec.confidence,
    insertedAt: rec.insertedAt,
    insertedTextHash: rec.insertedTextHash,
    insertedLength: rec.insertedLength,
    humanChangedChars: rec.humanChangedChars,
  };
  return rec.review === undefined ? span : { ...span, review: rec.review };
}

function withId(rec: SpanRecord, id: string): SpanRecord {
  return makeRecord(id, rec.origin, rec.confidence, rec.insertedAt, rec.insertedTextHash, rec.insertedLength, rec.humanChangedChars, rec.review);
}

export function sameOrigin(a: Origin, b: Origin): boolean {
  return a === b || (a.kind === b.kind && a.tool === b.tool && a.model === b.model && a.session === b.session);
}

function joinable(rec: SpanRecord, origin: Origin): boolean {
  return rec.review === undefined && sameOrigin(rec.origin, origin);
}

/** `base` absorbs the AI insert `added` (and the other existing span `other`, when both sides join). */
function joined(base: SpanRecord, hashesInTextOrder: readonly string[], added: SpanRecord, other: SpanRecord | undefined): SpanRecord {
  return makeRecord(
    base.id,
    base.origin,
    base.confidence,
    base.insertedAt,
    hashOf(hashesInTextOrder.join('')),
    base.insertedLength + added.insertedLength + (other?.insertedLength ?? 0),
    base.humanChangedChars + (other?.humanChangedChars ?? 0),
    undefined,
  );
}

/** Validates an event and returns its effective changes by descending offset (no-ops dropped). */
function orderChanges(changes: readonly TextReplacement[], what: string): readonly TextReplacement[] {
  if (!Array.isArray(changes)) throw new Error(`${what}: changes must be an array`);
  for (let i = 0; i < changes.length; i++) validateChange(changes[i], i, what);
  if (changes.length === 1) {
    const only = changes[0];
    return only.deletedLength === 0 && only.insertedText.length === 0 ? [] : changes;
  }
  const sorted = changes.slice().sort((a, b) => b.offset - a.offset || b.deletedLength - a.deletedLength);
  for (let i = 1; i < sorted.length; i++) {
    const higher = sorted[i - 1];
    const lower = sorted[i];
    if (lower.offset + lower.deletedLength > higher.offset || (lower.offset === higher.offset && higher.deletedLength === 0)) {
      throw new Error(`${what}: changes overlap at offsets ${lower.offset} and ${higher.offset}`);
    }
  }
  return sorted.filter((change) => change.deletedLength > 0 || change.insertedText.length > 0);
}

function validateAuthor(author: EditAuthor, what: string): void {
  if (author === null || typeof author !== 'object') throw new Error(`${what}: author must be an object`);
  if (author.kind === 'human') return;
  if (author.kind !== 'ai') throw new Error(`${what}: author kind must be 'human' or 'ai', got ${String((author as { kind?: unknown }).kind)}`);
  const origin = author.origin as Origin | undefined;
  if (origin === null || typeof origin !== 'object' || typeof origin.kind !== 'string' || typeof origin.tool !== 'string') {
    throw new Error(`${what}: an AI author needs an origin with kind and tool`);
  }
  if (author.confidence !== 'high' && author.confidence !== 'medium' && author.confidence !== 'low') {
    throw new Error(`${what}: an AI author needs confidence high, medium or low`);
  }
}

function validateChange(change: TextReplacement, index: number, what: string): void {
  if (change === null || typeof change !== 'object') throw new Error(`${what}: change ${index} is not an object`);
  const { offset, deletedLength } = change;
  // Integer and range in one cheap test per field on the hot path; the slow path explains.
  if ((offset | 0) !== offset || offset < 0) {
    if (!Number.isSafeInteger(offset) || offset < 0) throw new Error(`${what}: change ${index} has offset ${String(offset)}; offsets must be non-negative integers`);
  }
  if ((deletedLength | 0) !== deletedLength || deletedLength < 0) {
    if (!Number.isSafeInteger(deletedLength) || deletedLength < 0) throw new Error(`${what}: change ${index} has deletedLength ${String(deletedLength)}; it must be a non-negative integer`);
  }
  if (typeof change.insertedText !== 'string') throw new Error(`${what}: change ${index} has no insertedText string`);
}

function stepEnvelope(step: Step): Envelope {
  return { start: step.offset, preEnd: step.offset + step.deletedLength, postEnd: step.offset + step.insertedLength };
}

/** The envelope of an event's changes (given by descending offset, all in pre-event offsets). */
function eventEnvelope(ordered: readonly TextReplacement[]): Envelope {
  let start = Infinity;
  let preEnd = 0;
  let delta = 0;
  for (const change of ordered) {
    start = Math.min(start, change.offset);
    preEnd = Math.max(preEnd, change.offset + change.deletedLength);
    delta += change.insertedText.length - change.deletedLength;
  }
  return { start, preEnd, postEnd: preEnd + delta };
}

/**
 * `first` then `second` (whose offsets are in the text `first` produced) as one envelope. Outside
 * the union of both regions nothing changed, so the union's end maps back through `first` and
 * forward through `second` by their length deltas.
 */
function compose(first: Envelope, second: Envelope): Envelope {
  const start = Math.min(first.start, second.start);
  const end = Math.max(first.postEnd, second.preEnd);
  return { start, preEnd: end - (first.postEnd - first.preEnd), postEnd: end + (second.postEnd - second.preEnd) };
}

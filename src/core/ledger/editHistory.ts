/**
 * The ledger's undo history: a ring of the newest `limit` entries, oldest dropped first.
 *
 * Every keystroke adds an entry, so a single-change entry is stored in parallel columns (offsets
 * in Float64Arrays, piece lists in plain arrays) instead of as an object: recording an edit that
 * cut no span allocates nothing. Entries leave the ring (undo) as objects, which is rare.
 */
import { NO_PIECES, type Piece } from './spanSequence';

/** One change of an event, as applied: offsets in the text just before it was applied. */
export interface Step {
  readonly offset: number;
  readonly deletedLength: number;
  readonly insertedLength: number;
  /**
   * The consecutive spans the change replaced: for a human change those overlapping
   * [offset, offset + deletedLength) (see SpanSequence.collectOverlapping), for an AI change those
   * touching [offset, offset + deletedLength]. Spans outside them only shifted.
   */
  readonly before: readonly Piece[];
  /** The consecutive spans that replaced `before` (offsets after the change). */
  readonly after: readonly Piece[];
}

/** The smallest single replacement covering a sequence of changes: [start, preEnd) became [start, postEnd). */
export interface Envelope {
  readonly start: number;
  readonly preEnd: number;
  readonly postEnd: number;
}

/** A multi-change event; its steps in application order (descending offsets). */
export interface MultiStepEntry extends Envelope {
  readonly steps: readonly Step[];
}

/** A single-change event is its own step. */
export type HistoryEntry = Step | MultiStepEntry;

const INITIAL_CAPACITY = 64;

export class EditHistory {
  private offsets = new Float64Array(0);
  private deletedLengths = new Float64Array(0);
  private insertedLengths = new Float64Array(0);
  private befores: (readonly Piece[])[] = [];
  private afters: (readonly Piece[])[] = [];
  /** The entry itself where it has several steps (its column values are then unused). */
  private multis: (MultiStepEntry | undefined)[] = [];
  /** Slot of the oldest entry. */
  private head = 0;
  private count = 0;

  constructor(private readonly limit: number) {}

  get size(): number {
    return this.count;
  }

  /** Records a single-change event. */
  pushStep(offset: number, deletedLength: number, insertedLength: number, before: readonly Piece[], after: readonly Piece[]): void {
    const slot = this.claimSlot();
    if (slot < 0) return;
    this.offsets[slot] = offset;
    this.deletedLengths[slot] = deletedLength;
    this.insertedLengths[slot] = insertedLength;
    this.befores[slot] = before;
    this.afters[slot] = after;
    this.multis[slot] = undefined;
  }

  push(entry: HistoryEntry): void {
    if ('steps' in entry) {
      const slot = this.claimSlot();
      if (slot < 0) return;
      this.befores[slot] = NO_PIECES;
      this.afters[slot] = NO_PIECES;
      this.multis[slot] = entry;
    } else {
      this.pushStep(entry.offset, entry.deletedLength, entry.insertedLength, entry.before, entry.after);
    }
  }

  /** The envelope of the entry `back` places below the newest (0 = newest); back < size. */
  envelopeAt(back: number): Envelope {
    const slot = this.slotOf(this.count - 1 - back);
    const multi = this.multis[slot];
    if (multi !== undefined) return multi;
    const offset = this.offsets[slot];
    return { start: offset, preEnd: offset + this.deletedLengths[slot], postEnd: offset + this.insertedLengths[slot] };
  }

  /** Removes and returns the newest entry; size must be > 0. */
  pop(): HistoryEntry {
    const slot = this.slotOf(this.count - 1);
    const multi = this.multis[slot];
    const entry: HistoryEntry = multi ?? {
      offset: this.offsets[slot],
      deletedLength: this.deletedLengths[slot],
      insertedLength: this.insertedLengths[slot],
      before: this.befores[slot],
      after: this.afters[slot],
    };
    this.release(slot);
    this.count--;
    return entry;
  }

  clear(): void {
    for (let i = 0; i < this.count; i++) this.release(this.slotOf(i));
    this.head = 0;
    this.count = 0;
  }

  /** The slot for a new entry (dropping the oldest when full), or -1 when history is off. */
  private claimSlot(): number {
    if (this.limit === 0) return -1;
    const capacity = this.offsets.length;
    if (this.count === capacity) {
      if (capacity < this.limit) {
        this.grow(Math.min(this.limit, Math.max(INITIAL_CAPACITY, capacity * 2)));
      } else {
        // Full: the oldest entry's slot takes the new one.
        const slot = this.head;
        this.head = slot + 1 === capacity ? 0 : slot + 1;
        return slot;
      }
    }
    const slot = this.slotOf(this.count);
    this.count++;
    return slot;
  }

  private slotOf(position: number): number {
    const slot = this.head + position;
    return slot >= this.offsets.length ? slot - this.offsets.length : slot;
  }

  private release(slot: number): void {
    this.befores[slot] = NO_PIECES;
    this.afters[slot] = NO_PIECES;
    this.multis[slot] = undefined;
  }

  /** Re-lays the entries out oldest first in columns of the new capacity. */
  private grow(capacity: number): void {
    const offsets = new Float64Array(capacity);
    const deletedLengths = new Float64Array(capacity);
    const insertedLengths = new Float64Array(capacity);
    const befores = new Array<readonly Piece[]>(capacity).fill(NO_PIECES);
    const afters = new Array<readonly Piece[]>(capacity).fill(NO_PIECES);
    const multis = new Array<MultiStepEntry | undefined>(capacity).fill(undefined);
    for (let i = 0; i < this.count; i++) {
      const slot = this.slotOf(i);
      offsets[i] = this.offsets[slot];
      deletedLengths[i] = this.deletedLengths[slot];
      insertedLengths[i] = this.insertedLengths[slot];
      befores[i] = this.befores[slot];
      afters[i] = this.afters[slot];
      multis[i] = this.multis[slot];
    }
    this.offsets = offsets;
    this.deletedLengths = deletedLengths;
    this.insertedLengths = insertedLengths;
    this.befores = befores;
    this.afters = afters;
    this.multis = multis;
    this.head = 0;
  }
}

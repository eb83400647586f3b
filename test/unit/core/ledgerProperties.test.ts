/**
 * Property tests: random edit sequences applied to the ledger and to a per-character reference model
 * (one attribution entry per character; undo/redo stacks of whole arrays, one per ledger history
 * entry) must agree on every character after every step.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { AttributedSpan, EditAuthor, Origin, TextReplacement } from '../../../src/core/attribution';
import { AttributionLedger } from '../../../src/core/ledger/attributionLedger';
import { acceptedReview } from '../../support/spans';

const ORIGINS: readonly Origin[] = [
  { kind: 'inline', tool: 'github-copilot', model: 'm1' },
  { kind: 'inline', tool: 'github-copilot', model: 'm1', session: 's2' },
  { kind: 'agent', tool: 'claude-code' },
];
const REVIEW = acceptedReview({ intent: 'test', reviewer: { name: 'R', email: 'r@example.com' }, textHash: 'x' });

/** The model's attribution of one character; shared by all characters of one span. */
interface ModelRecord {
  readonly id: string;
  readonly origin: number;
  readonly humanChangedChars: number;
  readonly insertedLength: number;
  readonly reviewed: boolean;
}
type Cell = ModelRecord | null;

interface Envelope {
  start: number;
  preEnd: number;
  postEnd: number;
}

interface EditorEntry {
  before: Cell[];
  after: Cell[];
  envelope: Envelope;
  /** The event's changes (pre-event offsets), to build a realistic inverse event. */
  changes: TextReplacement[];
}

type AuthorChoice = { human: true } | { human: false; origin: number };
const authorArb: fc.Arbitrary<AuthorChoice> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ human: true as const }) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: ORIGINS.length - 1 }).map((origin) => ({ human: false as const, origin })) },
);
const fraction = fc.double({ min: 0, max: 1, noNaN: true });

type Op =
  | { t: 'type'; at: number; count: number; author: AuthorChoice }
  | { t: 'edit'; at: number; len: number; insert: number; author: AuthorChoice }
  | { t: 'multi'; base: number; width: number; cuts: number[]; inserts: number[]; order: number[]; author: AuthorChoice }
  | { t: 'mark'; at: number; len: number; author: AuthorChoice }
  | { t: 'undo'; k: number; split: boolean }
  | { t: 'redo'; k: number }
  | { t: 'bogus'; undo: boolean; at: number; len: number; insert: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ t: fc.constant('type' as const), at: fraction, count: fc.integer({ min: 1, max: 4 }), author: authorArb }) },
  { weight: 4, arbitrary: fc.record({ t: fc.constant('edit' as const), at: fraction, len: fc.integer({ min: 0, max: 12 }), insert: fc.integer({ min: 0, max: 8 }), author: authorArb }) },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant('multi' as const),
      // A narrow window puts several changes into one span (each change then sees the others' results).
      base: fraction,
      width: fc.constantFrom(0.05, 0.2, 1),
      cuts: fc.array(fraction, { minLength: 4, maxLength: 6 }),
      inserts: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 3, maxLength: 3 }),
      order: fc.array(fc.nat(), { minLength: 3, maxLength: 3 }),
      author: authorArb,
    }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('mark' as const), at: fraction, len: fc.integer({ min: 1, max: 10 }), author: authorArb }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('undo' as const), k: fc.integer({ min: 1, max: 4 }), split: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('redo' as const), k: fc.integer({ min: 1, max: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('bogus' as const), undo: fc.boolean(), at: fraction, len: fc.integer({ min: 0, max: 5 }), insert: fc.integer({ min: 0, max: 5 }) }) },
);

interface InitialSpan {
  gap: number;
  length: number;
  origin: number;
  reviewed: boolean;
}
const initialArb = (maxSpans: number, maxGap: number, maxLength: number, minSpans = 0) =>
  fc.record({
    spans: fc.array(
      fc.record({ gap: fc.integer({ min: 0, max: maxGap }), length: fc.integer({ min: 1, max: maxLength }), origin: fc.integer({ min: 0, max: ORIGINS.length - 1 }), reviewed: fc.boolean() }),
      { minLength: minSpans, maxLength: maxSpans, size: 'max' },
    ),
    tail: fc.integer({ min: 0, max: 10 }),
  });

/** The reference: one cell per character, whole-array undo/redo stacks. */
class ReferenceModel {
  cells: Cell[] = [];
  undoStack: EditorEntry[] = [];
  redoStack: EditorEntry[] = [];
  private nextId = 0;

  newId(): string {
    return `M${this.nextId++}`;
  }

  private replaceRecord(from: ModelRecord, to: ModelRecord): void {
    for (let i = 0; i < this.cells.length; i++) if (this.cells[i] === from) this.cells[i] = to;
  }

  /** The run of `rec` starting at `at` gets a fresh id (the right part of a split). */
  private renameRunFrom(at: number, rec: ModelRecord): void {
    const renamed = { ...rec, id: this.newId() };
    for (let i = at; i < this.cells.length && this.cells[i] === rec; i++) this.cells[i] = renamed;
  }

  private joinable(rec: Cell, origin: number): rec is ModelRecord {
    return rec !== null && !rec.reviewed && ORIGINS[rec.origin] === ORIGINS[origin];
  }

  applyChange(p: number, d: number, inserted: number, author: AuthorChoice): void {
    const q = p + d;
    const leftCell = p > 0 ? this.cells[p - 1] : null;
    const rightCell = q < this.cells.length ? this.cells[q] : null;
    const inside = leftCell !== null && leftCell === rightCell ? leftCell : null;
    if (author.human) {
      const removed = new Map<ModelRecord, number>();
      for (let i = p; i < q; i++) {
        const cell = this.cells[i];
        if (cell) removed.set(cell, (removed.get(cell) ?? 0) + 1);
      }
      if (inside) removed.set(inside, removed.get(inside) ?? 0);
      let insideAfter: ModelRecord | null = null;
      for (const [rec, count] of removed) {
        const added = count + (rec === inside ? inserted : 0);
        const next = added > 0 ? { ...rec, humanChangedChars: rec.humanChangedChars + added } : rec;
        this.replaceRecord(rec, next);
        if (rec === inside) insideAfter = next;
      }
      this.cells.splice(p, d, ...new Array<Cell>(inserted).fill(null));
      if (insideAfter && inserted > 0) this.renameRunFrom(p + inserted, insideAfter);
      return;
    }
    const origin = author.origin;
    const added: ModelRecord = { id: this.newId(), origin, humanChangedChars: 0, insertedLength: inserted, reviewed: false };
    this.cells.splice(p, d, ...new Array<Cell>(inserted).fill(added));
    if (inserted === 0) return;
    if (inside) {
      if (this.joinable(inside, origin)) {
        const grown = { ...inside, insertedLength: inside.insertedLength + inserted };
        this.replaceRecord(inside, grown);
        this.replaceRecord(added, grown);
      } else {
        this.renameRunFrom(p + inserted, inside);
      }
      return;
    }
    const left = p > 0 ? this.cells[p - 1] : null;
    const right = p + inserted < this.cells.length ? this.cells[p + inserted] : null;
    const joinLeft = this.joinable(left, origin);
    const joinRight = this.joinable(right, origin);
    if (joinLeft && joinRight) {
      const merged = { ...left, insertedLength: left.insertedLength + inserted + right.insertedLength, humanChangedChars: left.humanChangedChars + right.humanChangedChars };
      this.replaceRecord(left, merged);
      this.replaceRecord(right, merged);
      this.replaceRecord(added, merged);
    } else if (joinLeft) {
      const merged = { ...left, insertedLength: left.insertedLength + inserted };
      this.replaceRecord(left, merged);
      this.replaceRecord(added, merged);
    } else if (joinRight) {
      const merged = { ...right, insertedLength: right.insertedLength + inserted };
      this.replaceRecord(right, merged);
      this.replaceRecord(added, merged);
    }
  }

  mark(start: number, end: number, author: AuthorChoice): void {
    const inside = start > 0 && end < this.cells.length && this.cells[start - 1] !== null && this.cells[start - 1] === this.cells[end] ? this.cells[end] : null;
    const fill: Cell = author.human ? null : { id: this.newId(), origin: author.origin, humanChangedChars: 0, insertedLength: end - start, reviewed: false };
    for (let i = start; i < end; i++) this.cells[i] = fill;
    if (inside) this.renameRunFrom(end, inside);
    this.undoStack = [];
    this.redoStack = [];
  }
}

function composeEnvelopes(first: Envelope, second: Envelope): Envelope {
  const start = Math.min(first.start, second.start);
  const end = Math.max(first.postEnd, second.preEnd);
  return { start, preEnd: end - (first.postEnd - first.preEnd), postEnd: end + (second.postEnd - second.preEnd) };
}

function eventEnvelope(changes: readonly TextReplacement[]): Envelope {
  const start = Math.min(...changes.map((c) => c.offset));
  const preEnd = Math.max(...changes.map((c) => c.offset + c.deletedLength));
  const delta = changes.reduce((sum, c) => sum + c.insertedText.length - c.deletedLength, 0);
  return { start, preEnd, postEnd: preEnd + delta };
}

const sameEnvelope = (a: Envelope, b: Envelope) => a.start === b.start && a.preEnd === b.preEnd && a.postEnd === b.postEnd;

/** The smallest k whose composed undo envelope equals the event's (the ledger's documented rule). */
function matchUndo(stack: readonly EditorEntry[], event: Envelope): number {
  let composed: Envelope | undefined;
  for (let k = 1; k <= stack.length; k++) {
    const entry = stack[stack.length - k].envelope;
    composed = composed ? composeEnvelopes(entry, composed) : entry;
    if (composed.start === event.start && composed.postEnd === event.preEnd && composed.preEnd === event.postEnd) return k;
  }
  return 0;
}

function matchRedo(stack: readonly EditorEntry[], event: Envelope): number {
  let composed: Envelope | undefined;
  for (let k = 1; k <= stack.length; k++) {
    const entry = stack[stack.length - k].envelope;
    composed = composed ? composeEnvelopes(composed, entry) : entry;
    if (sameEnvelope(composed, event)) return k;
  }
  return 0;
}

const authorOf = (choice: AuthorChoice): EditAuthor =>
  choice.human ? { kind: 'human' } : { kind: 'ai', origin: ORIGINS[choice.origin], confidence: 'high', insertedAt: 7 };

class Harness {
  readonly model = new ReferenceModel();
  readonly ledger: AttributionLedger;
  private readonly modelToLedger = new Map<string, string>();
  private readonly ledgerToModel = new Map<string, string>();
  log: string[] = [];

  constructor(initial: { spans: InitialSpan[]; tail: number }) {
    const spans: AttributedSpan[] = [];
    let pos = 0;
    initial.spans.forEach((s, i) => {
      for (let j = 0; j < s.gap; j++) this.model.cells.push(null);
      const rec: ModelRecord = { id: `init${i}`, origin: s.origin, humanChangedChars: 0, insertedLength: s.length, reviewed: s.reviewed };
      for (let j = 0; j < s.length; j++) this.model.cells.push(rec);
      const start = pos + s.gap;
      spans.push({
        id: rec.id,
        start,
        end: start + s.length,
        origin: ORIGINS[s.origin],
        confidence: 'high',
        insertedAt: 1,
        insertedTextHash: 'h',
        insertedLength: s.length,
        humanChangedChars: 0,
        ...(s.reviewed ? { review: REVIEW } : {}),
      });
      pos = start + s.length;
      this.modelToLedger.set(rec.id, rec.id);
      this.ledgerToModel.set(rec.id, rec.id);
    });
    for (let j = 0; j < initial.tail; j++) this.model.cells.push(null);
    let next = 0;
    this.ledger = AttributionLedger.fromSpans(spans, { newId: () => `L${next++}`, now: () => 7 });
  }

  private get length(): number {
    return this.model.cells.length;
  }

  private edit(changes: TextReplacement[], author: AuthorChoice): void {
    const effective = changes.filter((c) => c.deletedLength > 0 || c.insertedText.length > 0);
    if (effective.length === 0) return;
    this.log.push(`edit ${JSON.stringify(changes)} ${JSON.stringify(author)}`);
    const before = this.model.cells.slice();
    this.ledger.applyChanges(changes, authorOf(author));
    const descending = effective.slice().sort((a, b) => b.offset - a.offset || b.deletedLength - a.deletedLength);
    for (const c of descending) this.model.applyChange(c.offset, c.deletedLength, c.insertedText.length, author);
    this.model.undoStack.push({ before, after: this.model.cells.slice(), envelope: eventEnvelope(effective), changes: effective });
    this.model.redoStack = [];
  }

  /** An undo (or redo) event the model resolves with the same matching rule; unmatched = human edit. */
  private historyEvent(undo: boolean, changes: TextReplacement[]): void {
    this.log.push(`${undo ? 'undo' : 'redo'} ${JSON.stringify(changes)}`);
    const envelope = eventEnvelope(changes);
    const k = undo ? matchUndo(this.model.undoStack, envelope) : matchRedo(this.model.redoStack, envelope);
    const result = undo ? this.ledger.applyUndo(changes) : this.ledger.applyRedo(changes);
    assert.equal(result, k > 0, `${undo ? 'undo' : 'redo'} match result`);
    if (k > 0) {
      const from = undo ? this.model.undoStack : this.model.redoStack;
      const to = undo ? this.model.redoStack : this.model.undoStack;
      const moved = from.splice(from.length - k, k).reverse();
      this.model.cells = (undo ? moved[moved.length - 1].before : moved[moved.length - 1].after).slice();
      to.push(...moved);
    } else {
      const descending = changes.slice().sort((a, b) => b.offset - a.offset || b.deletedLength - a.deletedLength);
      for (const c of descending) this.model.applyChange(c.offset, c.deletedLength, c.insertedText.length, { human: true });
      this.model.undoStack = [];
      this.model.redoStack = [];
    }
  }

  run(op: Op): void {
    const length = this.length;
    const at = (f: number) => Math.min(length, Math.floor(f * (length + 1)));
    switch (op.t) {
      case 'type': {
        const cursor = at(op.at);
        for (let i = 0; i < op.count; i++) {
          this.edit([{ offset: cursor + i, deletedLength: 0, insertedText: 't' }], op.author);
          this.check();
        }
        return;
      }
      case 'edit': {
        const offset = at(op.at);
        this.edit([{ offset, deletedLength: Math.min(op.len, length - offset), insertedText: 'e'.repeat(op.insert) }], op.author);
        return;
      }
      case 'multi': {
        const cuts = op.cuts.map((f) => at(Math.min(1, op.base * (1 - op.width) + f * op.width))).sort((a, b) => a - b);
        const changes: TextReplacement[] = [];
        for (let i = 0; i + 1 < cuts.length && changes.length < 3; i += 2) {
          // Skip a pure insert at the same offset as the previous change's end: its order is ambiguous.
          const previous = changes[changes.length - 1];
          if (previous && previous.offset === cuts[i] && previous.deletedLength === 0) continue;
          changes.push({ offset: cuts[i], deletedLength: cuts[i + 1] - cuts[i], insertedText: 'm'.repeat(op.inserts[changes.length]) });
        }
        const unique = changes.filter((c, i) => !changes.some((o, j) => j !== i && o.offset === c.offset && o.deletedLength === 0 && c.deletedLength === 0));
        const shuffled = unique.map((c, i) => ({ c, key: op.order[i] ?? 0 })).sort((a, b) => a.key - b.key).map((x) => x.c);
        this.edit(shuffled, op.author);
        return;
      }
      case 'mark': {
        const start = at(op.at);
        const end = Math.min(length, start + op.len);
        if (end <= start) return;
        this.log.push(`mark ${start} ${end} ${JSON.stringify(op.author)}`);
        this.ledger.markRange(start, end, authorOf(op.author));
        this.model.mark(start, end, op.author);
        return;
      }
      case 'undo': {
        const stack = this.model.undoStack;
        if (stack.length === 0) return;
        const k = Math.min(op.k, stack.length);
        let composed: Envelope | undefined;
        for (let i = 1; i <= k; i++) composed = composed ? composeEnvelopes(stack[stack.length - i].envelope, composed) : stack[stack.length - i].envelope;
        const env = composed as Envelope;
        // Entries that cancel out (type a character, delete it) compose to nothing; the editor sends no event.
        if (env.start === env.preEnd && env.start === env.postEnd) return;
        const top = stack[stack.length - 1];
        if (k === 1 && op.split && top.changes.length > 1) {
          // Undo of one multi-change event as the editor reports it: one inverse change per change, in another order.
          const ascending = top.changes.slice().sort((a, b) => a.offset - b.offset);
          let shift = 0;
          const inverse = ascending.map((c) => {
            const change = { offset: c.offset + shift, deletedLength: c.insertedText.length, insertedText: 'u'.repeat(c.deletedLength) };
            shift += c.insertedText.length - c.deletedLength;
            return change;
          });
          this.historyEvent(true, inverse.reverse());
          return;
        }
        this.historyEvent(true, [{ offset: env.start, deletedLength: env.postEnd - env.start, insertedText: 'u'.repeat(env.preEnd - env.start) }]);
        return;
      }
      case 'redo': {
        const stack = this.model.redoStack;
        if (stack.length === 0) return;
        const k = Math.min(op.k, stack.length);
        let composed: Envelope | undefined;
        for (let i = 1; i <= k; i++) composed = composed ? composeEnvelopes(composed, stack[stack.length - i].envelope) : stack[stack.length - i].envelope;
        const env = composed as Envelope;
        if (env.start === env.preEnd && env.start === env.postEnd) return;
        this.historyEvent(false, [{ offset: env.start, deletedLength: env.preEnd - env.start, insertedText: 'r'.repeat(env.postEnd - env.start) }]);
        return;
      }
      case 'bogus': {
        const offset = at(op.at);
        const change = { offset, deletedLength: Math.min(op.len, length - offset), insertedText: 'b'.repeat(op.insert) };
        if (change.deletedLength === 0 && op.insert === 0) return;
        this.historyEvent(op.undo, [change]);
        return;
      }
    }
  }

  /** Every character: human in both, or the same span (through the id mapping) with the same record. */
  check(): void {
    const spans = this.ledger.spans();
    const cells = this.model.cells;
    const perChar: (AttributedSpan | undefined)[] = new Array(cells.length).fill(undefined);
    let prevEnd = 0;
    for (const span of spans) {
      assert.ok(span.start >= prevEnd && span.end > span.start, `spans sorted, non-empty, non-overlapping: ${JSON.stringify(span)}`);
      assert.ok(span.end <= cells.length, `span ${span.id} [${span.start},${span.end}) beyond text length ${cells.length}`);
      for (let i = span.start; i < span.end; i++) perChar[i] = span;
      prevEnd = span.end;
    }
    assert.equal(this.ledger.spanCount, spans.length);
    const modelIds = new Set<string>();
    for (let i = 0; i < cells.length; i++) {
      const cell = cells[i];
      const span = perChar[i];
      if (cell === null) {
        assert.equal(span, undefined, `char ${i}: model says human, ledger says ${span?.id}`);
        continue;
      }
      assert.ok(span, `char ${i}: model says span ${cell.id}, ledger says human`);
      modelIds.add(cell.id);
      const mapped = this.modelToLedger.get(cell.id);
      if (mapped === undefined) {
        assert.equal(this.ledgerToModel.get(span.id), undefined, `char ${i}: ledger span ${span.id} is already model span ${this.ledgerToModel.get(span.id)}, model has new ${cell.id}`);
        this.modelToLedger.set(cell.id, span.id);
        this.ledgerToModel.set(span.id, cell.id);
      } else {
        assert.equal(span.id, mapped, `char ${i}: model span ${cell.id} is ledger ${mapped}, ledger has ${span.id}`);
      }
      assert.equal(span.origin, ORIGINS[cell.origin], `char ${i}: origin`);
      assert.equal(span.humanChangedChars, cell.humanChangedChars, `char ${i}: humanChangedChars of ${span.id}`);
      assert.equal(span.insertedLength, cell.insertedLength, `char ${i}: insertedLength of ${span.id}`);
      assert.equal(span.review !== undefined, cell.reviewed, `char ${i}: reviewed`);
    }
    assert.equal(new Set(spans.map((s) => s.id)).size, modelIds.size, 'same number of spans');
    // Spot-check the queries against the per-character view.
    for (let i = 0; i < cells.length; i += Math.max(1, Math.floor(cells.length / 7))) {
      assert.equal(this.ledger.spanAt(i)?.id, perChar[i]?.id, `spanAt(${i})`);
    }
  }
}

function runSequence(initial: { spans: InitialSpan[]; tail: number }, ops: Op[]): void {
  const harness = new Harness(initial);
  harness.check();
  for (const op of ops) {
    try {
      harness.run(op);
      harness.check();
    } catch (error) {
      throw new Error(`${(error as Error).message}\nafter:\n${harness.log.join('\n')}`, { cause: error });
    }
  }
}

describe('AttributionLedger properties (reference model)', () => {
  it('agrees with the per-character model on random edit, mark, undo and redo sequences', () => {
    fc.assert(
      fc.property(initialArb(8, 6, 10), fc.array(opArb, { minLength: 1, maxLength: 40, size: 'max' }), (initial, ops) => runSequence(initial, ops)),
      { numRuns: 300 },
    );
  });

  it('agrees on large ledgers (many chunks), with long deletes and multi-entry undos', () => {
    const bigEdit: fc.Arbitrary<Op> = fc.record({
      t: fc.constant('edit' as const),
      at: fraction,
      len: fc.integer({ min: 0, max: 1500 }),
      insert: fc.integer({ min: 0, max: 30 }),
      author: authorArb,
    });
    fc.assert(
      fc.property(initialArb(400, 4, 6, 150), fc.array(fc.oneof(opArb, bigEdit, bigEdit), { minLength: 1, maxLength: 30, size: 'max' }), (initial, ops) => runSequence(initial, ops)),
      { numRuns: 40 },
    );
  });

  it('one undo event reverting several typed characters inside AI spans restores them exactly', () => {
    const harness = new Harness({ spans: [{ gap: 2, length: 10, origin: 0, reviewed: true }, { gap: 0, length: 5, origin: 0, reviewed: false }], tail: 3 });
    for (const op of [
      { t: 'type', at: 0.3, count: 4, author: { human: true } },
      { t: 'type', at: 0.6, count: 3, author: { human: false, origin: 0 } },
      { t: 'undo', k: 3, split: false },
      { t: 'undo', k: 4, split: false },
      { t: 'redo', k: 7, split: false },
    ] as Op[]) {
      harness.run(op);
      harness.check();
    }
    assert.equal(harness.ledger.undoDepth, 7);
  });
});

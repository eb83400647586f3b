/**
 * Ledger edit cost against VS Code's own decoration IntervalTree (monaco-editor-core), side by side.
 *
 * Scenario: a 1,000,000-character document with N spans spread evenly over it (about 40 characters
 * each where they fit; at 100,000 spans a slot is 10 characters, so spans are 8), then 100,000 human
 * edits: 70 % typing at a moving cursor (1 character, every tenth a backspace; the cursor jumps
 * to a random place 5 % of the time), 20 % small replacements at random places (1-10 characters by
 * 1-10), 10 % pastes of 100-140 characters. Both sides get the same seeded edits: the ledger via
 * applyChanges (which also records undo history), the reference via IntervalTree.acceptReplace,
 * exactly as TextModel does for decorations (nodes created as IntervalNode with
 * NeverGrowsWhenTypingAtEdges stickiness and inserted into the tree). Each round runs both on
 * fresh instances in alternating blocks of the same edits; the median round is reported. The
 * recorded ns per edit are process CPU time (it also counts V8's GC helper threads, so allocation
 * is charged in full); on a shared 2-core machine wall-clock time mostly measures the neighbours,
 * so it is recorded alongside (wall* fields) but not used for the ratio.
 */
import { AttributionLedger } from '../src/core/ledger/attributionLedger';
import type { AttributedSpan, Origin, TextReplacement } from '../src/core/attribution';
import { sha256Hex } from '../src/core/textHash';
import { recordBenchResults } from './results';
import { seededRandom } from '../test/support/seededRandom';

const DOCUMENT_LENGTH = 1_000_000;
const EDIT_COUNT = 100_000;
const ROUNDS = 5;
const BLOCK = 5_000;
const HUMAN = { kind: 'human' } as const;
const ORIGINS: readonly Origin[] = [
  { kind: 'inline', tool: 'github-copilot', model: 'gpt-4o' },
  { kind: 'chat', tool: 'github-copilot', model: 'claude-sonnet' },
  { kind: 'agent', tool: 'claude-code', session: 'session-1' },
];

/** Minimal shape of monaco's IntervalTree/IntervalNode used here (the module ships without types). */
interface IntervalNodeLike {
  setOptions(options: unknown): void;
}
interface IntervalTreeLike {
  insert(node: IntervalNodeLike): void;
  acceptReplace(offset: number, length: number, textLength: number, forceMoveMarkers: boolean): void;
}
interface IntervalTreeModule {
  IntervalNode: new (id: string, start: number, end: number) => IntervalNodeLike;
  IntervalTree: new () => IntervalTreeLike;
}

/** Decoration options as ModelDecorationOptions carries them; stickiness 1 = NeverGrowsWhenTypingAtEdges. */
const TRACKED_RANGE_OPTIONS = { className: null, glyphMarginClassName: null, stickiness: 1, collapseOnReplaceEdit: false, affectsFont: false };

function makeSpans(count: number, seed: number): AttributedSpan[] {
  const random = seededRandom(seed);
  const slot = DOCUMENT_LENGTH / count;
  const length = Math.min(40, Math.floor(slot * 0.8));
  const spans: AttributedSpan[] = [];
  for (let i = 0; i < count; i++) {
    const start = Math.floor(i * slot + random() * (slot - length));
    spans.push({
      id: globalThis.crypto.randomUUID(),
      start,
      end: start + length,
      origin: ORIGINS[i % ORIGINS.length],
      confidence: 'high',
      insertedAt: 1_700_000_000_000 + i,
      insertedTextHash: sha256Hex(`span ${seed} ${i}`),
      insertedLength: length,
      humanChangedChars: 0,
    });
  }
  return spans;
}

/** One event per edit (pre-built so neither side pays for building it). */
function makeEdits(seed: number): TextReplacement[][] {
  const random = seededRandom(seed);
  const pool = 'abcdefghijklmnopqrstuvwxyz0123456789 (){};=\n'.repeat(10);
  const text = (length: number) => {
    const from = Math.floor(random() * (pool.length - length));
    return pool.slice(from, from + length);
  };
  const events: TextReplacement[][] = [];
  let length = DOCUMENT_LENGTH;
  let cursor = Math.floor(random() * length);
  for (let i = 0; i < EDIT_COUNT; i++) {
    const kind = random();
    let change: TextReplacement;
    if (kind < 0.7) {
      if (random() < 0.05) cursor = Math.floor(random() * length);
      if (random() < 0.1 && cursor > 0) {
        change = { offset: cursor - 1, deletedLength: 1, insertedText: '' };
        cursor--;
      } else {
        change = { offset: cursor, deletedLength: 0, insertedText: text(1) };
        cursor++;
      }
    } else if (kind < 0.9) {
      const offset = Math.floor(random() * (length - 10));
      change = { offset, deletedLength: 1 + Math.floor(random() * 10), insertedText: text(1 + Math.floor(random() * 10)) };
    } else {
      change = { offset: Math.floor(random() * length), deletedLength: 0, insertedText: text(100 + Math.floor(random() * 41)) };
    }
    const delta = change.insertedText.length - change.deletedLength;
    if (kind >= 0.7 && change.offset < cursor) cursor = Math.max(change.offset, cursor + delta);
    length += delta;
    events.push([change]);
  }
  return events;
}

function buildTree(module: IntervalTreeModule, spans: readonly AttributedSpan[]): IntervalTreeLike {
  const tree = new module.IntervalTree();
  for (const span of spans) {
    const node = new module.IntervalNode(span.id, span.start, span.end);
    node.setOptions(TRACKED_RANGE_OPTIONS);
    tree.insert(node);
  }
  return tree;
}

/**
 * One round: fresh instances of both, fed the same edits in alternating blocks (which side goes
 * first alternates too), so load changes on a shared machine hit both sides alike.
 */
interface RoundTiming {
  /** Wall-clock ns per edit. */
  oursWall: number;
  referenceWall: number;
  /** Process CPU ns per edit, including V8's GC helper threads (so allocation shows in full). */
  ours: number;
  reference: number;
}

function cpuNanoseconds(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) * 1000;
}

function timeRound(module: IntervalTreeModule, spans: readonly AttributedSpan[], events: readonly TextReplacement[][]): RoundTiming {
  const ledger = AttributionLedger.fromSpans(spans);
  const tree = buildTree(module, spans);
  let ours = 0;
  let reference = 0;
  let oursWall = 0;
  let referenceWall = 0;
  for (let from = 0, block = 0; from < events.length; from += BLOCK, block++) {
    const to = Math.min(events.length, from + BLOCK);
    const runOurs = () => {
      const cpu = cpuNanoseconds();
      const started = process.hrtime.bigint();
      for (let i = from; i < to; i++) ledger.applyChanges(events[i], HUMAN);
      oursWall += Number(process.hrtime.bigint() - started);
      ours += cpuNanoseconds() - cpu;
    };
    const runReference = () => {
      const cpu = cpuNanoseconds();
      const started = process.hrtime.bigint();
      for (let i = from; i < to; i++) {
        const change = events[i][0];
        tree.acceptReplace(change.offset, change.deletedLength, change.insertedText.length, false);
      }
      referenceWall += Number(process.hrtime.bigint() - started);
      reference += cpuNanoseconds() - cpu;
    };
    if (block % 2 === 0) {
      runOurs();
      runReference();
    } else {
      runReference();
      runOurs();
    }
  }
  if (ledger.spanCount === 0) throw new Error('ledger lost every span');
  const n = events.length;
  return { ours: ours / n, reference: reference / n, oursWall: oursWall / n, referenceWall: referenceWall / n };
}

const median = (values: number[]) => values.slice().sort((a, b) => a - b)[Math.floor(values.length / 2)];

function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (!collect) throw new Error('run with --expose-gc (npm run bench does)');
  collect();
  collect();
}

/** Heap growth for a 100k-span ledger after all edits, history included (ledger alive). */
function measureMemory(events: readonly TextReplacement[][]): { megabytes: number; spans: number; history: number } {
  gc();
  const baseline = process.memoryUsage().heapUsed;
  const ledger = AttributionLedger.fromSpans(makeSpans(100_000, 100_000));
  for (const event of events) ledger.applyChanges(event, HUMAN);
  gc();
  const megabytes = Number(((process.memoryUsage().heapUsed - baseline) / (1024 * 1024)).toFixed(1));
  return { megabytes, spans: ledger.spanCount, history: ledger.undoDepth };
}

async function main(): Promise<void> {
  // A variable specifier: the module ships without type declarations.
  const specifier = 'monaco-editor-core/esm/vs/editor/common/model/intervalTree.js';
  const module = (await import(specifier)) as IntervalTreeModule;
  const events = makeEdits(7);
  // Memory first, while the heap holds nothing but the edit list.
  const memory = measureMemory(events);

  // Warm-up: both sides, enough edits for the JIT to settle.
  const warmSpans = makeSpans(10_000, 99);
  const warmEvents = events.slice(0, 30_000);
  for (let i = 0; i < 2; i++) timeRound(module, warmSpans, warmEvents);

  const figures: Record<string, unknown> = {};
  for (const [label, count] of [['spans1k', 1_000], ['spans10k', 10_000], ['spans100k', 100_000]] as const) {
    const spans = makeSpans(count, count);
    const ours: number[] = [];
    const reference: number[] = [];
    const oursWall: number[] = [];
    const referenceWall: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      gc();
      const timing = timeRound(module, spans, events);
      ours.push(timing.ours);
      reference.push(timing.reference);
      oursWall.push(timing.oursWall);
      referenceWall.push(timing.referenceWall);
    }
    const oursNsPerEdit = Math.round(median(ours));
    const referenceNsPerEdit = Math.round(median(reference));
    const ratio = Number((oursNsPerEdit / referenceNsPerEdit).toFixed(3));
    const oursWallNsPerEdit = Math.round(median(oursWall));
    const referenceWallNsPerEdit = Math.round(median(referenceWall));
    const wallRatio = Number((oursWallNsPerEdit / referenceWallNsPerEdit).toFixed(3));
    figures[label] = { oursNsPerEdit, referenceNsPerEdit, ratio, oursWallNsPerEdit, referenceWallNsPerEdit, wallRatio };
    console.log(
      `${String(count).padStart(7)} spans: ours ${oursNsPerEdit} ns/edit, IntervalTree ${referenceNsPerEdit} ns/edit (CPU), ratio ${ratio}` +
        `  (rounds ours ${ours.map(Math.round).join('/')}, reference ${reference.map(Math.round).join('/')})` +
        `  | wall ours ${oursWallNsPerEdit}, reference ${referenceWallNsPerEdit}, ratio ${wallRatio}`,
    );
  }

  console.log(`memory: ${memory.megabytes} MB for a ledger of 100,000 initial spans after ${EDIT_COUNT} edits (${memory.spans} spans now, ${memory.history} history entries)`);
  figures.memoryMB100k = memory.megabytes;

  recordBenchResults('ledger', figures);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

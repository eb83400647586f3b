import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { hashLines } from '../../../src/core/notes/lineRanges';
import { SearchBudget, WINDOW_COST_CHARS, searchLineWindows } from '../../../src/core/notes/lineSearch';
import { buildNoteRecord, type NoteRange } from '../../../src/core/notes/noteRecord';
import { carryRecord, checkRecord } from '../../../src/core/notes/recordCheck';

const COMMIT = 'a'.repeat(40);
const TREE = 'b'.repeat(40);
const BLOB = 'c'.repeat(40);

function aiRange(lines: readonly string[], start: number, end: number): NoteRange {
  return { start, end, sha256: hashLines(lines, start, end), origin: { kind: 'agent', tool: 'claude-code' }, confidence: 'high', humanChangedShare: 0, review: null };
}

/** The reference: every window hashed, in line order. */
function referenceStarts(lines: readonly string[], length: number, hash: string, allowed: (line: number) => boolean): number[] {
  const starts: number[] = [];
  for (let start = 1; start + length - 1 <= lines.length; start++) {
    let fits = true;
    for (let line = start; line < start + length; line++) if (!allowed(line)) fits = false;
    if (fits && hashLines(lines, start, start + length - 1) === hash) starts.push(start);
  }
  return starts;
}

describe('line search: finding a recorded range elsewhere', () => {
  it('finds the same windows as hashing every window, with and without the recorded lines (property)', () => {
    const line = fc.constantFrom('a', 'b', 'c', '', 'a b');
    fc.assert(
      fc.property(fc.array(line, { maxLength: 30 }), fc.array(line, { minLength: 1, maxLength: 5 }), fc.nat(40), fc.func(fc.boolean()), (lines, pattern, preferred, allowedBy) => {
        const hash = hashLines(pattern, 1, pattern.length);
        const allowed = (lineNumber: number) => lineNumber % 7 !== 0 || allowedBy(lineNumber);
        const expected = referenceStarts(lines, pattern.length, hash, allowed).sort((a, b) => Math.abs(a - preferred) - Math.abs(b - preferred) || a - b);
        assert.deepEqual(searchLineWindows(lines, pattern.length, hash, preferred, { allowed, pattern }), { starts: expected, budgetExceeded: false });
        assert.deepEqual(searchLineWindows(lines, pattern.length, hash, preferred, { allowed }), { starts: expected, budgetExceeded: false });
      }),
    );
  });

  it('ignores recorded lines that do not hash to the range (a hostile or mismatched blob)', () => {
    const lines = ['x', 'a', 'b', 'y'];
    const hash = hashLines(lines, 2, 3);
    assert.deepEqual(searchLineWindows(['q', ...lines], 2, hash, 1, { pattern: ['x', 'y'] }).starts, [3]);
    assert.deepEqual(searchLineWindows(['q', 'x', 'y'], 2, hash, 1, { pattern: ['x', 'y'] }).starts, []);
  });

  it('finds a 50,000-line range in a 100,000-line file in linear time when the recorded lines are known', () => {
    const lines = Array.from({ length: 100_000 }, (_, index) => `  const value${index} = lookup(table, ${index});`);
    const pattern = lines.slice(25_000, 75_000);
    const hash = hashLines(pattern, 1, pattern.length);
    const changed = [...lines];
    changed[50_000] = '  // changed by a human';
    const started = performance.now();
    const stale = searchLineWindows(changed, pattern.length, hash, 25_001, { pattern });
    const moved = searchLineWindows(['// new first line', ...lines], pattern.length, hash, 25_001, { pattern });
    const elapsed = performance.now() - started;
    assert.deepEqual(stale, { starts: [], budgetExceeded: false });
    assert.deepEqual(moved, { starts: [25_002], budgetExceeded: false });
    // Hashing every window would take hours here; a linear search takes well under a second.
    assert.ok(elapsed < 5_000, `took ${elapsed} ms`);
  });

  it('stops hashing at its work budget and says so', () => {
    const lines = Array.from({ length: 20_000 }, (_, index) => `line ${index}`);
    const hash = hashLines(['not', 'there', 'at', 'all'], 1, 4);
    const started = performance.now();
    const result = searchLineWindows(lines, 10_000, hash, 1, { budget: new SearchBudget(1_000_000) });
    assert.deepEqual(result, { starts: [], budgetExceeded: true });
    assert.ok(performance.now() - started < 5_000);
    // Within the budget the same search completes with a plain "not found".
    assert.deepEqual(searchLineWindows(lines.slice(0, 30), 10, hash, 1, { budget: new SearchBudget(1_000_000) }), { starts: [], budgetExceeded: false });
  });

  it('counts each hashed window as more than its characters: empty lines cannot make millions of hash calls', () => {
    const empty = new Array<string>(100).fill('');
    const hash = hashLines(['not here'], 1, 1);
    // A window of one empty line is one character, plus the fixed cost of a hash call.
    assert.deepEqual(searchLineWindows(empty, 1, hash, 1, { budget: new SearchBudget(10 * (1 + WINDOW_COST_CHARS)) }), { starts: [], budgetExceeded: true });
    assert.deepEqual(searchLineWindows(empty, 1, hash, 1, { budget: new SearchBudget(100 * (1 + WINDOW_COST_CHARS)) }), { starts: [], budgetExceeded: false });
  });

  it("spends a run's budget across the budgets of its checks, and stops when the run's is spent", () => {
    const lines = Array.from({ length: 50 }, (_, index) => `line ${index}`);
    const hash = hashLines(['not here'], 1, 1);
    const windowCost = (line: string) => line.length + 1 + WINDOW_COST_CHARS;
    const allWindows = lines.reduce((sum, line) => sum + windowCost(line), 0);
    const run = new SearchBudget(allWindows + allWindows / 2);
    // The first check searches every window; the second runs out of the run's budget half way, though its own is ample.
    assert.deepEqual(searchLineWindows(lines, 1, hash, 1, { budget: new SearchBudget(undefined, run) }), { starts: [], budgetExceeded: false });
    assert.deepEqual(searchLineWindows(lines, 1, hash, 1, { budget: new SearchBudget(undefined, run) }), { starts: [], budgetExceeded: true });
    assert.ok(run.remaining < windowCost(lines[0]) * 2, `the run's budget is spent: ${run.remaining} left`);
  });

  it('checkRecord reports a stale range whose search ran out of budget with the reason, and uses the recorded blob when given', () => {
    const lines = Array.from({ length: 4_000 }, (_, index) => `line ${index}`);
    const record = buildNoteRecord({ commit: COMMIT, tree: TREE, patchId: null, files: [{ path: 'x.ts', blob: BLOB, ranges: [aiRange(lines, 1_001, 3_000)] }] });
    const current = [...lines];
    current[2_000] = 'changed';
    const exhausted = checkRecord(record, COMMIT, () => current, { budget: new SearchBudget(10_000) });
    assert.equal(exhausted.status, 'stale');
    assert.match(exhausted.files[0].ranges[0].reason ?? '', /work budget/);
    const exact = checkRecord(record, COMMIT, () => current, { budget: new SearchBudget(10_000), recordedLinesOf: (path, blob) => (path === 'x.ts' && blob === BLOB ? lines : undefined) });
    assert.deepEqual(exact.files[0].ranges[0], { start: 1_001, end: 3_000, status: 'stale' });
    const moved = checkRecord(record, COMMIT, () => ['new', ...lines], { budget: new SearchBudget(10_000), recordedLinesOf: () => lines });
    assert.deepEqual(moved.files[0].ranges[0], { start: 1_001, end: 3_000, status: 'moved', movedTo: 1_002 });
  });
});

describe('line search: carrying records by line hashes', () => {
  const target = (lines: readonly string[], added: readonly number[]) => ({
    commit: 'e'.repeat(40),
    tree: TREE,
    patchId: null,
    files: new Map([['x.ts', { blob: 'f'.repeat(40), lines, addedLines: new Set(added) }]]),
  });

  it('never carries a short or common range (one `return null;` line) to a commit that adds the same text', () => {
    const source = ['function find() {', '    return null;', '}'];
    const record = buildNoteRecord({ commit: COMMIT, tree: TREE, patchId: null, files: [{ path: 'x.ts', blob: BLOB, ranges: [aiRange(source, 2, 2)] }] });
    assert.equal(carryRecord(record, target(['function other() {', '    return null;', '}'], [2]), 'line-hashes'), undefined);
    const shortBlock = buildNoteRecord({ commit: COMMIT, tree: TREE, patchId: null, files: [{ path: 'x.ts', blob: BLOB, ranges: [aiRange(source, 1, 3)] }] });
    assert.equal(carryRecord(shortBlock, target(source, [1, 2, 3]), 'line-hashes'), undefined);
  });

  it('carries a long, rare range once, and not when it occurs twice in the target', () => {
    const block = ['const first = computeFirst(input);', 'const second = computeSecond(first);', 'return combine(first, second);'];
    const record = buildNoteRecord({ commit: COMMIT, tree: TREE, patchId: null, files: [{ path: 'x.ts', blob: BLOB, ranges: [aiRange(block, 1, 3)] }] });
    assert.ok(carryRecord(record, target(['// head', ...block], [2, 3, 4]), 'line-hashes'));
    assert.equal(carryRecord(record, target([...block, '// middle', ...block], [5, 6, 7]), 'line-hashes'), undefined);
  });

  it('never claims lines another record already holds for the target', () => {
    const block = ['const first = computeFirst(input);', 'const second = computeSecond(first);', 'return combine(first, second);'];
    const one = buildNoteRecord({ commit: COMMIT, tree: TREE, patchId: null, files: [{ path: 'x.ts', blob: BLOB, ranges: [aiRange(block, 1, 3)] }] });
    const other = buildNoteRecord({ commit: 'd'.repeat(40), tree: TREE, patchId: null, files: [{ path: 'x.ts', blob: BLOB, ranges: [aiRange(block, 1, 3)] }] });
    const claimed = new Map<string, Set<number>>();
    assert.ok(carryRecord(one, target(block, [1, 2, 3]), 'line-hashes', { claimed }));
    assert.equal(carryRecord(other, target(block, [1, 2, 3]), 'line-hashes', { claimed }), undefined);
  });
});

import * as assert from 'node:assert/strict';
import { planApproval, type ApprovalReview } from '../../../src/core/notes/approvalRecord';
import { hashLines } from '../../../src/core/notes/lineRanges';
import { buildNoteRecord, type NoteRange } from '../../../src/core/notes/noteRecord';
import { checkRecord } from '../../../src/core/notes/recordCheck';

const COMMIT = 'a'.repeat(40);
const TREE = 'b'.repeat(40);
const BLOB = 'c'.repeat(40);
const lines = ['// head', 'const a = 1;', 'const b = 2;', '// mid', 'const c = 3;'];

function range(start: number, end: number, extra: Partial<NoteRange> = {}): NoteRange {
  return { start, end, sha256: hashLines(lines, start, end), origin: { kind: 'agent', tool: 'claude-code' }, confidence: 'high', humanChangedShare: 0, review: null, ...extra };
}

const approver: ApprovalReview = { decision: 'accepted', intent: 'constants for the parser', scope: ['none'], reviewer: { name: 'Bob', email: 'bob@example.com' }, reviewedAt: '2026-01-06T09:00:00.000Z' };
const target = { commit: COMMIT, tree: TREE, patchId: null, blobs: new Map([['src/a.ts', BLOB]]) };

describe('approving committed AI lines', () => {
  const original = buildNoteRecord({ commit: COMMIT, tree: TREE, patchId: null, files: [{ path: 'src/a.ts', blob: BLOB, ranges: [range(2, 3), range(5, 5)] }] });
  const check = checkRecord(original, COMMIT, () => lines);

  it('repeats the selected ranges with the approver\'s review, the reviewed text being the committed lines', () => {
    const plan = planApproval(target, [original], [check], approver, [{ path: 'src/a.ts', start: 3, end: 3 }]);
    assert.deepEqual(plan.approved, [{ path: 'src/a.ts', start: 2, end: 3 }]);
    const ranges = plan.record?.statement.predicate.files[0].ranges ?? [];
    assert.equal(ranges.length, 1);
    assert.equal(ranges[0].review?.reviewer.email, 'bob@example.com');
    assert.equal(ranges[0].review?.textHash, ranges[0].sha256);
    assert.equal(ranges[0].origin.tool, 'claude-code');
    assert.equal(plan.record?.statement.predicate.commit, COMMIT);
    assert.equal(checkRecord(plan.record!, COMMIT, () => lines).status, 'valid');
  });

  it('approves every range without a selection, skips stale ranges and lines this reviewer approved already', () => {
    const stale = buildNoteRecord({ commit: COMMIT, tree: TREE, patchId: null, files: [{ path: 'src/a.ts', blob: BLOB, ranges: [{ ...range(1, 1), sha256: 'f'.repeat(64) }] }] });
    const first = planApproval(target, [original, stale], [check, checkRecord(stale, COMMIT, () => lines)], approver);
    assert.deepEqual(first.approved.map((item) => `${item.start}-${item.end}`), ['2-3', '5-5']);
    const again = planApproval(target, [original, first.record!], [check, checkRecord(first.record!, COMMIT, () => lines)], approver);
    assert.equal(again.record, undefined);
    assert.equal(again.alreadyApproved, 2);
    const second = planApproval(target, [original, first.record!], [check, checkRecord(first.record!, COMMIT, () => lines)], { ...approver, reviewer: { name: 'Cy', email: 'cy@example.com' } });
    assert.deepEqual(second.approved.map((item) => `${item.start}-${item.end}`), ['2-3', '5-5'], 'a second person approves the same lines once each');
  });
});

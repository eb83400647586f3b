/**
 * Approving AI lines that are already committed: a new record on the same commit that repeats the
 * AI ranges (where their lines are now in that commit, same line hashes and origin) with the
 * approver's review. The record the lines came with is left as it was; readers combine the reviews
 * recorded for the same lines (an approval by a second person, or by an author who forgot). Pure.
 */
import type { Reviewer, ScopeTag } from '../attribution';
import type { RecordCheck } from './recordCheck';
import { buildNoteRecord, type NoteRange, type NoteRecord, type NoteReview } from './noteRecord';

/** A review given after the commit: the approved ranges keep their own recorded text hashes. */
export type ApprovalReview = Omit<NoteReview, 'textHash'>;

/**
 * The review an approval records (`vouch approve`, the editor's Approve Committed AI Lines…): the
 * approver as git names them with the fingerprint of the key chosen to sign (`reviewer.signingKey`,
 * from readGitReviewer given the same key options as the signer), as reviews accepted in the editor
 * and by `vouch review` record it.
 */
export function approvalReview(reviewer: Reviewer, fields: { readonly intent: string; readonly scope: readonly ScopeTag[]; readonly scopeNote?: string; readonly reviewedAt: string }): ApprovalReview {
  const signingKey = reviewer.signingKey?.trim();
  return {
    decision: 'accepted',
    intent: fields.intent,
    scope: fields.scope,
    ...(fields.scopeNote ? { scopeNote: fields.scopeNote } : {}),
    reviewer: signingKey ? { name: reviewer.name, email: reviewer.email, signingKey } : { name: reviewer.name, email: reviewer.email },
    reviewedAt: fields.reviewedAt,
  };
}

export interface ApprovalTarget {
  readonly commit: string;
  readonly tree: string;
  readonly patchId: string | null;
  /** The commit's blob id of each path. */
  readonly blobs: ReadonlyMap<string, string>;
}

/** Lines of a path to approve (1-based, inclusive); every AI range they touch is approved whole. */
export interface LineSelection {
  readonly path: string;
  readonly start: number;
  readonly end: number;
}

export interface ApprovalPlan {
  /** Undefined when there is nothing to approve. */
  readonly record: NoteRecord | undefined;
  readonly approved: readonly { readonly path: string; readonly start: number; readonly end: number }[];
  /** Ranges left out because this reviewer already approved the same lines. */
  readonly alreadyApproved: number;
}

/**
 * The approval record for the AI ranges of `records` (checked against the commit by `checks`) that
 * the selections touch (all when none is given). Stale ranges are never approved: their lines are
 * not in the commit.
 */
export function planApproval(target: ApprovalTarget, records: readonly NoteRecord[], checks: readonly (RecordCheck | undefined)[], review: ApprovalReview, selections: readonly LineSelection[] = []): ApprovalPlan {
  const byPath = new Map<string, Map<string, NoteRange>>();
  const approvedBefore = new Set<string>();
  const key = (path: string, start: number, end: number, sha256: string) => `${path}\0${start}\0${end}\0${sha256}`;
  const candidates: { path: string; range: NoteRange }[] = [];
  records.forEach((record, recordIndex) => {
    record.statement.predicate.files.forEach((file, fileIndex) => {
      file.ranges.forEach((range, rangeIndex) => {
        const status = checks[recordIndex]?.files[fileIndex]?.ranges[rangeIndex];
        if (!status || status.status === 'stale') return;
        const start = status.status === 'moved' && status.movedTo !== undefined ? status.movedTo : range.start;
        const current: NoteRange = { ...range, start, end: start + (range.end - range.start) };
        if (range.review?.decision === 'accepted' && range.review.reviewer.email.toLowerCase() === review.reviewer.email.toLowerCase()) {
          approvedBefore.add(key(file.path, current.start, current.end, range.sha256));
        }
        candidates.push({ path: file.path, range: current });
      });
    });
  });
  let alreadyApproved = 0;
  const counted = new Set<string>();
  for (const { path, range } of candidates) {
    if (selections.length > 0 && !selections.some((selection) => selection.path === path && selection.start <= range.end && range.start <= selection.end)) continue;
    const id = key(path, range.start, range.end, range.sha256);
    if (approvedBefore.has(id)) {
      if (!counted.has(id)) alreadyApproved++;
      counted.add(id);
      continue;
    }
    let ranges = byPath.get(path);
    if (!ranges) byPath.set(path, (ranges = new Map()));
    if (ranges.has(id)) continue;
    ranges.set(id, {
      ...range,
      review: {
        decision: review.decision,
        intent: review.intent,
        scope: review.scope,
        ...(review.scopeNote ? { scopeNote: review.scopeNote } : {}),
        reviewer: review.reviewer,
        reviewedAt: review.reviewedAt,
        // The reviewed text is exactly the committed lines of the range.
        textHash: range.sha256,
      },
    });
  }
  const files = [...byPath]
    .filter(([path]) => target.blobs.has(path))
    .map(([path, ranges]) => ({ path, blob: target.blobs.get(path) as string, ranges: [...ranges.values()] }));
  const approved = files.flatMap((file) => file.ranges.map((range) => ({ path: file.path, start: range.start, end: range.end })));
  if (files.length === 0) return { record: undefined, approved, alreadyApproved };
  return { record: buildNoteRecord({ commit: target.commit, tree: target.tree, patchId: target.patchId, files }), approved, alreadyApproved };
}

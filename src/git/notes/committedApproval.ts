/**
 * Approving AI lines that are already committed (`vouch approve` and the editor's "Approve Committed
 * AI Lines…"): for each commit, a new record repeating the AI ranges the selections touch with the
 * approver's review, signed with the approver's key when one is configured, appended to the commit's
 * note. The record the lines came with stays as it was.
 */
import { planApproval, type ApprovalReview, type LineSelection } from '../../core/notes/approvalRecord';
import { readReportInput } from '../report/rangeInput';
import { signRecord, type SignerSource } from '../signing/recordSigning';
import { blobsAtPaths } from '../blobReads';
import { patchIdOfCommit } from '../commitDiffs';
import { treeOfCommit } from '../revisions';
import type { ReconcileDeps } from './reconcile';

/** The repository, notes reader and writer and logger (what reconcile needs too), and the approver's own signer. */
export interface ApprovalContext extends ReconcileDeps {
  readonly signer?: SignerSource;
}

export interface ApprovalOutcome {
  readonly approved: readonly { readonly commit: string; readonly path: string; readonly start: number; readonly end: number }[];
  /** Ranges this approver had approved already (left out). */
  readonly alreadyApproved: number;
  /** "signed by <key>", or why the records are unsigned ("unsigned" when none was written). */
  readonly signing: string;
}

/** Writes one approval record per commit of `commits` for the AI ranges `selections` touch (all of them without selections). */
export async function approveCommittedLines(context: ApprovalContext, commits: readonly string[], review: ApprovalReview, selections: readonly LineSelection[] = []): Promise<ApprovalOutcome> {
  const inputs = await readReportInput(context.git, context.topLevel, context.reader, commits);
  const approved: { commit: string; path: string; start: number; end: number }[] = [];
  let alreadyApproved = 0;
  let signing = 'unsigned';
  for (const input of inputs) {
    if (input.records.length === 0) continue;
    const paths = [...new Set(input.records.flatMap((item) => item.record.statement.predicate.files.map((file) => file.path)))];
    const [tree, patchId, blobs] = await Promise.all([treeOfCommit(context.git, context.topLevel, input.commit), patchIdOfCommit(context.git, context.topLevel, input.commit), blobsAtPaths(context.git, context.topLevel, input.commit, paths)]);
    const plan = planApproval(
      { commit: input.commit, tree, patchId, blobs },
      input.records.map((item) => item.record),
      input.records.map((item) => item.check),
      review,
      selections,
    );
    alreadyApproved += plan.alreadyApproved;
    if (!plan.record) continue;
    const signed = await signRecord(plan.record, context.signer, context.logger);
    signing = signed.outcome.signedBy ? `signed by ${signed.outcome.signedBy}` : (signed.outcome.unsigned ?? 'unsigned');
    await context.writer.append([{ commit: input.commit, line: signed.record.line }]);
    for (const range of plan.approved) approved.push({ commit: input.commit, ...range });
  }
  return { approved, alreadyApproved, signing };
}

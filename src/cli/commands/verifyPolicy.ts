/**
 * What `vouch verify` adds for policies and later approvals, kept out of verify.ts so its own
 * edit stays a few lines: AI ranges approved in another record of the same commit (`vouch approve`)
 * are not unreviewed; with a policy, its failures join the problems (kind `policy`, naming the rule,
 * the place and what would satisfy it) and its `maxUnreviewedShare` decides about unreviewed code.
 */
import type { PolicyResult } from '../../core/policy/evaluatePolicy';
import type { ReportCommitInput } from '../../core/report/rangeReport';
import { readReportInput } from '../../git/report/rangeInput';
import type { NotesContext } from './notesCommon';
import { evaluateRangePolicy, signatureLookup, type LoadedPolicy } from './rangePolicy';
import type { VerifyProblem, VerifyResult } from './verify';

/**
 * `commit\0path\0start\0end` of every AI range some record of its commit accepts with a review
 * of the committed lines (not one of text changed after it: reviewCovers).
 */
export function acceptedRanges(inputs: readonly ReportCommitInput[]): Set<string> {
  const accepted = new Set<string>();
  for (const input of inputs) {
    for (const { record, check } of input.records) {
      record.statement.predicate.files.forEach((file, fileIndex) => {
        file.ranges.forEach((range, rangeIndex) => {
          if (range.review?.decision !== 'accepted' || check?.files[fileIndex]?.ranges[rangeIndex]?.reviewCovers === false) return;
          accepted.add(`${input.commit}\0${file.path}\0${range.start}\0${range.end}`);
        });
      });
    }
  }
  return accepted;
}

export interface PolicyVerdict extends PolicyResult {
  readonly source: string;
  readonly allowedSigners: string | null;
}

/**
 * The verify result with approvals from other records taken into account and, with a policy, the
 * policy's failures in place of verify's own unreviewed problems. Reads the range's records once more
 * (with their checks and file lines) for the policy's blocks and risk hints, unless the caller read
 * them already (`vouch report`, which shows the same result through this one path).
 */
export async function withApprovalsAndPolicy(
  context: NotesContext,
  result: VerifyResult,
  loaded: LoadedPolicy | undefined,
  allowedSigners: string | undefined,
  readInputs?: readonly ReportCommitInput[],
): Promise<VerifyResult & { readonly policy?: PolicyVerdict }> {
  // A range unreviewed in one record, or whose review there is of text changed after it, is reviewed
  // when another record of its commit (vouch approve) accepts the committed lines.
  const hasUnreviewed = result.problems.some((problem) => problem.kind === 'unreviewed' || problem.kind === 'reviewed-text-differs');
  if (!loaded && !hasUnreviewed) return result;
  // Only commits with a note hold records: the rest of the range cannot approve or fail a policy.
  const inputs = readInputs ?? (await readReportInput(context.git, context.topLevel, context.reader, result.commits.withNotes.map((item) => item.commit), { addedLines: false }));
  const signaturesChecked = result.commits.withNotes.some((item) => item.signatures !== undefined);
  const policy: PolicyVerdict | undefined = loaded ? { ...evaluateRangePolicy(loaded, inputs, signatureLookup(result, signaturesChecked)), allowedSigners: allowedSigners ?? null } : undefined;
  const accepted = acceptedRanges(inputs);
  const keep = (problem: VerifyProblem) => {
    if (problem.kind === 'reviewed-text-differs') return !accepted.has(`${problem.commit}\0${problem.path ?? ''}\0${problem.start ?? 0}\0${problem.end ?? 0}`);
    if (problem.kind !== 'unreviewed') return true;
    if (policy) return false;
    return !accepted.has(`${problem.commit}\0${problem.path ?? ''}\0${problem.start ?? 0}\0${problem.end ?? 0}`);
  };
  const policyProblems = new Map<string, VerifyProblem[]>();
  for (const failure of policy?.failures ?? []) {
    const list = policyProblems.get(failure.commit) ?? [];
    list.push({ commit: failure.commit, kind: 'policy', path: failure.path, start: failure.start, end: failure.end, message: `${failure.rule}: ${failure.message}; to satisfy it: ${failure.fix}` });
    policyProblems.set(failure.commit, list);
  }
  const verified = result.commits.mapWithNotes((item) => ({ ...item, problems: [...item.problems.filter(keep), ...(policyProblems.get(item.commit) ?? [])] }));
  const problems = verified.withNotes.flatMap((item) => item.problems);
  return { ...result, ok: problems.length === 0, commits: verified, problems, ...(policy ? { policy } : {}) };
}

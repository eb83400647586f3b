/**
 * Evaluating a policy over the AI blocks of a commit range (pure). The git layer hands in every
 * recorded AI block with all the reviews recorded for it (later approvals are separate records) and
 * the signature verdicts it checked; this says which rules fail, where, and what would satisfy them.
 */
import { minimatch } from 'minimatch';
import type { RiskCategory } from '../review/riskHints';
import type { Policy } from './policyFile';

export interface PolicyReview {
  readonly decision: 'accepted' | 'rejected';
  readonly reviewer: { readonly name: string; readonly email: string };
  /** The allowed-signers principal whose valid signature covers this review, when one does. */
  readonly signedBy?: string;
}

export interface PolicyBlock {
  readonly commit: string;
  readonly commitAuthorEmail: string;
  readonly path: string;
  readonly start: number;
  readonly end: number;
  readonly tool: string;
  readonly model?: string;
  readonly riskHints: readonly RiskCategory[];
  readonly reviews: readonly PolicyReview[];
  /** The agent's claim on the block, when recorded: its principal and whether its signature is valid. */
  readonly agent?: { readonly principal: string; readonly signed: boolean };
}

export type PolicyRule = 'approvers' | 'secondApprover' | 'models' | 'signatures.reviewer' | 'signatures.agent' | 'maxUnreviewedShare';

export interface PolicyFailure {
  readonly rule: PolicyRule;
  readonly commit: string;
  readonly path: string;
  readonly start: number;
  readonly end: number;
  /** What is wrong, in words; holds untrusted text (names, paths): escape before showing. */
  readonly message: string;
  /** What would satisfy the rule. */
  readonly fix: string;
}

export interface PolicyResult {
  readonly ok: boolean;
  readonly aiLines: number;
  readonly unreviewedLines: number;
  readonly maxUnreviewedShare: number;
  readonly failures: readonly PolicyFailure[];
}

const GLOB = { dot: true, nocomment: true, nonegate: true } as const;

function matchesPath(path: string, globs: readonly string[]): boolean {
  return globs.some((glob) => minimatch(path, glob, GLOB));
}

function matchesName(name: string, patterns: readonly string[]): boolean {
  return patterns.some((pattern) => pattern === '*' || minimatch(name, pattern, { ...GLOB, nocase: true, noglobstar: true }));
}

/** The approvers of a path: the last approver rule whose paths match (as in CODEOWNERS), else the default, else anyone. */
export function approversFor(policy: Policy, path: string): readonly string[] {
  const rules = policy.approvers?.rules ?? [];
  for (let index = rules.length - 1; index >= 0; index--) if (matchesPath(path, rules[index].paths)) return rules[index].principals;
  return policy.approvers?.default ?? ['*'];
}

/** Who a review speaks for: the signing principal when its signature is valid, else (unless signatures are required) the reviewer's email. */
function identities(review: PolicyReview, signedOnly: boolean): string[] {
  const names: string[] = [];
  if (review.signedBy) names.push(review.signedBy);
  if (!signedOnly) names.push(review.reviewer.email);
  return names;
}

function quoteList(names: readonly string[]): string {
  return names.length > 8 ? `${names.slice(0, 8).join(', ')} (and ${names.length - 8} more)` : names.join(', ');
}

export function evaluatePolicy(policy: Policy, blocks: readonly PolicyBlock[]): PolicyResult {
  const failures: PolicyFailure[] = [];
  const signedOnly = policy.signatures?.reviewer === true;
  let aiLines = 0;
  let unreviewedLines = 0;
  const unreviewed: PolicyBlock[] = [];
  for (const block of blocks) {
    const lines = block.end - block.start + 1;
    aiLines += lines;
    const at = { commit: block.commit, path: block.path, start: block.start, end: block.end };
    const where = `${block.path}:${block.start}-${block.end}`;
    const approve = `vouch approve ${block.commit.slice(0, 12)} --lines ${block.path}:${block.start}-${block.end}`;
    for (const rule of policy.models ?? []) {
      if (!matchesPath(block.path, rule.paths)) continue;
      if (rule.allowTools && !matchesName(block.tool, rule.allowTools)) {
        failures.push({ ...at, rule: 'models', message: `${where}: AI tool ${block.tool} is not allowed in ${rule.paths.join(', ')}`, fix: `code from an allowed tool (${quoteList(rule.allowTools) || 'none'}), or rewritten by a person` });
      }
      if (rule.allowModels && (!block.model || !matchesName(block.model, rule.allowModels))) {
        failures.push({ ...at, rule: 'models', message: `${where}: model ${block.model ?? '(not recorded)'} (${block.tool}) is not allowed in ${rule.paths.join(', ')}`, fix: `code from an allowed model (${quoteList(rule.allowModels) || 'none'}), or rewritten by a person` });
      }
    }
    if (policy.signatures?.agent && !block.agent?.signed) {
      failures.push({ ...at, rule: 'signatures.agent', message: `${where}: ${block.agent ? `the claim of agent ${block.agent.principal} is not validly signed` : 'no signed agent claim'} (${block.tool})`, fix: 'the agent signs its claim when it reports the lines (vouch mark with a signing key listed in the allowed signers)' });
    }
    const accepted = block.reviews.filter((review) => review.decision === 'accepted');
    if (accepted.length === 0) {
      unreviewedLines += lines;
      unreviewed.push(block);
      continue;
    }
    const allowed = approversFor(policy, block.path);
    const approvals = new Set<string>();
    const approvalEmails = new Set<string>();
    for (const review of accepted) {
      const names = identities(review, signedOnly);
      const approving = names.find((name) => matchesName(name, allowed));
      if (approving) {
        approvals.add(approving.toLowerCase());
        approvalEmails.add((review.signedBy ?? review.reviewer.email).toLowerCase());
      }
    }
    if (signedOnly && !accepted.some((review) => review.signedBy)) {
      failures.push({ ...at, rule: 'signatures.reviewer', message: `${where}: accepted by ${quoteList(accepted.map((review) => review.reviewer.email))}, but no review is validly signed by a key in the allowed signers`, fix: `a signed approval by one of ${quoteList(allowed)}: ${approve} with a signing key listed in the allowed signers` });
      continue;
    }
    if (approvals.size === 0) {
      const by = quoteList(accepted.map((review) => review.signedBy ?? review.reviewer.email));
      failures.push({ ...at, rule: 'approvers', message: `${where}: accepted by ${by}, who may not approve ${block.path}`, fix: `an approval by one of ${quoteList(allowed)}: ${approve}` });
      continue;
    }
    for (const rule of policy.secondApprover ?? []) {
      if (rule.paths && !matchesPath(block.path, rule.paths)) continue;
      if (rule.riskHints && !rule.riskHints.some((hint) => block.riskHints.includes(hint))) continue;
      const why = rule.riskHints ? `it carries risk hints ${block.riskHints.filter((hint) => rule.riskHints?.includes(hint)).join(', ')}` : `of its path (${rule.paths?.join(', ')})`;
      if (rule.require === 'two-approvers' && approvals.size < 2) {
        failures.push({ ...at, rule: 'secondApprover', message: `${where}: needs two approvers because ${why}; approved by ${quoteList([...approvals])} only`, fix: `a second approval by another of ${quoteList(allowed)}: ${approve}` });
      }
      if (rule.require === 'not-author' && ![...approvalEmails].some((email) => email !== block.commitAuthorEmail.toLowerCase())) {
        failures.push({ ...at, rule: 'secondApprover', message: `${where}: needs an approver who is not the commit's author (${block.commitAuthorEmail}) because ${why}`, fix: `an approval by someone else among ${quoteList(allowed)}: ${approve}` });
      }
    }
  }
  const maxUnreviewedShare = policy.maxUnreviewedShare ?? 0;
  if (aiLines > 0 && unreviewedLines / aiLines > maxUnreviewedShare) {
    const share = `${unreviewedLines} of ${aiLines} AI lines are unreviewed (${((unreviewedLines / aiLines) * 100).toFixed(1)}%), more than the policy's ${(maxUnreviewedShare * 100).toFixed(1)}%`;
    for (const block of unreviewed) {
      failures.push({
        rule: 'maxUnreviewedShare',
        commit: block.commit,
        path: block.path,
        start: block.start,
        end: block.end,
        message: `${block.path}:${block.start}-${block.end}: ${block.end - block.start + 1} AI line(s) (${block.tool}) not reviewed; ${share}`,
        fix: `a review: vouch approve ${block.commit.slice(0, 12)} --lines ${block.path}:${block.start}-${block.end}`,
      });
    }
  }
  return { ok: failures.length === 0, aiLines, unreviewedLines, maxUnreviewedShare, failures };
}

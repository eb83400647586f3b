/**
 * The policy for `vouch verify --policy` and `vouch report --policy`: read from the auditor's file
 * or from the base branch (`git show <base>:<path>`), never from the commits under verification,
 * and evaluated over the range's AI blocks with every review recorded for each (later approvals are
 * separate records) and the reviewer signatures verify found valid.
 */
import * as path from 'node:path';
import { evaluatePolicy, type PolicyBlock, type PolicyResult, type PolicyReview } from '../../core/policy/evaluatePolicy';
import { MAX_POLICY_BYTES, parsePolicy, PolicyError, type Policy } from '../../core/policy/policyFile';
import type { ReportCommitInput } from '../../core/report/rangeReport';
import type { MarkdownSection } from '../../core/report/reportMarkdown';
import type { SignatureVerdicts } from '../../core/report/signatureVerdicts';
import { findRiskHints, type RiskCategory } from '../../core/review/riskHints';
import { escapeMarkdownText } from '../../core/visibility/hoverText';
import { blobsAtPaths, readBlobs } from '../../git/blobReads';
import { resolveCommit } from '../../git/revisions';
import { readOptionFile } from '../boundedInput';
import { CliUsageError } from '../commandErrors';
import { printable } from '../untrustedText';
import type { NotesContext } from './notesCommon';
import type { VerifyResult } from './verify';
import type { RangeSignature } from './verifyChecks';

export interface LoadedPolicy {
  readonly policy: Policy;
  /** Where it was read from, for the output: a file path, or `<base commit>:<path>`. */
  readonly source: string;
}

/** The left side of `A..B` / `A...B`, or undefined for a single revision. */
export function rangeBase(range: string): string | undefined {
  const at = range.indexOf('..');
  if (at <= 0) return undefined;
  return range.slice(0, at);
}

export async function loadPolicy(context: NotesContext, cwd: string, policyPath: string, fromBase: string | undefined): Promise<LoadedPolicy> {
  let text: string;
  let source: string;
  if (fromBase === undefined) {
    const file = path.resolve(cwd, policyPath);
    text = (await readOptionFile('--policy', policyPath, file, MAX_POLICY_BYTES)).toString('utf8');
    source = file;
  } else {
    const base = await resolveCommit(context.git, context.topLevel, fromBase).catch(() => {
      throw new CliUsageError(`--policy-from-base: no such base commit: ${fromBase}`);
    });
    const repoPath = policyPath.replace(/^\.\//, '');
    const blob = (await blobsAtPaths(context.git, context.topLevel, base, [repoPath])).get(repoPath);
    if (!blob) throw new CliUsageError(`--policy-from-base: the base ${fromBase} (${base.slice(0, 12)}) has no file ${repoPath}`);
    const read = (await readBlobs(context.git, context.topLevel, [blob], MAX_POLICY_BYTES)).get(blob);
    if (read?.text === undefined) throw new CliUsageError(`--policy-from-base: ${repoPath} at ${fromBase} not read: ${read?.problem ?? 'missing'}`);
    text = read.text;
    source = `${base}:${repoPath} (${fromBase})`;
  }
  try {
    return { policy: parsePolicy(text), source };
  } catch (error) {
    if (error instanceof PolicyError) throw new CliUsageError(`policy ${source}: ${error.message}`);
    throw error;
  }
}

/** The email in `Name <email>`, else the text itself. */
function emailOf(author: string): string {
  const match = /<([^<>]*)>\s*$/.exec(author);
  return match ? match[1] : author;
}

/**
 * A lookup over `vouch verify`'s per-range signature verdicts (present when it checked signatures).
 * `checked`: the auditor gave keys (allowed signers or an OpenPGP keyring), so a missing verdict means not valid.
 */
export function signatureLookup(result: VerifyResult | undefined, checked: boolean): SignatureVerdicts {
  return verdictsOf(result?.commits.withNotes ?? [], checked);
}

/** The same lookup over per-commit range signatures (`VerifyChecks.rangeSignatures`), for `vouch blame`. */
export function verdictsOf(commits: Iterable<{ readonly commit: string; readonly signatures?: readonly RangeSignature[] }>, checked: boolean): SignatureVerdicts {
  const reviewers = new Map<string, string>();
  const agents = new Map<string, { principal: string; signed: boolean }>();
  for (const item of commits) {
    for (const signature of item.signatures ?? []) {
      const at = `${item.commit}\0${signature.path}\0${signature.start}\0${signature.end}`;
      if (signature.role === 'agent') {
        const earlier = agents.get(at);
        if (!earlier?.signed) agents.set(at, { principal: signature.principal, signed: signature.verdict === 'valid' });
      } else if (signature.verdict === 'valid') {
        reviewers.set(`${at}\0${signature.principal.toLowerCase()}`, signature.principal);
      }
    }
  }
  return {
    checked,
    reviewer: (commit, path, start, end, email) => reviewers.get(`${commit}\0${path}\0${start}\0${end}\0${email.toLowerCase()}`),
    agent: (commit, path, start, end) => agents.get(`${commit}\0${path}\0${start}\0${end}`),
  };
}

/** Every AI block of the range (current lines of ranges that still match), with all reviews recorded for the same lines. */
export function policyBlocks(inputs: readonly ReportCommitInput[], signatures: SignatureVerdicts): PolicyBlock[] {
  const blocks: PolicyBlock[] = [];
  for (const commit of inputs) {
    const byLines = new Map<string, { block: Omit<PolicyBlock, 'reviews'>; reviews: PolicyReview[] }>();
    for (const input of commit.records) {
      input.record.statement.predicate.files.forEach((file, fileIndex) => {
        file.ranges.forEach((range, rangeIndex) => {
          const status = input.check?.files[fileIndex]?.ranges[rangeIndex];
          if (!status || status.status === 'stale') return;
          const start = status.status === 'moved' && status.movedTo !== undefined ? status.movedTo : range.start;
          const end = start + (range.end - range.start);
          const key = `${file.path}\0${start}\0${end}\0${range.sha256}`;
          let entry = byLines.get(key);
          if (!entry) {
            const lines = commit.fileLines(file.path);
            const riskHints: RiskCategory[] = lines && end <= lines.length ? [...new Set(findRiskHints(lines.slice(start - 1, end).join('\n'), file.path, { textBefore: lines.slice(0, start - 1).join('\n') }).map((hint) => hint.category))] : [];
            const agent = signatures.agent(commit.commit, file.path, range.start, range.end);
            entry = {
              block: { commit: commit.commit, commitAuthorEmail: emailOf(commit.author), path: file.path, start, end, tool: range.origin.tool, ...(range.origin.model ? { model: range.origin.model } : {}), riskHints, ...(agent ? { agent } : {}) },
              reviews: [],
            };
            byLines.set(key, entry);
          }
          if (range.review) {
            const signer = range.review.decision === 'accepted' ? signatures.reviewer(commit.commit, file.path, range.start, range.end, range.review.reviewer.email) : undefined;
            entry.reviews.push({ decision: range.review.decision, reviewer: { name: range.review.reviewer.name, email: range.review.reviewer.email }, ...(signer ? { signedBy: signer } : {}) });
          }
        });
      });
    }
    for (const { block, reviews } of byLines.values()) blocks.push({ ...block, reviews });
  }
  return blocks;
}

export function evaluateRangePolicy(loaded: LoadedPolicy, inputs: readonly ReportCommitInput[], signatures: SignatureVerdicts): PolicyResult & { readonly source: string } {
  return { ...evaluatePolicy(loaded.policy, policyBlocks(inputs, signatures)), source: loaded.source };
}

const MAX_LISTED_FAILURES = 200;

/** The policy result as a Markdown section; failure messages quote note text and paths, so all of it is escaped. */
export function policySection(result: PolicyResult & { readonly source: string }, allowedSigners: string | undefined): MarkdownSection {
  const used = `Policy: ${escapeMarkdownText(result.source, 300)} · allowed signers: ${allowedSigners ? escapeMarkdownText(allowedSigners, 300) : 'none (no signature counts)'}`;
  if (result.ok) return { title: '✅ Policy passed', markdown: used };
  const items = result.failures.slice(0, MAX_LISTED_FAILURES).map((failure) => `- **${failure.rule}** · commit ${failure.commit.slice(0, 12)} · ${escapeMarkdownText(failure.message, 400)}  \n  to satisfy it: ${escapeMarkdownText(failure.fix, 400)}`);
  if (result.failures.length > items.length) items.push(`- and ${result.failures.length - items.length} more`);
  return { title: `❌ Policy failed: ${result.failures.length} failure(s)`, markdown: `${used}\n\n${items.join('\n')}`, open: true };
}

/** The policy result for a terminal, every untrusted string through `printable`. */
export function policyText(result: PolicyResult & { readonly source: string }, allowedSigners: string | undefined): string {
  const lines = [`policy: ${printable(result.source, 300)}`, `allowed signers: ${allowedSigners ? printable(allowedSigners, 300) : 'none (no signature counts)'}`];
  if (result.ok) lines.push('policy: passed');
  else {
    lines.push(`policy: FAILED, ${result.failures.length} failure(s):`);
    for (const failure of result.failures) {
      lines.push(`  ${failure.rule.padEnd(19)} ${failure.commit.slice(0, 12)} ${printable(failure.message, 400)}`, `  ${''.padEnd(19)} ${''.padEnd(12)} to satisfy it: ${printable(failure.fix, 400)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** The policy options `vouch verify` and `vouch report` share. */
export const POLICY_OPTIONS = {
  policy: { type: 'string' },
  'policy-from-base': { type: 'boolean' },
  base: { type: 'string' },
} as const;

export const POLICY_HELP = `  --policy FILE       check the range against a policy (docs/policy.md): the auditor's
                      file, never one from the commits under verification
  --policy-from-base  read --policy's path from the base of the range instead
                      (git show <base>:<path>; <base> is the left side of A..B)
  --base REV          the base for --policy-from-base when the range has no A..B`;

/** Reads the policy the options name, or undefined without --policy. */
export async function policyFromOptions(
  context: NotesContext,
  cwd: string,
  range: string,
  values: { readonly policy?: string; readonly 'policy-from-base'?: boolean; readonly base?: string },
): Promise<LoadedPolicy | undefined> {
  if (values.policy === undefined) {
    if (values['policy-from-base'] || values.base !== undefined) throw new CliUsageError('--policy-from-base and --base need --policy PATH');
    return undefined;
  }
  if (!values['policy-from-base']) {
    if (values.base !== undefined) throw new CliUsageError('--base needs --policy-from-base');
    return loadPolicy(context, cwd, values.policy, undefined);
  }
  const base = values.base ?? rangeBase(range);
  if (base === undefined) throw new CliUsageError(`--policy-from-base: ${range} has no base (A..B); give --base REV`);
  return loadPolicy(context, cwd, values.policy, base);
}

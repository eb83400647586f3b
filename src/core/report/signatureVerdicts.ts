/**
 * What "signed" means wherever a record is summarised (report, blame, policy): a signature that
 * verifies against the auditor's keys (allowed signers file, OpenPGP keyring) given on the command
 * line, as `vouch verify` checks it. Without keys a signature is only "present, not verified".
 * The same for an agent's attribution claim: its principal is shown as the author of the lines only
 * when the claim's signature verifies; otherwise it is labelled as not verified.
 */
import type { NoteRange } from '../notes/noteRecord';
import { parseClaimEnvelope } from '../signing/attributionClaim';

/** The auditor's verdicts on a range's signatures, keyed by the range as recorded (commit, path, start, end). */
export interface SignatureVerdicts {
  /** True when signatures were checked against keys the auditor gave; false: nothing was verified. */
  readonly checked: boolean;
  /** The principal whose valid signature covers `email`'s review of the lines, or undefined. */
  reviewer(commit: string, path: string, start: number, end: number, email: string): string | undefined;
  /** The agent claim on the lines as checked: its principal and whether its signature is valid; undefined when not checked. */
  agent(commit: string, path: string, start: number, end: number): { readonly principal: string; readonly signed: boolean } | undefined;
}

export const UNCHECKED_SIGNATURES: SignatureVerdicts = { checked: false, reviewer: () => undefined, agent: () => undefined };

/**
 * verified: the claim's signature verifies against the auditor's keys; not-verified: keys were
 * given and it does not; not-checked: no keys were given; unreadable: the claim cannot be read.
 */
export type AgentClaimState = 'verified' | 'not-verified' | 'not-checked' | 'unreadable';

export interface AgentClaimView {
  /** The principal the claim names (as written by whoever signed it: trust only when verified). */
  readonly principal?: string;
  readonly state: AgentClaimState;
}

export const NO_AGENT_CLAIM = '(no agent claim)';

/** The agent claim a recorded range carries, judged by `verdicts`; undefined when it carries none. */
export function agentClaimOf(commit: string, path: string, range: NoteRange, verdicts: SignatureVerdicts): AgentClaimView | undefined {
  if (!range.agentClaim) return undefined;
  const parsed = parseClaimEnvelope(range.agentClaim);
  if (!parsed.ok) return { state: 'unreadable' };
  const principal = parsed.value.claim.principal;
  if (!verdicts.checked) return { principal, state: 'not-checked' };
  const verdict = verdicts.agent(commit, path, range.start, range.end);
  return { principal, state: verdict?.signed && verdict.principal === principal ? 'verified' : 'not-verified' };
}

/** How a claim is labelled in a table or a column: the principal alone only when verified. */
export function agentClaimLabel(view: AgentClaimView | undefined): string {
  if (!view) return NO_AGENT_CLAIM;
  switch (view.state) {
    case 'verified':
      return view.principal ?? '?';
    case 'not-verified':
      return `${view.principal ?? '?'} (claim does not verify)`;
    case 'not-checked':
      return `${view.principal ?? '?'} (claim signature not verified)`;
    case 'unreadable':
      return '(unreadable agent claim)';
  }
}

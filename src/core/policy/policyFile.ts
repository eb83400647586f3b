/**
 * The Vouch policy file (docs/policy.md, schema docs/policy-schema.json): who may approve AI code
 * where, when a second approver (or one who is not the commit's author) is needed, which AI tools
 * and models are allowed where, which claims must be signed, and how much AI code may stay
 * unreviewed. Parsed strictly: an unknown key or a bad value is an error that names its place,
 * since a typo in a policy must not silently weaken it.
 */
import { RISK_CATEGORIES, type RiskCategory } from '../review/riskHints';
import { errorMessage } from '../errorMessage';

export const POLICY_VERSION = 1;
export const MAX_POLICY_BYTES = 1024 * 1024;
const MAX_LIST = 1_000;
const MAX_TEXT = 500;

export interface ApproverRule {
  /** Path globs (repository-relative, `**` for any depth). */
  readonly paths: readonly string[];
  /** Principals of the allowed-signers file (or reviewer emails) who may approve; `*` for anyone. */
  readonly principals: readonly string[];
}

export type SecondApproverRequirement = 'two-approvers' | 'not-author';

export interface SecondApproverRule {
  /** Applies to AI blocks in these paths (all paths when absent)... */
  readonly paths?: readonly string[];
  /** ...that carry one of these risk hints (any block when absent). */
  readonly riskHints?: readonly RiskCategory[];
  readonly require: SecondApproverRequirement;
}

export interface ModelRule {
  readonly paths: readonly string[];
  /** Tool names or globs allowed there; `unknown-ai` only when listed. */
  readonly allowTools?: readonly string[];
  /** Model names or globs allowed there; a block without a recorded model is not allowed when this is given. */
  readonly allowModels?: readonly string[];
}

export interface Policy {
  readonly version: typeof POLICY_VERSION;
  readonly approvers?: { readonly default?: readonly string[]; readonly rules?: readonly ApproverRule[] };
  readonly secondApprover?: readonly SecondApproverRule[];
  readonly models?: readonly ModelRule[];
  readonly signatures?: { readonly reviewer?: boolean; readonly agent?: boolean };
  /** 0..1: the largest share of the range's AI lines that may be unreviewed (default 0). */
  readonly maxUnreviewedShare?: number;
}

export class PolicyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PolicyError';
  }
}

type Json = unknown;

function objectAt(value: Json, where: string, allowed: readonly string[]): Record<string, Json> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new PolicyError(`${where} must be an object`);
  const record = value as Record<string, Json>;
  for (const key of Object.keys(record)) {
    if (!allowed.includes(key)) throw new PolicyError(`${where} has an unknown key ${JSON.stringify(key.slice(0, 80))} (allowed: ${allowed.join(', ')})`);
  }
  return record;
}

function stringsAt(value: Json, where: string, options: { nonEmpty?: boolean } = {}): string[] {
  if (!Array.isArray(value)) throw new PolicyError(`${where} must be a list of strings`);
  if (value.length > MAX_LIST) throw new PolicyError(`${where} has more than ${MAX_LIST} entries`);
  if (options.nonEmpty && value.length === 0) throw new PolicyError(`${where} must not be empty`);
  return value.map((item, index) => {
    if (typeof item !== 'string' || item.length === 0 || item.length > MAX_TEXT) throw new PolicyError(`${where}[${index}] must be a non-empty string of at most ${MAX_TEXT} characters`);
    return item;
  });
}

function booleanAt(value: Json, where: string): boolean {
  if (typeof value !== 'boolean') throw new PolicyError(`${where} must be true or false`);
  return value;
}

/** Parses and validates a policy file's text; throws PolicyError naming the first problem. */
export function parsePolicy(text: string): Policy {
  if (text.length > MAX_POLICY_BYTES) throw new PolicyError(`the policy is larger than ${MAX_POLICY_BYTES} bytes`);
  let json: Json;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new PolicyError(`the policy is not JSON: ${errorMessage(error)}`);
  }
  const root = objectAt(json, 'the policy', ['$schema', 'version', 'approvers', 'secondApprover', 'models', 'signatures', 'maxUnreviewedShare']);
  if (root.version !== POLICY_VERSION) throw new PolicyError(`version must be ${POLICY_VERSION}`);
  const policy: { -readonly [K in keyof Policy]: Policy[K] } = { version: POLICY_VERSION };
  if (root.approvers !== undefined) {
    const approvers = objectAt(root.approvers, 'approvers', ['default', 'rules']);
    const rules =
      approvers.rules === undefined
        ? undefined
        : (() => {
            if (!Array.isArray(approvers.rules) || approvers.rules.length > MAX_LIST) throw new PolicyError('approvers.rules must be a list');
            return approvers.rules.map((rule, index) => {
              const where = `approvers.rules[${index}]`;
              const item = objectAt(rule, where, ['paths', 'principals']);
              return { paths: stringsAt(item.paths, `${where}.paths`, { nonEmpty: true }), principals: stringsAt(item.principals, `${where}.principals`, { nonEmpty: true }) };
            });
          })();
    policy.approvers = {
      ...(approvers.default !== undefined ? { default: stringsAt(approvers.default, 'approvers.default', { nonEmpty: true }) } : {}),
      ...(rules ? { rules } : {}),
    };
  }
  if (root.secondApprover !== undefined) {
    if (!Array.isArray(root.secondApprover) || root.secondApprover.length > MAX_LIST) throw new PolicyError('secondApprover must be a list');
    policy.secondApprover = root.secondApprover.map((rule, index) => {
      const where = `secondApprover[${index}]`;
      const item = objectAt(rule, where, ['paths', 'riskHints', 'require']);
      if (item.require !== 'two-approvers' && item.require !== 'not-author') throw new PolicyError(`${where}.require must be "two-approvers" or "not-author"`);
      const riskHints = item.riskHints === undefined ? undefined : stringsAt(item.riskHints, `${where}.riskHints`, { nonEmpty: true });
      for (const hint of riskHints ?? []) {
        if (!(RISK_CATEGORIES as readonly string[]).includes(hint)) throw new PolicyError(`${where}.riskHints: unknown risk hint ${JSON.stringify(hint)} (known: ${RISK_CATEGORIES.join(', ')})`);
      }
      return {
        ...(item.paths !== undefined ? { paths: stringsAt(item.paths, `${where}.paths`, { nonEmpty: true }) } : {}),
        ...(riskHints ? { riskHints: riskHints as RiskCategory[] } : {}),
        require: item.require,
      };
    });
  }
  if (root.models !== undefined) {
    if (!Array.isArray(root.models) || root.models.length > MAX_LIST) throw new PolicyError('models must be a list');
    policy.models = root.models.map((rule, index) => {
      const where = `models[${index}]`;
      const item = objectAt(rule, where, ['paths', 'allowTools', 'allowModels']);
      if (item.allowTools === undefined && item.allowModels === undefined) throw new PolicyError(`${where} needs allowTools or allowModels`);
      return {
        paths: stringsAt(item.paths, `${where}.paths`, { nonEmpty: true }),
        ...(item.allowTools !== undefined ? { allowTools: stringsAt(item.allowTools, `${where}.allowTools`) } : {}),
        ...(item.allowModels !== undefined ? { allowModels: stringsAt(item.allowModels, `${where}.allowModels`) } : {}),
      };
    });
  }
  if (root.signatures !== undefined) {
    const signatures = objectAt(root.signatures, 'signatures', ['reviewer', 'agent']);
    policy.signatures = {
      ...(signatures.reviewer !== undefined ? { reviewer: booleanAt(signatures.reviewer, 'signatures.reviewer') } : {}),
      ...(signatures.agent !== undefined ? { agent: booleanAt(signatures.agent, 'signatures.agent') } : {}),
    };
  }
  if (root.maxUnreviewedShare !== undefined) {
    const share = root.maxUnreviewedShare;
    if (typeof share !== 'number' || !Number.isFinite(share) || share < 0 || share > 1) throw new PolicyError('maxUnreviewedShare must be a number from 0 to 1');
    policy.maxUnreviewedShare = share;
  }
  return policy;
}

import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { approversFor, evaluatePolicy, type PolicyBlock, type PolicyReview } from '../../../src/core/policy/evaluatePolicy';
import { parsePolicy, PolicyError, type Policy } from '../../../src/core/policy/policyFile';

const COMMIT = 'c'.repeat(40);
const alice: PolicyReview = { decision: 'accepted', reviewer: { name: 'Alice', email: 'alice@example.com' } };
const bob: PolicyReview = { decision: 'accepted', reviewer: { name: 'Bob', email: 'bob@example.com' } };

function block(extra: Partial<PolicyBlock> = {}): PolicyBlock {
  return { commit: COMMIT, commitAuthorEmail: 'carol@example.com', path: 'src/payments/refund.ts', start: 3, end: 6, tool: 'claude-code', model: 'claude-sonnet-4-5', riskHints: [], reviews: [alice], ...extra };
}

const policy: Policy = parsePolicy(
  JSON.stringify({
    version: 1,
    approvers: { default: ['*@example.com'], rules: [{ paths: ['src/payments/**'], principals: ['alice@example.com', 'bob@example.com'] }] },
    secondApprover: [
      { riskHints: ['secret', 'auth-crypto'], require: 'two-approvers' },
      { paths: ['src/payments/**'], require: 'not-author' },
    ],
    models: [{ paths: ['src/payments/**'], allowTools: ['claude-code', 'github-copilot'], allowModels: ['claude-sonnet-4-*', 'gpt-4o'] }],
    signatures: { reviewer: false, agent: false },
    maxUnreviewedShare: 0,
  }),
);

function rules(result: ReturnType<typeof evaluatePolicy>): string[] {
  return result.failures.map((failure) => failure.rule);
}

describe('policy evaluation', () => {
  it('passes a compliant range', () => {
    const result = evaluatePolicy(policy, [block(), block({ path: 'docs/x.md', tool: 'cursor', model: undefined, reviews: [{ decision: 'accepted', reviewer: { name: 'Dan', email: 'dan@example.com' } }] })]);
    assert.deepEqual(result.failures, []);
    assert.ok(result.ok);
  });

  it('approvers by path: the last matching rule, else the default', () => {
    assert.deepEqual(approversFor(policy, 'src/payments/a/b.ts'), ['alice@example.com', 'bob@example.com']);
    assert.deepEqual(approversFor(policy, 'README.md'), ['*@example.com']);
    const result = evaluatePolicy(policy, [block({ reviews: [{ decision: 'accepted', reviewer: { name: 'Dan', email: 'dan@example.com' } }] })]);
    assert.deepEqual(rules(result), ['approvers']);
    assert.equal(result.failures[0].message, 'src/payments/refund.ts:3-6: accepted by dan@example.com, who may not approve src/payments/refund.ts');
    assert.match(result.failures[0].fix, /^an approval by one of alice@example\.com, bob@example\.com: vouch approve cccccccccccc --lines src\/payments\/refund\.ts:3-6$/);
    assert.deepEqual(rules(evaluatePolicy(policy, [block({ path: 'lib/x.ts', reviews: [{ decision: 'accepted', reviewer: { name: 'M', email: 'm@elsewhere.org' } }] })])), ['approvers']);
  });

  it('a second approver for risk hints, and an approver who is not the commit author for paths', () => {
    const risky = block({ riskHints: ['secret'] });
    assert.deepEqual(rules(evaluatePolicy(policy, [risky])), ['secondApprover']);
    assert.match(evaluatePolicy(policy, [risky]).failures[0].message, /needs two approvers because it carries risk hints secret; approved by alice@example\.com only/);
    assert.deepEqual(rules(evaluatePolicy(policy, [{ ...risky, reviews: [alice, bob] }])), []);
    assert.deepEqual(rules(evaluatePolicy(policy, [{ ...risky, reviews: [alice, alice] }])), ['secondApprover'], 'the same person twice is one approver');
    const byAuthor = block({ commitAuthorEmail: 'alice@example.com' });
    assert.deepEqual(rules(evaluatePolicy(policy, [byAuthor])), ['secondApprover']);
    assert.match(evaluatePolicy(policy, [byAuthor]).failures[0].message, /needs an approver who is not the commit's author \(alice@example\.com\)/);
    assert.deepEqual(rules(evaluatePolicy(policy, [{ ...byAuthor, reviews: [alice, bob] }])), []);
  });

  it('allowed tools and models per path; unknown-ai and a missing model are not allowed unless listed', () => {
    assert.deepEqual(rules(evaluatePolicy(policy, [block({ tool: 'unknown-ai' })])), ['models']);
    assert.deepEqual(rules(evaluatePolicy(policy, [block({ model: 'gpt-3.5' })])), ['models']);
    assert.deepEqual(rules(evaluatePolicy(policy, [block({ model: undefined })])), ['models']);
    assert.match(evaluatePolicy(policy, [block({ tool: 'unknown-ai' })]).failures[0].message, /AI tool unknown-ai is not allowed in src\/payments\/\*\*/);
    assert.deepEqual(rules(evaluatePolicy(policy, [block({ path: 'lib/a.ts', tool: 'unknown-ai', model: undefined, reviews: [bob] })])), [], 'other paths allow any tool');
  });

  it('signatures required for reviewers and agents', () => {
    const strict = { ...policy, signatures: { reviewer: true, agent: true } };
    const unsigned = evaluatePolicy(strict, [block({ reviews: [alice, bob] })]);
    assert.deepEqual(rules(unsigned).sort(), ['signatures.agent', 'signatures.reviewer']);
    const signed = evaluatePolicy(strict, [block({ reviews: [{ ...bob, signedBy: 'bob@example.com' }], agent: { principal: 'ci-agent', signed: true } })]);
    assert.deepEqual(rules(signed), []);
    const badAgent = evaluatePolicy(strict, [block({ reviews: [{ ...bob, signedBy: 'bob@example.com' }], agent: { principal: 'ci-agent', signed: false } })]);
    assert.deepEqual(rules(badAgent), ['signatures.agent']);
    assert.match(badAgent.failures[0].message, /the claim of agent ci-agent is not validly signed/);
  });

  it('the largest unreviewed share, default 0, names each unreviewed block', () => {
    const open = block({ start: 10, end: 10, reviews: [] });
    const zero = evaluatePolicy(policy, [block(), open]);
    assert.deepEqual(rules(zero), ['maxUnreviewedShare']);
    assert.equal(zero.failures[0].start, 10);
    assert.match(zero.failures[0].message, /1 of 5 AI lines are unreviewed \(20\.0%\), more than the policy's 0\.0%/);
    assert.deepEqual(rules(evaluatePolicy({ ...policy, maxUnreviewedShare: 0.2 }, [block(), open])), []);
    assert.deepEqual(rules(evaluatePolicy({ version: 1 }, [open])), ['maxUnreviewedShare']);
  });

  it('refuses policy files with unknown keys or bad values, naming the place', () => {
    const bad = (value: unknown) => () => parsePolicy(JSON.stringify(value));
    assert.throws(bad({ version: 2 }), /version must be 1/);
    assert.throws(bad({ version: 1, aprovers: {} }), /unknown key "aprovers"/);
    assert.throws(bad({ version: 1, secondApprover: [{ riskHints: ['secrets'], require: 'two-approvers' }] }), /secondApprover\[0\]\.riskHints: unknown risk hint "secrets"/);
    assert.throws(bad({ version: 1, models: [{ paths: ['a'] }] }), /models\[0\] needs allowTools or allowModels/);
    assert.throws(bad({ version: 1, maxUnreviewedShare: 2 }), /maxUnreviewedShare must be a number from 0 to 1/);
    assert.throws(() => parsePolicy('{'), PolicyError);
  });

  it('docs/policy-schema.json accepts the documented example and rejects what the parser rejects', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const Ajv2020 = (require('ajv/dist/2020') as { default: new (options: object) => { compile(schema: object): ((value: unknown) => boolean) & { errors?: unknown } } }).default;
    const root = path.resolve(__dirname, '..', '..', '..');
    const validate = new Ajv2020({ strict: false }).compile(JSON.parse(readFileSync(path.join(root, 'docs/policy-schema.json'), 'utf8')) as object);
    const example = /```json\n([\s\S]*?)\n```/.exec(readFileSync(path.join(root, 'docs/policy.md'), 'utf8'))?.[1] ?? '';
    const parsed = JSON.parse(example) as object;
    assert.ok(validate(parsed), JSON.stringify(validate.errors));
    assert.ok(parsePolicy(example));
    for (const wrong of [{ version: 2 }, { version: 1, aprovers: {} }, { version: 1, maxUnreviewedShare: 2 }, { version: 1, models: [{ paths: ['a'] }] }, { version: 1, secondApprover: [{ require: 'three' }] }]) {
      assert.equal(validate(wrong), false, JSON.stringify(wrong));
    }
  });
});

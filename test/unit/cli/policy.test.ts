import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { PolicyResult } from '../../../src/core/policy/evaluatePolicy';
import { aiSpanOver } from '../../support/spans';
import { vouch } from '../../support/cliRun';
import { commitAs, createRangeHistory, recordSpans, type RangeHistory } from './rangeHistory';

type PolicyJson = PolicyResult & { source: string };

describe('policy in the CLI (vouch report --policy)', function () {
  this.timeout(60_000);
  let history: RangeHistory;
  let policyFile: string;

  before(async () => {
    history = await createRangeHistory();
    policyFile = path.join(history.repo.dir, '.git', 'auditor-policy.json');
    writeFileSync(
      policyFile,
      JSON.stringify({
        version: 1,
        approvers: { default: ['*'], rules: [{ paths: ['src/**'], principals: ['bob@example.com'] }] },
        models: [{ paths: ['src/net.js'], allowTools: ['github-copilot'] }],
      }),
    );
  });
  after(() => history.repo.cleanup());

  async function policyOf(...args: string[]): Promise<{ policy: PolicyJson; code: number }> {
    const result = await vouch(history.repo.dir, 'report', ...args, '--json');
    assert.equal(result.code, 0, result.stderr);
    return { policy: (JSON.parse(result.stdout) as { policy: PolicyJson }).policy, code: result.code };
  }

  it('names each failing rule with file, lines and a fix, and the policy used', async () => {
    const { policy } = await policyOf(`${history.base}..HEAD`, '--policy', policyFile);
    assert.equal(policy.ok, false);
    assert.equal(policy.source, policyFile);
    const found = policy.failures.map((failure) => `${failure.rule} ${failure.path}:${failure.start}-${failure.end}`).sort();
    assert.deepEqual(found, ['approvers src/auth.js:2-2', 'approvers src/sum.js:2-3', 'maxUnreviewedShare src/net.js:3-5', 'models src/net.js:3-5']);
    const approvers = policy.failures.find((failure) => failure.path === 'src/sum.js');
    assert.equal(approvers?.message, 'src/sum.js:2-3: accepted by ada@example.com, who may not approve src/sum.js');
    assert.equal(approvers?.fix, `an approval by one of bob@example.com: vouch approve ${history.reviewedCommit.slice(0, 12)} --lines src/sum.js:2-3`);
  });

  it('shows the policy result in Markdown, escaped', async () => {
    const result = await vouch(history.repo.dir, 'report', `${history.base}..HEAD`, '--policy', policyFile, '--markdown');
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /<details open><summary>❌ Policy failed: 4 failure\(s\)<\/summary>/);
    assert.match(result.stdout, /- \*\*models\*\* · commit [0-9a-f]{12} · src\\\/net\\\.js\\:3\\-5\\: AI tool claude\\-code is not allowed in src\\\/net\\\.js {2}\n {2}to satisfy it: /);
  });

  it('reads the policy from the base with --policy-from-base: a pull request cannot relax its own policy', async () => {
    const { repo } = history;
    const strict = { version: 1, models: [{ paths: ['**'], allowTools: ['github-copilot'] }] };
    repo.write('.vouch/policy.json', JSON.stringify(strict));
    const base = await commitAs(repo, 'Lead', 'lead@example.com', 'policy');
    // The pull request relaxes the policy and adds AI code the strict policy forbids.
    repo.write('.vouch/policy.json', JSON.stringify({ version: 1, maxUnreviewedShare: 1 }));
    const text = 'export const x = 1;\n';
    repo.write('src/x.js', text);
    const commit = await commitAs(repo, 'Bob Builder', 'bob@example.com', 'relax and add');
    await recordSpans(repo, commit, 'src/x.js', text, [aiSpanOver(text, 'export const x = 1;', { origin: { kind: 'agent', tool: 'claude-code' } })]);
    const fromBase = await policyOf(`${base}..HEAD`, '--policy', '.vouch/policy.json', '--policy-from-base');
    assert.match(fromBase.policy.source, new RegExp(`^${base}:\\.vouch/policy\\.json`));
    assert.deepEqual(fromBase.policy.failures.map((failure) => failure.rule).sort(), ['maxUnreviewedShare', 'models']);
    const fromHead = await policyOf(`${base}..HEAD`, '--policy', path.join(repo.dir, '.vouch/policy.json'));
    assert.equal(fromHead.policy.ok, true, 'the relaxed copy in the pull request would pass');
    const noBase = await vouch(repo.dir, 'report', 'HEAD', '--policy', '.vouch/policy.json', '--policy-from-base');
    assert.equal(noBase.code, 2);
    assert.match(noBase.stderr, /has no base \(A\.\.B\); give --base REV/);
    const missing = await vouch(repo.dir, 'report', `${history.base}..HEAD`, '--policy', '.vouch/policy.json', '--policy-from-base');
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /has no file \.vouch\/policy\.json/);
  });

  it('refuses a bad policy with the place of the problem', async () => {
    const bad = path.join(history.repo.dir, '.git', 'bad-policy.json');
    writeFileSync(bad, JSON.stringify({ version: 1, approvers: { rules: [{ paths: ['src/**'] }] } }));
    const result = await vouch(history.repo.dir, 'report', `${history.base}..HEAD`, '--policy', bad);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /approvers\.rules\[0\]\.principals must be a list of strings/);
  });
});

describe('vouch verify --policy', function () {
  this.timeout(60_000);
  let history: RangeHistory;

  beforeEach(async () => {
    history = await createRangeHistory();
  });
  afterEach(() => history.repo.cleanup());

  function writePolicy(policy: object): string {
    const file = path.join(history.repo.dir, '.git', 'verify-policy.json');
    writeFileSync(file, JSON.stringify(policy));
    return file;
  }

  it('fails a range for each rule with a precise message and names the policy used', async () => {
    const file = writePolicy({
      version: 1,
      approvers: { rules: [{ paths: ['src/sum.js'], principals: ['bob@example.com'] }] },
      secondApprover: [{ paths: ['src/auth.js'], require: 'two-approvers' }, { riskHints: ['network'], require: 'two-approvers' }],
      models: [{ paths: ['src/net.js'], allowTools: ['github-copilot'] }],
      signatures: { reviewer: false, agent: true },
    });
    const result = await vouch(history.repo.dir, 'verify', `${history.base}..HEAD`, '--policy', file);
    assert.equal(result.code, 1, result.stderr);
    const lines = result.stdout.split('\n');
    const policyLines = lines.filter((line) => line.includes(' policy '));
    assert.ok(policyLines.some((line) => /policy +approvers: src\/sum\.js:2-3: accepted by ada@example\.com, who may not approve src\/sum\.js; to satisfy it: an approval by one of bob@example\.com: vouch approve [0-9a-f]{12} --lines src\/sum\.js:2-3/.test(line)), result.stdout);
    assert.match(result.stdout, /policy +models: src\/net\.js:3-5: AI tool claude-code is not allowed in src\/net\.js/);
    assert.match(result.stdout, /policy +maxUnreviewedShare: src\/net\.js:3-5: 3 AI line\(s\) \(claude-code\) not reviewed; 3 of 6 AI lines are unreviewed \(50\.0%\), more than the policy's 0\.0%/);
    assert.match(result.stdout, /policy +signatures\.agent: src\/sum\.js:2-3: no signed agent claim/);
    assert.match(result.stdout, /policy +secondApprover: src\/auth\.js:2-2: needs two approvers because of its path \(src\/auth\.js\); approved by ada@example\.com only/);
    assert.ok(!/^ +unreviewed +/m.test(result.stdout), 'the policy decides about unreviewed lines');
    assert.ok(result.stdout.includes(`policy: ${file}\nallowed signers: none (no signature counts)\n`));
    const json = await vouch(history.repo.dir, 'verify', `${history.base}..HEAD`, '--policy', file, '--json');
    const parsed = JSON.parse(json.stdout) as { ok: boolean; policy: { source: string; failures: { rule: string }[] } };
    assert.equal(parsed.ok, false);
    assert.equal(parsed.policy.source, file);
  });

  it('passes a compliant range', async () => {
    const file = writePolicy({ version: 1, approvers: { default: ['ada@example.com'] }, models: [{ paths: ['src/**'], allowTools: ['github-copilot'], allowModels: ['gpt-*'] }], maxUnreviewedShare: 0 });
    const result = await vouch(history.repo.dir, 'verify', `${history.base}..${history.reviewedCommit}`, '--policy', file);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /policy: passed/);
    const share = writePolicy({ version: 1, maxUnreviewedShare: 0.5 });
    assert.equal((await vouch(history.repo.dir, 'verify', `${history.base}..HEAD`, '--policy', share)).code, 0, 'half the AI lines may stay unreviewed');
  });

  it('counts a later approval: an unreviewed commit passes verify after vouch approve', async () => {
    const before = await vouch(history.repo.dir, 'verify', history.unreviewedCommit);
    assert.equal(before.code, 1);
    const approved = await vouch(history.repo.dir, 'approve', history.unreviewedCommit, '--intent', 'loads JSON', '--scope', 'network');
    assert.equal(approved.code, 0, approved.stderr);
    const after = await vouch(history.repo.dir, 'verify', history.unreviewedCommit);
    assert.equal(after.code, 0, after.stdout + after.stderr);
  });
});

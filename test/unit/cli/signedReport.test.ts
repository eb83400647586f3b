// "Signed" in report and blame means a signature that verifies against the auditor's keys, as in
// vouch verify; agent principals come from signed attribution claims and are named as such only
// when the claim verifies; report --policy and --verify take verify's own path (one evaluation).
import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { BlameJsonLine } from '../../../src/cli/commands/blame';
import type { Review } from '../../../src/core/attribution';
import { silentLogger } from '../../../src/core/logger';
import type { RangeReport } from '../../../src/core/report/rangeReport';
import { sha256Hex } from '../../../src/core/textHash';
import { recordFilesOfCommit } from '../../../src/git/notes/commitRecording';
import { signerSource } from '../../../src/git/signing/recordSigning';
import { vouch } from '../../support/cliRun';
import { TestRepo, aiSpan, gitRunner } from '../../support/testRepo';
import { KeyDir, type TestSshKey } from '../git/signingKeys';

const AGENT = 'claude-code@agents.example.com';

function aiLine(file: string): string {
  return `export const ${file.replace(/\W/g, '_')} = (a, b) => a + b;`;
}

function review(text: string): Review {
  return { decision: 'accepted', intent: 'adds a helper', scope: ['none'], reviewer: { name: 'Ada', email: 'ada@example.com' }, reviewedAt: '2026-01-05T10:00:00.000Z', textHash: sha256Hex(text) };
}

interface Fixture {
  readonly repo: TestRepo;
  readonly keys: KeyDir;
  /** An empty HOME for the signing runs (no user git config). */
  readonly home: string;
  readonly base: string;
}

async function newFixture(): Promise<Fixture> {
  const repo = await TestRepo.create();
  const keys = new KeyDir();
  const home = keys.home();
  repo.write('README.md', 'demo\n');
  return { repo, keys, home, base: await repo.commitAll('base') };
}

/** Commits `file` with one AI line (reviewed by Ada unless `reviewed` is false), its record signed with `key`; `agent` signs a claim of the line first. */
async function commitAiLine(fixture: Fixture, file: string, key: TestSshKey | undefined, options: { agent?: TestSshKey; reviewed?: boolean } = {}): Promise<string> {
  const { repo } = fixture;
  const line = aiLine(file);
  const text = `// ${file}\n${line}\n`;
  repo.write(file, text);
  if (options.agent) {
    const marked = await vouch(repo.dir, 'mark', file, '--lines', '2', '--tool', 'claude-code', '--model', 'claude-sonnet-4', '--sign', '--key', options.agent.privatePath, '--principal', AGENT);
    assert.equal(marked.code, 0, marked.stderr);
  }
  const commit = await repo.commitAll(`add ${file}`);
  const signer = key ? signerSource(gitRunner, repo.dir, silentLogger, { env: { PATH: process.env.PATH, HOME: fixture.home, GIT_CONFIG_NOSYSTEM: '1', VOUCH_SIGNING_KEY: key.privatePath } }) : undefined;
  const span = { ...aiSpan(text, line), ...(options.reviewed === false ? {} : { review: review(line) }) };
  const result = await recordFilesOfCommit({ git: gitRunner, topLevel: repo.dir, writer: await repo.writer(), logger: silentLogger, signer }, { commit, files: [{ path: file, workingText: text, spans: [span] }] });
  if (key) assert.ok(result.signing?.signedBy, `test setup: signed (${result.signing?.unsigned})`);
  return commit;
}

describe('signed means verified: vouch report and blame with the auditor\'s keys', function () {
  this.timeout(120_000);
  let fixture: Fixture;
  let repo: TestRepo;
  let keys: KeyDir;
  let agent: TestSshKey;
  let allowedAll: string;
  let allowedAdaOnly: string;
  let base: string;

  async function reportJson(...args: string[]): Promise<RangeReport & Record<string, unknown>> {
    const run = await vouch(repo.dir, 'report', `${base}..HEAD`, '--json', ...args);
    assert.equal(run.code, 0, run.stderr);
    return JSON.parse(run.stdout) as RangeReport & Record<string, unknown>;
  }

  async function blameLine(file: string, ...args: string[]): Promise<BlameJsonLine> {
    const run = await vouch(repo.dir, 'blame', file, '--json', ...args);
    assert.equal(run.code, 0, run.stderr);
    return (JSON.parse(run.stdout) as { lines: BlameJsonLine[] }).lines[1];
  }

  before(async () => {
    fixture = await newFixture();
    ({ repo, keys, base } = fixture);
    const ada = keys.sshKey('ada', 'ed25519');
    const bob = keys.sshKey('bob', 'ed25519');
    agent = keys.sshKey('agent', 'ed25519');
    allowedAll = path.join(keys.dir, 'allowed_all');
    writeFileSync(allowedAll, keys.allowedSigners([{ principal: 'ada@example.com', key: ada }, { principal: AGENT, key: agent }]));
    allowedAdaOnly = path.join(keys.dir, 'allowed_ada');
    writeFileSync(allowedAdaOnly, keys.allowedSigners([{ principal: 'ada@example.com', key: ada }]));
    await commitAiLine(fixture, 'a.js', ada, { agent }); // signed by its reviewer, claimed by a signing agent
    await commitAiLine(fixture, 'b.js', bob); // Ada's review, signed with Bob's key: present, does not verify
    await commitAiLine(fixture, 'c.js', undefined); // unsigned
  });
  after(() => {
    repo.cleanup();
    keys.cleanup();
  });

  it('report without keys: nothing counts as signed, a present signature says so, the agent claim is not verified', async () => {
    const report = await reportJson();
    assert.equal(report.aiLines, 3);
    assert.equal(report.signaturesVerified, false);
    assert.equal(report.signedLines, 0);
    assert.equal(report.signaturePresentLines, 2);
    assert.deepEqual(
      report.byAgent.map((row) => [row.key, row.aiLines, row.agentClaim, row.agentPrincipal]),
      [
        ['(no agent claim)', 2, 'none', undefined],
        [`${AGENT} (claim signature not verified)`, 1, 'not-checked', AGENT],
      ],
    );
    const text = await vouch(repo.dir, 'report', `${base}..HEAD`);
    assert.match(text.stdout, /signed: {4}not verified .*a signature is present on 2 of 3 AI lines/);
    assert.match(text.stdout, /By agent principal:\n.*signature present \(not verified\)\n {2}\(no agent claim\) +2/);
    const markdown = await vouch(repo.dir, 'report', `${base}..HEAD`, '--markdown');
    assert.match(markdown.stdout, /Signed: \*\*not verified\*\* \(no allowed signers or OpenPGP keyring given\); signature present on 67% \(2 lines\)/);
    assert.match(markdown.stdout, /\| Agent \| AI lines \| Reviewed \| Signature present \(not verified\) \|/);
  });

  it('report with the allowed signers: only the signature that verifies counts; the agent principal is named', async () => {
    const report = await reportJson('--allowed-signers', allowedAll);
    assert.equal(report.signaturesVerified, true);
    assert.equal(report.signedLines, 1, 'a.js only: b.js is signed with a key not listed for its reviewer');
    assert.equal(report.signaturePresentLines, 2);
    assert.deepEqual(
      report.files.map((file) => [file.path, file.signedLines, file.signaturePresentLines]),
      [
        ['a.js', 1, 1],
        ['b.js', 0, 1],
        ['c.js', 0, 0],
      ],
    );
    assert.deepEqual(
      report.byAgent.map((row) => [row.key, row.aiLines, row.signedLines, row.agentClaim]),
      [
        ['(no agent claim)', 2, 0, 'none'],
        [AGENT, 1, 1, 'verified'],
      ],
    );
    const text = await vouch(repo.dir, 'report', `${base}..HEAD`, '--allowed-signers', allowedAll);
    assert.match(text.stdout, /signed: {4}1 of 3 AI lines \(33%\): the reviewer's signature verifies against the keys given/);
    assert.match(text.stdout, new RegExp(`By agent principal:\\n.*\\n(?:.*\\n)? {2}${AGENT.replace(/\./g, '\\.')} +1 +100% +100%`));
    const markdown = await vouch(repo.dir, 'report', `${base}..HEAD`, '--markdown', '--allowed-signers', allowedAll);
    assert.match(markdown.stdout, /Signed: \*\*33%\*\* \(1 lines; signatures verified against the auditor's keys\)/);
    assert.ok(markdown.stdout.includes('| claude\\-code\\@agents\\.example\\.com | 1 | 100% | 100% |'), markdown.stdout);
  });

  it('report with keys that do not list the agent: its claim is labelled as not verifying', async () => {
    const report = await reportJson('--allowed-signers', allowedAdaOnly);
    assert.equal(report.signedLines, 1);
    assert.deepEqual(
      report.byAgent.map((row) => [row.key, row.agentClaim]),
      [
        ['(no agent claim)', 'none'],
        [`${AGENT} (claim does not verify)`, 'not-verified'],
      ],
    );
  });

  it('blame: signed only when the signature verifies; the verdict, and the agent principal per line', async () => {
    const plain = await blameLine('a.js');
    assert.deepEqual(plain.record && { signed: plain.record.signed, present: plain.record.signaturePresent, verdict: plain.record.signature }, { signed: false, present: true, verdict: undefined });
    assert.deepEqual([plain.origin?.agentPrincipal, plain.origin?.agentClaim], [AGENT, 'not-checked']);
    const verified = await blameLine('a.js', '--allowed-signers', allowedAll);
    assert.equal(verified.record?.signed, true);
    assert.equal(verified.record?.signature?.verdict, 'valid');
    assert.deepEqual([verified.origin?.agentPrincipal, verified.origin?.agentClaim], [AGENT, 'verified']);
    const wrongKey = await blameLine('b.js', '--allowed-signers', allowedAll);
    assert.deepEqual([wrongKey.record?.signed, wrongKey.record?.signaturePresent, wrongKey.record?.signature?.verdict], [false, true, 'unknown-signer']);
    assert.deepEqual([wrongKey.origin?.agentPrincipal, wrongKey.origin?.agentClaim], [undefined, 'none']);
    const unsigned = await blameLine('c.js', '--allowed-signers', allowedAll);
    assert.deepEqual([unsigned.record?.signed, unsigned.record?.signaturePresent], [false, false]);

    const text = (file: string, ...args: string[]) => vouch(repo.dir, 'blame', file, ...args).then((run) => run.stdout.split('\n')[1]);
    assert.match(await text('a.js'), new RegExp(`agent ${AGENT.replace(/\./g, '\\.')} \\(claim signature not verified\\) \\(Vouch, signature present, not verified\\)`));
    assert.match(await text('a.js', '--allowed-signers', allowedAll), new RegExp(`agent ${AGENT.replace(/\./g, '\\.')} \\(Vouch, signed\\)`));
    assert.match(await text('a.js', '--allowed-signers', allowedAdaOnly), /\(claim does not verify\) \(Vouch, signed\)/);
    assert.match(await text('b.js', '--allowed-signers', allowedAll), /agent \(no agent claim\) \(Vouch, signature unknown-signer\)/);
    assert.match(await text('c.js', '--allowed-signers', allowedAll), /\(Vouch, unsigned\)/);
  });
});

describe('report --policy and --verify take the path of verify --policy', function () {
  this.timeout(120_000);
  let fixture: Fixture;
  let allowed: string;

  before(async () => {
    fixture = await newFixture();
    const ada = fixture.keys.sshKey('ada', 'ed25519');
    allowed = path.join(fixture.keys.dir, 'allowed');
    writeFileSync(allowed, fixture.keys.allowedSigners([{ principal: 'ada@example.com', key: ada }]));
    await commitAiLine(fixture, 'a.js', ada);
    await commitAiLine(fixture, 'b.js', undefined);
    await commitAiLine(fixture, 'c.js', undefined, { reviewed: false });
    // c.js is approved after its commit (a record of its own).
    const approved = await vouch(fixture.repo.dir, 'approve', 'HEAD', '--intent', 'adds a helper', '--scope', 'none');
    assert.equal(approved.code, 0, approved.stderr);
  });
  after(() => {
    fixture.repo.cleanup();
    fixture.keys.cleanup();
  });

  it('report --verify counts a later approval as verify does', async () => {
    const verify = await vouch(fixture.repo.dir, 'verify', `${fixture.base}..HEAD`, '--json');
    assert.equal(verify.code, 0, verify.stdout);
    const report = await vouch(fixture.repo.dir, 'report', `${fixture.base}..HEAD`, '--json', '--verify');
    const verification = (JSON.parse(report.stdout) as { verification: { ok: boolean; problems: unknown[] } }).verification;
    assert.deepEqual(verification.problems, []);
    assert.equal(verification.ok, true);
  });

  it('report --policy gives the policy result of verify --policy, reviewer signatures judged by the same keys', async () => {
    const policyFile = path.join(fixture.keys.dir, 'policy.json');
    writeFileSync(policyFile, JSON.stringify({ version: 1, signatures: { reviewer: true } }));
    const verify = await vouch(fixture.repo.dir, 'verify', `${fixture.base}..HEAD`, '--json', '--policy', policyFile, '--allowed-signers', allowed);
    assert.equal(verify.code, 1);
    const fromVerify = (JSON.parse(verify.stdout) as { policy: { failures: { path: string }[] } }).policy;
    assert.deepEqual(fromVerify.failures.map((failure) => failure.path).sort(), ['b.js', 'c.js'], 'a.js is signed by its reviewer');
    const report = await vouch(fixture.repo.dir, 'report', `${fixture.base}..HEAD`, '--json', '--policy', policyFile, '--allowed-signers', allowed);
    assert.equal(report.code, 0, report.stderr);
    assert.deepEqual((JSON.parse(report.stdout) as { policy: unknown }).policy, fromVerify);
  });
});

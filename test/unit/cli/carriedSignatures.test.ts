// A record `vouch reconcile` carried counts through the record it was carried from: its own
// signature (made by whoever ran reconcile) never counts as the review's. Otherwise anyone could
// push an unsigned record claiming "ada reviewed this", and Ada's own post-merge hook would sign
// a carried copy of it with her key. Real ssh-keygen keys; verify, notes show, blame, report and
// the editor's hover (BlameOverlay + committedHoverMarkdown) say the same.
import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { vouch } from '../../support/cliRun';
import type { VerifyResultJson } from '../../../src/cli/commands/verify';
import type { Review } from '../../../src/core/attribution';
import { silentLogger } from '../../../src/core/logger';
import { parseRecordLine } from '../../../src/core/notes/noteParser';
import { carryRecord } from '../../../src/core/notes/recordCheck';
import { patchIdOfCommit } from '../../../src/git/commitDiffs';
import { english } from '../../../src/core/text/translate';
import { sha256Hex } from '../../../src/core/textHash';
import { committedHoverMarkdown } from '../../../src/core/visibility/hoverText';
import { BlameOverlay } from '../../../src/git/blame/blameOverlay';
import { recordFilesOfCommit } from '../../../src/git/notes/commitRecording';
import { signRecord, signerSource } from '../../../src/git/signing/recordSigning';
import { acceptedReview } from '../../support/spans';
import { TestRepo, aiSpan, gitRunner } from '../../support/testRepo';
import { KeyDir, type TestSshKey } from '../git/signingKeys';

const aiLines = ['export function computeTheAnswer(first, second) {', '  const product = first * second;', '  return product + 0;', '}'];
const aiText = aiLines.join('\n');
const fileText = `// answer\n${aiText}\n`;

function adaReview(): Review {
  return acceptedReview({ intent: 'computes the answer', reviewer: { name: 'Ada', email: 'ada@example.com' }, reviewedAt: '2025-06-01T00:00:00.000Z', textHash: sha256Hex(aiText) });
}

describe('carried records count through the record they were carried from (real keys)', function () {
  this.timeout(120_000);
  let repo: TestRepo;
  let keys: KeyDir;
  let home: string;
  let ada: TestSshKey;
  let allowedFile: string;

  beforeEach(async () => {
    repo = await TestRepo.create();
    keys = new KeyDir();
    home = keys.home();
    ada = keys.sshKey('ada', 'ed25519');
    allowedFile = path.join(keys.dir, 'allowed_signers');
    writeFileSync(allowedFile, keys.allowedSigners([{ principal: 'ada@example.com', key: ada, options: 'namespaces="vouch-attestation-v1"' }]));
    await repo.commitFiles({ 'README.md': 'demo\n' }, 'base');
  });
  afterEach(() => {
    repo.cleanup();
    keys.cleanup();
  });

  const adaSigner = () => signerSource(gitRunner, repo.dir, silentLogger, { env: { PATH: process.env.PATH, HOME: home, GIT_CONFIG_NOSYSTEM: '1', VOUCH_SIGNING_KEY: ada.privatePath } });

  /** On a branch `feature`: a commit of a.js whose AI lines are reviewed by Ada, recorded signed with `key`'s signer or unsigned. */
  async function featureCommit(signed: boolean): Promise<string> {
    await repo.git(['checkout', '-q', '-b', 'feature']);
    const commit = await repo.commitFiles({ 'a.js': fileText }, 'add a.js');
    const span = { ...aiSpan(fileText, aiText), review: adaReview() };
    const result = await recordFilesOfCommit(
      { git: gitRunner, topLevel: repo.dir, writer: await repo.writer(), logger: silentLogger, signer: signed ? adaSigner() : undefined },
      { commit, files: [{ path: 'a.js', workingText: fileText, spans: [span] }] },
    );
    assert.equal(Boolean(result.signing?.signedBy), signed, `test setup: ${result.signing?.unsigned}`);
    return commit;
  }

  /** Squash-merges `feature` into main and runs reconcile over the squash commit (as the post-merge hook does). */
  async function squashAndReconcile(): Promise<string> {
    await repo.git(['checkout', '-q', 'main']);
    await repo.git(['merge', '-q', '--squash', 'feature']);
    await repo.git(['commit', '-q', '-m', 'squash']);
    const squash = await repo.text(['rev-parse', 'HEAD']);
    const reconciled = await withSigningKey(() => vouch(repo.dir, 'reconcile', 'HEAD~1..HEAD'));
    assert.equal(reconciled.code, 0, reconciled.stderr);
    assert.match(reconciled.stdout, /1 record\(s\) carried/);
    return squash;
  }

  /** Runs `run` with Ada's key configured for the in-process CLI (VOUCH_SIGNING_KEY, a temporary HOME). */
  async function withSigningKey<T>(run: () => Promise<T>): Promise<T> {
    const saved = { key: process.env.VOUCH_SIGNING_KEY, home: process.env.HOME };
    process.env.VOUCH_SIGNING_KEY = ada.privatePath;
    process.env.HOME = home;
    try {
      return await run();
    } finally {
      if (saved.key === undefined) delete process.env.VOUCH_SIGNING_KEY;
      else process.env.VOUCH_SIGNING_KEY = saved.key;
      process.env.HOME = saved.home;
    }
  }

  async function noteLines(commit: string): Promise<string[]> {
    return (await repo.text(['notes', '--ref', 'refs/notes/vouch', 'show', commit])).split('\n').filter(Boolean);
  }

  /** The carried record on `commit`, signed with Ada's key as Vouch 0.x's reconcile signed it (or as anyone holding her key could). */
  async function signCarriedRecordWithAdasKey(commit: string): Promise<void> {
    const [line] = await noteLines(commit);
    const parsed = parseRecordLine(line);
    assert.ok(parsed.ok);
    assert.ok(parsed.record.statement.predicate.carriedFrom);
    const { record, outcome } = await signRecord(parsed.record, adaSigner(), silentLogger);
    assert.ok(outcome.signedBy, outcome.unsigned);
    await repo.git(['notes', '--ref', 'refs/notes/vouch', 'add', '-f', '-m', record.line, commit]);
  }

  async function verifyJson(commit: string): Promise<{ code: number; result: VerifyResultJson }> {
    const run = await vouch(repo.dir, 'verify', '--json', '--require-signed', '--allowed-signers', allowedFile, commit);
    return { code: run.code, result: JSON.parse(run.stdout) as VerifyResultJson };
  }

  async function hoverOf(commit: string): Promise<string> {
    const overlay = new BlameOverlay(gitRunner, repo.dir, silentLogger);
    const { lines } = await overlay.committedAiLines('a.js', fileText, { savedOnDisk: true });
    const line = lines.find((item) => item.commit === commit);
    assert.ok(line?.record, 'the carried AI line is shown');
    return committedHoverMarkdown(line, english);
  }

  it('reconcile writes the carried copy unsigned, even with a signing key configured', async () => {
    await featureCommit(false);
    const squash = await squashAndReconcile();
    const [line] = await noteLines(squash);
    const parsed = parseRecordLine(line);
    assert.ok(parsed.ok);
    assert.ok(parsed.record.statement.predicate.carriedFrom);
    assert.deepEqual(parsed.record.envelope.signatures, []);
  });

  it("an unsigned review carried and signed with the reviewer's key stays unsigned in verify, notes show, blame, report and the hover", async () => {
    const original = await featureCommit(false);
    const squash = await squashAndReconcile();
    await signCarriedRecordWithAdasKey(squash);

    const verified = await verifyJson(squash);
    assert.equal(verified.code, 1, JSON.stringify(verified.result));
    const reviewer = verified.result.commits[0].signatures?.filter((item) => item.role === 'reviewer') ?? [];
    assert.deepEqual(reviewer.map((item) => item.verdict), ['unsigned']);
    assert.match(reviewer[0].detail, new RegExp(`carried from ${original.slice(0, 12)}`));
    assert.deepEqual(verified.result.problems.map((problem) => problem.kind), ['unsigned']);

    const shown = await vouch(repo.dir, 'notes', 'show', squash, '--allowed-signers', allowedFile);
    assert.match(shown.stdout, /which never counts for its reviews/);
    assert.match(shown.stdout, /signature of ada@example\.com: unsigned/);

    const blamed = await vouch(repo.dir, 'blame', 'a.js', '--json', '--allowed-signers', allowedFile);
    const blameLines = (JSON.parse(blamed.stdout) as { lines: { attribution: string; record?: { signed: boolean; signaturePresent: boolean; carriedFrom?: string } }[] }).lines.filter((item) => item.attribution === 'ai');
    assert.equal(blameLines.length, aiLines.length);
    for (const item of blameLines) assert.deepEqual([item.record?.signed, item.record?.signaturePresent, item.record?.carriedFrom], [false, false, original]);
    const blamedText = await vouch(repo.dir, 'blame', 'a.js');
    assert.match(blamedText.stdout, new RegExp(`Vouch, carried from ${original.slice(0, 12)}, unsigned`));

    const reported = await vouch(repo.dir, 'report', 'HEAD~1..HEAD', '--json', '--allowed-signers', allowedFile);
    const report = JSON.parse(reported.stdout) as { aiLines: number; signedLines: number; signaturePresentLines: number };
    assert.deepEqual([report.aiLines, report.signedLines, report.signaturePresentLines], [aiLines.length, 0, 0]);
    const unverified = JSON.parse((await vouch(repo.dir, 'report', 'HEAD~1..HEAD', '--json')).stdout) as { signaturePresentLines: number };
    assert.equal(unverified.signaturePresentLines, 0);

    const hover = await hoverOf(squash);
    assert.match(hover, /carried by `vouch reconcile` from `[0-9a-f]{12}`, where the review is \*\*unsigned\*\*/);
  });

  it("a review signed in its original record counts on the carried copy, which is itself unsigned", async () => {
    const original = await featureCommit(true);
    const squash = await squashAndReconcile();
    const verified = await verifyJson(squash);
    assert.equal(verified.code, 0, JSON.stringify(verified.result.problems));
    const reviewer = verified.result.commits[0].signatures?.find((item) => item.role === 'reviewer');
    assert.equal(reviewer?.verdict, 'valid');
    assert.match(reviewer?.detail ?? '', new RegExp(`carried from ${original.slice(0, 12)}`));
    const blamed = JSON.parse((await vouch(repo.dir, 'blame', 'a.js', '--json')).stdout) as { lines: { attribution: string; record?: { signaturePresent: boolean } }[] };
    assert.ok(blamed.lines.filter((item) => item.attribution === 'ai').every((item) => item.record?.signaturePresent));
    assert.match(await hoverOf(squash), /the review is signed there, not verified here/);
  });

  it('follows a chain of carries to the original: an unsigned original stays unsigned, however the copies are signed', async () => {
    const original = await featureCommit(false);
    const squash = await squashAndReconcile();
    // The squash commit cherry-picked onto another branch, carried from the carried copy (reconcile
    // itself carries from the original when it can; an older Vouch or another tool may not).
    await repo.git(['checkout', '-q', '-b', 'release', 'HEAD~1']);
    await repo.commitFiles({ 'NOTICE.md': 'release\n' }, 'release notes');
    await repo.git(['cherry-pick', squash]);
    const picked = await repo.text(['rev-parse', 'HEAD']);
    const squashRecord = parseRecordLine((await noteLines(squash))[0]);
    assert.ok(squashRecord.ok);
    const files = new Map([['a.js', { blob: await repo.text(['rev-parse', 'HEAD:a.js']), lines: fileText.split('\n').slice(0, -1), addedLines: new Set([1, 2, 3, 4, 5]) }]]);
    const carried = carryRecord(squashRecord.record, { commit: picked, tree: await repo.text(['rev-parse', 'HEAD^{tree}']), patchId: await patchIdOfCommit(gitRunner, repo.dir, picked), files }, 'patch-id');
    assert.ok(carried);
    await repo.git(['notes', '--ref', 'refs/notes/vouch', 'add', '-f', '-m', carried.line, picked]);
    await signCarriedRecordWithAdasKey(squash);
    await signCarriedRecordWithAdasKey(picked);
    const verified = await verifyJson(picked);
    assert.equal(verified.code, 1);
    const reviewer = verified.result.commits[0].signatures?.find((item) => item.role === 'reviewer');
    assert.equal(reviewer?.verdict, 'unsigned');
    assert.match(reviewer?.detail ?? '', new RegExp(`carried from ${original.slice(0, 12)}`));
  });
});

import * as assert from 'node:assert/strict';
import type { RangeReport } from '../../../src/core/report/rangeReport';
import type { PolicyResult } from '../../../src/core/policy/evaluatePolicy';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { vouch } from '../../support/cliRun';
import { createRangeHistory, type RangeHistory } from './rangeHistory';

describe('vouch approve', function () {
  this.timeout(60_000);
  let history: RangeHistory;

  beforeEach(async () => {
    history = await createRangeHistory();
  });
  afterEach(() => history.repo.cleanup());

  async function reportOf(range: string, ...extra: string[]): Promise<RangeReport & { policy?: PolicyResult }> {
    const result = await vouch(history.repo.dir, 'report', range, '--json', ...extra);
    assert.equal(result.code, 0, result.stderr);
    return JSON.parse(result.stdout) as RangeReport & { policy?: PolicyResult };
  }

  it('approves committed AI lines that were never reviewed: a new record, the old one kept', async () => {
    const commit = history.unreviewedCommit;
    assert.equal((await reportOf(commit)).reviewedLines, 0);
    const result = await vouch(history.repo.dir, 'approve', commit, '--lines', 'src/net.js:4', '--intent', 'loads JSON from a URL', '--scope', 'network');
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`approved src/net\\.js:3-5 in ${commit.slice(0, 12)}\\n1 AI range\\(s\\) approved as Test Person <test@example\\.com>`));
    const note = await history.repo.text(['notes', '--ref', 'refs/notes/vouch', 'show', commit]);
    assert.equal(note.split('\n').length, 2, 'the original record and the approval');
    const after = await reportOf(commit);
    assert.equal(after.aiLines, 3);
    assert.equal(after.reviewedLines, 3);
    assert.deepEqual(after.byReviewer.map((row) => row.key), ['Test Person <test@example.com>']);
    // vouch verify counts the commit's AI lines once, though two records (the original and the approval) name them.
    const verified = await vouch(history.repo.dir, 'verify', commit, '--json');
    assert.equal(verified.code, 0, verified.stdout);
    const [counted] = (JSON.parse(verified.stdout) as { commits: { aiLines: number; reviewedLines: number; records: number }[] }).commits;
    assert.deepEqual([counted.records, counted.aiLines, counted.reviewedLines], [2, 3, 3]);
    assert.match((await vouch(history.repo.dir, 'verify', commit)).stdout, /, 3 AI line\(s\); all AI code is reviewed and valid/);
    const again = await vouch(history.repo.dir, 'approve', commit, '--intent', 'again', '--scope', 'network');
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /0 AI range\(s\) approved as .*; 1 approved by you already; nothing written/);
    assert.doesNotMatch(again.stdout, /unsigned/, 'no record was written, so none is said to be unsigned (the earlier one may be signed)');
  });

  it('reconcile carries the approval along with the record the lines came with to a cherry-pick', async () => {
    const commit = history.unreviewedCommit;
    const approved = await vouch(history.repo.dir, 'approve', commit, '--intent', 'loads JSON from a URL', '--scope', 'network');
    assert.equal(approved.code, 0, approved.stderr);
    await history.repo.git(['checkout', '-q', '-b', 'picked', history.base]);
    await history.repo.git(['cherry-pick', commit], { GIT_COMMITTER_DATE: '@1900000000 +0000' });
    const reconciled = await vouch(history.repo.dir, 'reconcile', `${history.base}..picked`);
    assert.equal(reconciled.code, 0, reconciled.stderr);
    assert.match(reconciled.stderr + reconciled.stdout, /2 record\(s\) carried/);
    const verified = await vouch(history.repo.dir, 'verify', 'picked');
    assert.equal(verified.code, 0, verified.stdout);
    assert.match(verified.stderr + verified.stdout, /, 3 AI line\(s\); all AI code is reviewed and valid/);
  });

  it('a second approver satisfies a policy that needs two', async () => {
    const policyFile = path.join(history.repo.dir, '.git', 'two.json');
    writeFileSync(policyFile, JSON.stringify({ version: 1, secondApprover: [{ paths: ['src/sum.js'], require: 'two-approvers' }] }));
    const range = `${history.base}..${history.reviewedCommit}`;
    const before = (await reportOf(range, '--policy', policyFile)).policy;
    assert.deepEqual(before?.failures.map((failure) => failure.rule), ['secondApprover']);
    const result = await vouch(history.repo.dir, 'approve', range, '--intent', 'sum and twice helpers', '--scope', 'none');
    assert.equal(result.code, 0, result.stderr);
    const after = (await reportOf(range, '--policy', policyFile)).policy;
    assert.equal(after?.ok, true, JSON.stringify(after?.failures));
  });

  it('fails clearly when there is nothing to approve or the options are incomplete', async () => {
    const none = await vouch(history.repo.dir, 'approve', history.humanCommit, '--intent', 'x', '--scope', 'none');
    assert.equal(none.code, 1);
    assert.match(none.stderr, /no recorded AI range that still matches its commit/);
    assert.equal((await vouch(history.repo.dir, 'approve', '--scope', 'none')).code, 2);
    assert.equal((await vouch(history.repo.dir, 'approve', '--intent', 'x')).code, 2);
    assert.equal((await vouch(history.repo.dir, 'approve', '--intent', 'x', '--scope', 'everything')).code, 2);
    assert.equal((await vouch(history.repo.dir, 'approve', '--intent', 'x', '--scope', 'none', '--lines', 'src/net.js')).code, 2);
  });
});

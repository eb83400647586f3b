import * as assert from 'node:assert/strict';
import { capture, vouch } from '../../support/cliRun';
import { commitIdsToVerify, verifyCommits } from '../../../src/cli/commands/verify';
import { openNotesContext } from '../../../src/cli/commands/notesCommon';
import type { VerifyResultJson } from '../../../src/cli/commands/verify';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Review } from '../../../src/core/attribution';
import { silentLogger } from '../../../src/core/logger';
import { parseRecordLine } from '../../../src/core/notes/noteParser';
import { buildNoteRecord } from '../../../src/core/notes/noteRecord';
import { sha256Hex } from '../../../src/core/textHash';
import { recordFilesOfCommit } from '../../../src/git/notes/commitRecording';
import { TestRepo, aiSpan, gitRunner, nextDateEnv } from '../../support/testRepo';

const aiText = 'export const sum = (a, b) => a + b;';

function review(decision: Review['decision']): Review {
  return {
    decision,
    intent: 'adds the sum helper',
    scope: ['none'],
    reviewer: { name: 'Ada Reviewer', email: 'ada@example.com' },
    reviewedAt: '2025-01-01T00:00:00.000Z',
    textHash: sha256Hex(aiText),
  };
}

describe('vouch verify', function () {
  this.timeout(60_000);
  let repo: TestRepo;
  let base: string;
  const aiLine = 'export const sum = (a, b) => a + b;\n';

  beforeEach(async () => {
    repo = await TestRepo.create();
    base = await repo.commitFiles({ 'README.md': 'demo\n' }, 'base');
  });
  afterEach(() => repo.cleanup());

  /** Commits `file` with one AI line and records it, reviewed as given (or not at all). */
  async function commitAi(file: string, decision?: Review['decision']): Promise<string> {
    const text = `// ${file}\n${aiLine}`;
    const commit = await repo.commitFiles({ [file]: text }, `add ${file}`);
    const span = { ...aiSpan(text, aiLine.slice(0, -1)), ...(decision ? { review: review(decision) } : {}) };
    const result = await recordFilesOfCommit({ git: gitRunner, topLevel: repo.dir, writer: await repo.writer(), logger: silentLogger }, { commit, files: [{ path: file, workingText: text, spans: [span] }] });
    assert.ok(result.record, 'test setup: a record was written');
    return commit;
  }

  it('passes reviewed AI code and commits without records', async () => {
    await commitAi('sum.js', 'accepted');
    repo.write('README.md', 'demo, more\n');
    await repo.commitAll('docs');
    const result = await vouch(repo.dir, 'verify', `${base}..HEAD`);
    assert.equal(result.code, 0, result.stderr + result.stdout);
    assert.match(result.stdout, /OK: 2 commit\(s\) in [0-9a-f]+\.\.HEAD, 1 with Vouch records, 1 AI line\(s\); all AI code is reviewed and valid/);
  });

  it('a range whose end is a tree or a blob is a usage error, not an empty range that passes', async () => {
    await commitAi('sum.js');
    for (const range of ['HEAD^{tree}', `${base}..HEAD^{tree}`, 'HEAD:sum.js..HEAD', `HEAD..${(await repo.git(['rev-parse', 'HEAD^{tree}'])).stdout.trim()}`]) {
      const result = await vouch(repo.dir, 'verify', range);
      assert.equal(result.code, 2, `${range}: ${result.stdout}${result.stderr}`);
      assert.match(result.stderr, /not a commit/, range);
    }
    // The same range ending at the commit still finds its unreviewed line.
    assert.equal((await vouch(repo.dir, 'verify', `${base}..HEAD`)).code, 1);
  });

  it('fails on unreviewed AI lines and names them', async () => {
    const commit = await commitAi('sum.js');
    const result = await vouch(repo.dir, 'verify');
    assert.equal(result.code, 1);
    assert.match(result.stdout, new RegExp(`commit ${commit.slice(0, 12)}:\\n {2}unreviewed {12}sum\\.js:2-2: 1 AI line\\(s\\) \\(github-copilot\\) have no review of their committed text`));
    assert.match(result.stderr, /FAILED: 1 problem\(s\)/);
  });

  it('fails on rejected AI lines that are still present', async () => {
    await commitAi('sum.js', 'rejected');
    const result = await vouch(repo.dir, 'verify', 'HEAD');
    assert.equal(result.code, 1);
    assert.match(result.stdout, /rejected-but-present {2}sum\.js:2-2: AI lines \(github-copilot\) rejected by Ada Reviewer are still in the commit/);
  });

  it('fails on a stale record: an amend changed the AI line and rewriteRef carried the note', async () => {
    await commitAi('sum.js', 'accepted');
    await repo.git(['config', 'notes.rewriteRef', 'refs/notes/vouch']);
    repo.write('sum.js', '// sum.js\nexport const sum = (a, b) => a - b;\n');
    await repo.git(['add', 'sum.js']);
    await repo.git(['commit', '-q', '--amend', '--no-edit'], nextDateEnv());
    const result = await vouch(repo.dir, 'verify', 'HEAD');
    assert.equal(result.code, 1, result.stdout);
    assert.match(result.stdout, /stale {17}sum\.js:2-2: the recorded AI lines \(github-copilot\) no longer match/);
  });

  it('with --require-signed fails on unsigned ranges, naming file and lines', async () => {
    await commitAi('sum.js', 'accepted');
    assert.equal((await vouch(repo.dir, 'verify')).code, 0);
    const trustingNobody = await vouch(repo.dir, 'verify', '--require-signed');
    assert.equal(trustingNobody.code, 1);
    assert.match(trustingNobody.stdout, /unsigned {14}sum\.js:2-2: vouched for by ada@example\.com: unsigned/);
    const allowed = path.join(repo.dir, '..', `${path.basename(repo.dir)}-allowed`);
    writeFileSync(allowed, '# nobody yet\n');
    const result = await vouch(repo.dir, 'verify', '--allowed-signers', allowed, '--require-signed');
    assert.equal(result.code, 1);
    assert.match(result.stdout, /unsigned {14}sum\.js:2-2: vouched for by ada@example\.com: unsigned: the record has no signature/);
    const reported = await vouch(repo.dir, 'verify', '--allowed-signers', allowed);
    assert.equal(reported.code, 0, 'without --require-signed the verdict is reported, not failed');
    assert.match(reported.stdout, /note: sum\.js:2-2 vouched for by ada@example\.com: unsigned/);
    assert.match(reported.stdout, /0 of 1 reviewed range\(s\) signed by their reviewer/);
  });

  it("fails a record whose review's textHash is not the hash of the lines it vouches for", async () => {
    // Vouch records a review only for the text it covers, and as the hash of the reviewed lines;
    // a record saying otherwise (older writer, edited by hand) is refused.
    const commit = await commitAi('sum.js', 'accepted');
    const parsed = parseRecordLine(await repo.text(['notes', '--ref', 'refs/notes/vouch', 'show', commit]));
    assert.ok(parsed.ok);
    const predicate = parsed.record.statement.predicate;
    const [file] = predicate.files;
    assert.equal(file.ranges[0].review?.textHash, file.ranges[0].sha256, 'Vouch writes the hash of the reviewed lines');
    const ranges = file.ranges.map((range) => ({ ...range, review: range.review && { ...range.review, textHash: sha256Hex('export const sum = (a, b) => a - b;') } }));
    const forged = buildNoteRecord({ commit: predicate.commit, tree: predicate.tree, patchId: predicate.patchId, files: [{ ...file, ranges }] });
    await repo.git(['notes', '--ref', 'refs/notes/vouch', 'add', '-f', '-m', forged.line, commit]);
    const result = await vouch(repo.dir, 'verify', 'HEAD');
    assert.equal(result.code, 1);
    assert.match(result.stdout, /reviewed-text-differs {2}sum\.js:2-2: the lines differ from the text Ada Reviewer accepted/);
  });

  it('fails on a note line that is not a readable record', async () => {
    await repo.git(['notes', '--ref', 'refs/notes/vouch', 'add', '-m', 'not a record', 'HEAD']);
    const result = await vouch(repo.dir, 'verify');
    assert.equal(result.code, 1);
    assert.match(result.stdout, /unreadable-record {5}note line 1 is not a readable Vouch record/);
  });

  it('lists every commit of the range in order, those without a note too, and keeps only the noted ones', async () => {
    const first = await repo.commitFiles({ 'README.md': 'one\n' }, 'one');
    const noted = await commitAi('sum.js', 'accepted');
    const last = await repo.commitFiles({ 'README.md': 'two\n' }, 'two');
    const json = await vouch(repo.dir, 'verify', '--json', `${base}..HEAD`);
    assert.equal(json.code, 0, json.stderr);
    const parsed = JSON.parse(json.stdout) as VerifyResultJson;
    assert.deepEqual(
      parsed.commits.map((item) => [item.commit, item.records, item.aiLines]),
      [
        [first, 0, 0],
        [noted, 1, 1],
        [last, 0, 0],
      ],
    );
    const context = await openNotesContext(capture(repo.dir));
    const { commits } = await commitIdsToVerify(context, `${base}..HEAD`, 10);
    const result = await verifyCommits(context, `${base}..HEAD`, commits, false);
    // Commits without a note are not held as objects: only made when listed.
    assert.deepEqual(
      result.commits.withNotes.map((item) => item.commit),
      [noted],
    );
    assert.equal(result.commits.length, 3);
    assert.deepEqual(JSON.parse(JSON.stringify(result.commits)), parsed.commits);
  });

  it('defaults to origin/HEAD..HEAD and prints JSON', async () => {
    const bad = await commitAi('bad.js');
    const good = await commitAi('good.js', 'accepted');
    await repo.git(['update-ref', 'refs/remotes/origin/HEAD', base]);
    const result = await vouch(repo.dir, 'verify', '--json');
    assert.equal(result.code, 1);
    const parsed = JSON.parse(result.stdout) as VerifyResultJson;
    assert.equal(parsed.range, 'origin/HEAD..HEAD');
    assert.deepEqual(
      parsed.commits.map((item) => [item.commit, item.records, item.reviewedLines, item.problems.map((problem) => problem.kind)]),
      [
        [bad, 1, 0, ['unreviewed']],
        [good, 1, 1, []],
      ],
    );
    assert.equal(parsed.ok, false);
    // Only the last commit when origin/HEAD is missing.
    await repo.git(['update-ref', '-d', 'refs/remotes/origin/HEAD']);
    assert.equal((await vouch(repo.dir, 'verify')).code, 0);
  });

  it('reports usage errors with exit status 2', async () => {
    assert.equal((await vouch(repo.dir, 'verify', 'nope..HEAD')).code, 2);
    assert.equal((await vouch(repo.dir, 'verify', '--max-commits', '0')).code, 2);
    assert.equal((await vouch(repo.dir, 'verify', 'a', 'b')).code, 2);
    assert.equal((await vouch(repo.dir, 'verify', '--no-such-option')).code, 2);
    assert.equal((await vouch(repo.dir, 'verify', '--allowed-signers', path.join(repo.dir, 'missing'))).code, 2);
    const many = await vouch(repo.dir, 'verify', '--max-commits', '1', `${base}~0..HEAD`);
    assert.equal(many.code, 0, 'an empty range passes');
    await commitAi('x.js', 'accepted');
    await commitAi('y.js', 'accepted');
    const tooMany = await vouch(repo.dir, 'verify', '--max-commits', '1', `${base}..HEAD`);
    assert.equal(tooMany.code, 2);
    assert.match(tooMany.stderr, /more than 1 commits/);
    // A revision that names no commit is a usage error, like a bad range (and as in reconcile and notes show).
    assert.equal((await vouch(repo.dir, 'verify', 'no-such-commit')).code, 2);
  });
});

import * as assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { vouch } from '../../support/cliRun';
import { TestRepo } from '../../support/testRepo';

/**
 * The commit the notes of test/fixtures/old-notes were written for, made again byte for byte (same
 * files, author, dates and messages), so each old note attaches to it as it did.
 */
const COMMIT = '5f8dac79af51';
const DATES = { GIT_AUTHOR_DATE: '2026-11-27T10:00:00Z', GIT_COMMITTER_DATE: '2026-11-27T10:00:00Z' };

async function repoWithOldNote(version: string): Promise<TestRepo> {
  const repo = await TestRepo.create({ user: { name: 'Rita Reviewer', email: 'rita@example.com' } });
  repo.write('base.txt', 'base\n');
  await repo.git(['add', '.']);
  await repo.git(['commit', '-q', '-m', 'base'], DATES);
  repo.write('a.js', 'function a() {\n  return 1;\n}\nconst x = 2;\n');
  repo.write('b.js', 'let b1 = 1;\nlet b2 = 2;\nlet b3 = 33;\n');
  repo.write('c.js', 'let c1 = 1;\nlet c2 = 2;\n');
  await repo.git(['add', 'a.js', 'b.js', 'c.js']);
  await repo.git(['commit', '-q', '-m', 'ai commit'], DATES);
  assert.ok((await repo.text(['rev-parse', 'HEAD'])).startsWith(COMMIT), 'test setup: the fixture commit made again');
  const note = path.join(__dirname, '../../fixtures/old-notes', `${version}.note`);
  await repo.git(['notes', '--ref', 'vouch', 'add', '-F', note, 'HEAD']);
  assert.ok(readFileSync(note, 'utf8').length > 0);
  return repo;
}

describe('vouch verify of notes written by earlier Vouch versions', function () {
  this.timeout(60_000);
  let repo: TestRepo | undefined;
  afterEach(() => repo?.cleanup());

  it('e25594a: a review of exactly the committed lines passes; one of text a person changed after it does not', async () => {
    repo = await repoWithOldNote('e25594a');
    const result = await vouch(repo.dir, 'verify', 'HEAD');
    assert.equal(result.code, 1, result.stderr + result.stdout);
    assert.doesNotMatch(result.stdout, /a\.js/, 'a.js:1-3 was reviewed as committed');
    assert.match(result.stdout, /reviewed-text-differs {2}b\.js:2-2: /);
    assert.match(result.stdout, /unreviewed {12}c\.js:1-2: /);
    assert.match(result.stderr, /FAILED: 2 problem\(s\); 1 commit\(s\) in HEAD, 1 with Vouch records, 6 AI line\(s\)/);
  });

  it('77782ba: reviews kept by a writer that left out changed text pass, and so does an approval', async () => {
    repo = await repoWithOldNote('77782ba');
    const result = await vouch(repo.dir, 'verify', 'HEAD');
    assert.equal(result.code, 1, result.stderr + result.stdout);
    assert.doesNotMatch(result.stdout, /a\.js|c\.js/);
    assert.match(result.stdout, /unreviewed {12}b\.js:2-2: /);
    assert.match(result.stdout, /unreviewed {12}b\.js:3-3: /);
    assert.match(result.stderr, /FAILED: 2 problem\(s\); 1 commit\(s\) in HEAD, 1 with Vouch records, 7 AI line\(s\)/);
  });

  it('e25594a: a record carried to a cherry-pick keeps what its review covers', async () => {
    repo = await repoWithOldNote('e25594a');
    await repo.git(['checkout', '-q', '-b', 'side', 'HEAD~1']);
    await repo.git(['cherry-pick', 'main'], { GIT_COMMITTER_DATE: '2026-11-28T10:00:00Z' });
    const reconciled = await vouch(repo.dir, 'reconcile', 'main~1..side');
    assert.equal(reconciled.code, 0, reconciled.stderr + reconciled.stdout);
    assert.match(reconciled.stdout, /carried .* by patch-id, 3 range\(s\)/);
    const result = await vouch(repo.dir, 'verify', 'side');
    assert.equal(result.code, 1, result.stderr + result.stdout);
    assert.doesNotMatch(result.stdout, /a\.js/, 'a.js:1-3 was reviewed as committed');
    assert.match(result.stdout, /reviewed-text-differs {2}b\.js:2-2: /);
    assert.match(result.stdout, /unreviewed {12}c\.js:1-2: /);
  });

  it('e25594a: a review of text changed after it is not counted as reviewed, and a later approval of the lines clears it', async () => {
    repo = await repoWithOldNote('e25594a');
    const report = async () => JSON.parse((await vouch(repo!.dir, 'report', 'HEAD', '--json')).stdout) as { aiLines: number; reviewedLines: number };
    assert.deepEqual(await report(), { ...(await report()), aiLines: 6, reviewedLines: 3 });
    await repo.git(['config', 'user.name', 'Second Person']);
    await repo.git(['config', 'user.email', 'second@example.com']);
    const approved = await vouch(repo.dir, 'approve', 'HEAD', '--intent', 'looked again', '--scope', 'none');
    assert.equal(approved.code, 0, approved.stderr + approved.stdout);
    const result = await vouch(repo.dir, 'verify', 'HEAD');
    assert.equal(result.code, 0, result.stderr + result.stdout);
    assert.deepEqual(await report(), { ...(await report()), aiLines: 6, reviewedLines: 6 });
  });

  it('e25594a: the carried copy of a review is found in the record it was carried from (verify --allowed-signers says why it is unsigned)', async () => {
    repo = await repoWithOldNote('e25594a');
    await repo.git(['checkout', '-q', '-b', 'side', 'HEAD~1']);
    await repo.git(['cherry-pick', 'main'], { GIT_COMMITTER_DATE: '2026-11-28T10:00:00Z' });
    assert.equal((await vouch(repo.dir, 'reconcile', 'main~1..side')).code, 0);
    const allowedSigners = path.join(repo.dir, '.git', 'allowed_signers');
    writeFileSync(allowedSigners, '');
    const result = await vouch(repo.dir, 'verify', 'side', '--allowed-signers', allowedSigners);
    assert.match(result.stdout, /note: a\.js:1-3 vouched for by rita@example\.com: unsigned: the record has no signature \(that of the review's own record: this one was carried from 5f8dac79af51\)/);
    assert.doesNotMatch(result.stdout, /not in the record it was carried from/);
  });

  it('e25594a: notes show says which accepted review is of text changed after it', async () => {
    repo = await repoWithOldNote('e25594a');
    const shown = await vouch(repo.dir, 'notes', 'show', 'HEAD');
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /a\.js:1-3 {2}valid {2}claude-code\/opus-4 \(agent\) {2}accepted by Rita Reviewer: "returns one"\n/);
    assert.match(shown.stdout, /b\.js:2-2 {2}valid {2}copilot \(inline\) {2}accepted by Rita Reviewer: "two lets" \(the text changed after this review\)\n/);
  });
});

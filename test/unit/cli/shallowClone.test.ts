import * as assert from 'node:assert/strict';
import { mkdtempSync, realpathSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { vouch } from '../../support/cliRun';
import { TestRepo, gitRunner } from '../../support/testRepo';

describe('a shallow clone: verify and report do not pass over commits the clone lacks', function () {
  this.timeout(120_000);
  let source: TestRepo;
  let cloneParent: string;
  let clone: string;

  before(async () => {
    source = await TestRepo.withBaseCommit({ 'README.md': 'base\n' });
    await source.commitFiles({ 'm.js': 'm\n' }, 'm0');
    await source.git(['checkout', '-q', '-b', 'feature']);
    const unreviewed = 'const fromAi = 1;\n';
    const f1 = await source.commitFiles({ 'a.js': `// human\n${unreviewed}` }, 'f1: unreviewed AI');
    await source.recordAi(f1, [{ path: 'a.js', text: `// human\n${unreviewed}`, aiText: unreviewed }]);
    await source.commitFiles({ 'b.js': 'b\n' }, 'f2');
    await source.commitFiles({ 'c.js': 'c\n' }, 'f3');
    await source.git(['checkout', '-q', 'main']);
    await source.commitFiles({ 'm.js': 'm\nm2\n' }, 'm2');
    cloneParent = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'vouch-shallow-')));
    clone = path.join(cloneParent, 'clone');
    // Two commits of each branch: feature's f2 is the boundary, f1 (the unreviewed AI) is not fetched.
    await gitRunner.run(['clone', '-q', '--depth', '2', '--no-single-branch', `file://${source.dir}`, clone], { cwd: cloneParent });
    await gitRunner.run(['fetch', '-q', 'origin', 'refs/notes/vouch:refs/notes/vouch'], { cwd: clone });
  });
  after(() => {
    source.cleanup();
    TestRepo.remove(cloneParent);
  });

  it('the full history fails verify (the unreviewed AI commit is in the range)', async () => {
    assert.equal((await vouch(source.dir, 'verify', 'main..feature')).code, 1);
  });

  it('verify fails (exit 1) when the range reaches the shallow boundary, and says how to fetch the history', async () => {
    const result = await vouch(clone, 'verify', 'origin/main..origin/feature');
    assert.equal(result.code, 1, result.stdout);
    assert.match(result.stderr, /origin\/main\.\.origin\/feature reaches the boundary of this shallow clone at [0-9a-f]{12}: the commits before it are not here/);
    assert.match(result.stderr, /fetch-depth: 0; or git fetch --unshallow/);
    assert.equal(result.stdout, '');
  });

  it('verify still checks a range fully inside the fetched history, and a single commit', async () => {
    const inside = await vouch(clone, 'verify', 'origin/feature~1..origin/feature');
    assert.equal(inside.code, 0, inside.stderr);
    assert.match(inside.stdout, /OK: 1 commit\(s\)/);
    const single = await vouch(clone, 'verify', 'origin/feature');
    assert.equal(single.code, 0, single.stderr);
  });

  it('report says its figures are incomplete over the boundary, and for a commit at it', async () => {
    const walked = await vouch(clone, 'report', 'origin/main..origin/feature');
    assert.equal(walked.code, 0, walked.stderr);
    assert.match(walked.stdout, /^INCOMPLETE: origin\/main\.\.origin\/feature reaches the boundary of this shallow clone .*The figures of this report are incomplete\.\n/);
    const json = JSON.parse((await vouch(clone, 'report', 'origin/main..origin/feature', '--json')).stdout) as { incomplete?: string };
    assert.match(json.incomplete ?? '', /shallow clone/);
    const markdown = await vouch(clone, 'report', 'origin/main..origin/feature', '--markdown');
    assert.match(markdown.stdout, /Incomplete: shallow clone/);
    const atBoundary = await vouch(clone, 'report', 'origin/feature~1');
    assert.match(atBoundary.stdout, /^INCOMPLETE: origin\/feature~1 is at the boundary of this shallow clone: its parents are not here, so every line of its files counts as added/);
    const inside = await vouch(clone, 'report', 'origin/feature~1..origin/feature');
    assert.doesNotMatch(inside.stdout, /INCOMPLETE/);
  });

  it('report --verify over the boundary shows verify failed, as vouch verify itself fails there (the CI summary must not say passed)', async () => {
    const text = await vouch(clone, 'report', 'origin/main..origin/feature', '--verify');
    assert.equal(text.code, 0, text.stderr);
    assert.doesNotMatch(text.stdout, /vouch verify: passed/);
    assert.match(text.stdout, /vouch verify: FAILED, 1 problem\(s\):\n  [0-9a-f]{12} incomplete-history +origin\/main\.\.origin\/feature reaches the boundary of this shallow clone/);
    const json = JSON.parse((await vouch(clone, 'report', 'origin/main..origin/feature', '--json', '--verify')).stdout) as { verification: { ok: boolean; problems: { kind: string }[] } };
    assert.equal(json.verification.ok, false);
    assert.deepEqual(json.verification.problems.map((problem) => problem.kind), ['incomplete-history']);
    const markdown = await vouch(clone, 'report', 'origin/main..origin/feature', '--markdown', '--verify');
    assert.doesNotMatch(markdown.stdout, /vouch verify passed/);
    assert.match(markdown.stdout, /❌ vouch verify failed: 1 problem\(s\)/);
    const single = await vouch(clone, 'report', 'origin/feature', '--verify');
    assert.match(single.stdout, /vouch verify: passed/);
  });
});

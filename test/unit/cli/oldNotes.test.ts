import * as assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { vouch } from '../../support/cliRun';
import { repoWithOldNote } from '../../support/oldNotes';
import { gitRunner, type TestRepo } from '../../support/testRepo';
import { silentLogger } from '../../../src/core/logger';
import { english } from '../../../src/core/text/translate';
import { committedHoverMarkdown } from '../../../src/core/visibility/hoverText';
import { committedAnnotation } from '../../../src/core/visibility/lineAnnotation';
import { BlameOverlay } from '../../../src/git/blame/blameOverlay';
import type { BlameJsonLine } from '../../../src/cli/commands/blame';

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

  it('e25594a: blame says which accepted review is of text changed after it, as notes show does', async () => {
    repo = await repoWithOldNote('e25594a');
    const b = await vouch(repo.dir, 'blame', 'b.js');
    assert.equal(b.code, 0, b.stderr);
    assert.match(b.stdout, /^5f8dac79af 2 AI copilot inline .* accepted by Rita Reviewer <rita@example\.com> "two lets" scope none \(the text changed after this review\) \| let b2 = 2;$/m);
    const a = await vouch(repo.dir, 'blame', 'a.js');
    assert.match(a.stdout, /^5f8dac79af 1 AI claude-code\/opus-4 .* accepted by Rita Reviewer <rita@example\.com> "returns one" scope none \| function a\(\) \{$/m);
    assert.doesNotMatch(a.stdout, /changed after/);
    const json = async (file: string) => (JSON.parse((await vouch(repo!.dir, 'blame', file, '--json')).stdout) as { lines: BlameJsonLine[] }).lines;
    assert.deepEqual((await json('b.js')).map((line) => line.reviewCovers), [undefined, false, undefined]);
    assert.deepEqual((await json('a.js')).map((line) => line.reviewCovers), [true, true, true, undefined]);
    assert.deepEqual((await json('c.js')).map((line) => line.reviewCovers), [undefined, undefined], 'not reviewed: nothing to cover');
  });

  it('77782ba: the reviews its writer kept cover the lines, and blame shows them plainly', async () => {
    repo = await repoWithOldNote('77782ba');
    for (const file of ['a.js', 'b.js', 'c.js']) {
      const shown = await vouch(repo.dir, 'blame', file);
      assert.equal(shown.code, 0, shown.stderr);
      assert.doesNotMatch(shown.stdout, /changed after/, file);
    }
    assert.match((await vouch(repo.dir, 'blame', 'a.js')).stdout, /accepted by Rita Reviewer <rita@example\.com> "returns one" scope none \| function a/);
  });

  it('e25594a: a later approval of the lines speaks for them in blame, in whichever order the note holds the records', async () => {
    repo = await repoWithOldNote('e25594a');
    await repo.git(['config', 'user.name', 'Second Person']);
    await repo.git(['config', 'user.email', 'second@example.com']);
    assert.equal((await vouch(repo.dir, 'approve', 'HEAD', '--lines', 'b.js:2-2', '--intent', 'looked again', '--scope', 'none')).code, 0);
    const records = (await repo.text(['notes', '--ref', 'vouch', 'show', 'HEAD'])).trim().split('\n');
    assert.equal(records.length, 2);
    for (const order of [records, [...records].reverse()]) {
      const note = path.join(repo.dir, '.git', 'note.txt');
      writeFileSync(note, `${order.join('\n')}\n`);
      await repo.git(['notes', '--ref', 'vouch', 'add', '-f', '-F', note, 'HEAD']);
      const shown = await vouch(repo.dir, 'blame', 'b.js');
      assert.match(shown.stdout, /^5f8dac79af 2 AI copilot .* accepted by Second Person <second@example\.com> "looked again" scope none \| let b2 = 2;$/m, shown.stdout);
    }
  });

  it("e25594a: the editor's hover and line annotation (BlameOverlay, core text builders) say the text changed after the review", async () => {
    repo = await repoWithOldNote('e25594a');
    const overlay = new BlameOverlay(gitRunner, repo.dir, silentLogger);
    const linesOf = async (file: string) => (await overlay.committedAiLines(file, readFileSync(path.join(repo!.dir, file), 'utf8'), { savedOnDisk: true })).lines;
    const [changed] = await linesOf('b.js');
    assert.equal(changed.line, 1);
    assert.equal(changed.reviewCovers, false);
    assert.match(committedHoverMarkdown(changed, english), /Review: \*\*accepted\*\* by Rita Reviewer .* — \*\*the text changed after this review\*\*/);
    assert.match(committedAnnotation(changed, Date.now(), english), /^AI · copilot · 5f8dac7 · changed after review$/);
    const [covered] = await linesOf('a.js');
    assert.equal(covered.reviewCovers, true);
    assert.doesNotMatch(committedHoverMarkdown(covered, english), /changed after/);
    assert.match(committedAnnotation(covered, Date.now(), english), /^AI · reviewed by Rita Reviewer/);
  });

  it('e25594a: notes show says which accepted review is of text changed after it', async () => {
    repo = await repoWithOldNote('e25594a');
    const shown = await vouch(repo.dir, 'notes', 'show', 'HEAD');
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /a\.js:1-3 {2}valid {2}claude-code\/opus-4 \(agent\) {2}accepted by Rita Reviewer: "returns one"\n/);
    assert.match(shown.stdout, /b\.js:2-2 {2}valid {2}copilot \(inline\) {2}accepted by Rita Reviewer: "two lets" \(the text changed after this review\)\n/);
  });
});

import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { vouch } from '../../support/cliRun';
import { TestRepo, aiSpan, nextDateEnv } from '../../support/testRepo';

describe('notes CLI: record-commit, notes, reconcile, sync', function () {
  this.timeout(60_000);
  let repo: TestRepo;
  const text = 'const a = 1;\nconst b = fromAi();\n';

  beforeEach(async () => {
    repo = await TestRepo.withBaseCommit({ 'src/a.js': 'const a = 1;\n' });
    await repo.commitFiles({ 'src/a.js': text }, 'ai');
  });
  afterEach(() => repo.cleanup());

  function pendingFile(): string {
    const file = path.join(repo.dir, '.git', 'pending.json');
    writeFileSync(file, JSON.stringify({ files: [{ path: 'src/a.js', workingText: text, spans: [aiSpan(text, 'const b = fromAi();')] }] }));
    return file;
  }

  it('records a commit from --pending input and shows the note', async () => {
    const recorded = await vouch(repo.dir, 'record-commit', '--pending', pendingFile());
    assert.equal(recorded.code, 0, recorded.stderr);
    assert.match(recorded.stdout, /recorded 1 AI line\(s\) in 1 file\(s\)/);
    const shown = await vouch(path.join(repo.dir, 'src'), 'notes', 'show');
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /record [0-9a-f]{12} \(valid; unsigned\)/);
    assert.match(shown.stdout, /src\/a\.js:2-2 {2}valid {2}github-copilot \(inline\) {2}not reviewed/);
  });

  it('with an empty working state writes no record', async () => {
    const result = await vouch(repo.dir, 'record-commit');
    assert.equal(result.code, 0);
    assert.match(result.stdout, /no AI lines in [0-9a-f]{12}; no record written/);
    assert.equal((await vouch(repo.dir, 'notes', 'show')).code, 1);
  });

  it('reports usage errors with exit status 2 and bad input clearly', async () => {
    assert.equal((await vouch(repo.dir, 'record-commit', '--bogus')).code, 2);
    assert.equal((await vouch(repo.dir, 'reconcile', '--max-commits', 'x')).code, 2);
    const bad = path.join(repo.dir, '.git', 'bad.json');
    writeFileSync(bad, JSON.stringify({ files: [{ path: 'src/a.js', workingText: 'x', spans: [{ id: 's', start: 0, end: 5, origin: { kind: 'inline', tool: 't' } }] }] }));
    const result = await vouch(repo.dir, 'record-commit', '--pending', bad);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /files\[0\]\.spans\[0\]: start\.\.end must lie within workingText/);
    const sync = await vouch(repo.dir, 'sync', 'nowhere');
    assert.equal(sync.code, 1);
    assert.match(sync.stderr, /no such remote: "nowhere"/);
  });

  it('reconciles a cherry-pick and enables notes.rewriteRef', async () => {
    await vouch(repo.dir, 'record-commit', '--pending', pendingFile());
    const original = await repo.text(['rev-parse', 'HEAD']);
    await repo.git(['checkout', '-q', '-b', 'other', 'HEAD~1']);
    repo.write('README', 'other branch\n');
    await repo.git(['add', 'README']);
    await repo.git(['commit', '-q', '-m', 'other work'], nextDateEnv());
    await repo.git(['cherry-pick', original], nextDateEnv());
    const reconciled = await vouch(repo.dir, 'reconcile');
    assert.equal(reconciled.code, 0, reconciled.stderr);
    assert.match(reconciled.stdout, new RegExp(`carried  [0-9a-f]{12}  from ${original.slice(0, 12)} \\(record [0-9a-f]{12}, by patch-id, 1 range\\(s\\)\\)`));
    assert.match((await vouch(repo.dir, 'notes', 'show')).stdout, /carried from/);
    assert.match((await vouch(repo.dir, 'notes', 'rewrite-ref')).stdout, /do NOT carry/);
    assert.match((await vouch(repo.dir, 'notes', 'rewrite-ref', '--enable')).stdout, /^amend and rebase carry refs\/notes\/vouch/);
  });
});

import * as assert from 'node:assert/strict';
import type { BlameJsonLine } from '../../../src/cli/commands/blame';
import { vouch } from '../../support/cliRun';
import { TestRepo } from '../../support/testRepo';
import { commitAs, createRangeHistory, type RangeHistory } from './rangeHistory';

describe('vouch blame', function () {
  this.timeout(60_000);
  let history: RangeHistory;
  let gitAiCommit: string;

  before(async () => {
    history = await createRangeHistory();
    const { repo } = history;
    // A commit annotated by git-ai: one session line, one known-human line, one untracked line.
    repo.write('src/mixed.js', 'const ai = 1;\nconst typed = 2;\nconst unknown = 3;\n');
    gitAiCommit = await commitAs(repo, 'Carol Coder', 'carol@example.com', 'mixed');
    const note = [
      'src/mixed.js',
      '  s_c9883b05a2487d::t_9f8e7d6c5b4a32 1',
      '  h_31dce776f88375 2',
      '---',
      JSON.stringify({
        schema_version: 'authorship/3.0.0',
        base_commit_sha: gitAiCommit,
        prompts: {},
        humans: { h_31dce776f88375: { author: 'Carol Coder <carol@example.com>' } },
        sessions: { s_c9883b05a2487d: { agent_id: { tool: 'cursor', id: 'conv-42', model: 'claude-sonnet-4-5-20250514' }, human_author: 'carol@example.com' } },
      }),
    ].join('\n');
    await repo.git(['notes', '--ref', 'refs/notes/ai', 'add', '-m', note, gitAiCommit]);
  });
  after(() => history.repo.cleanup());

  async function blameJson(...args: string[]): Promise<{ path: string; rev: string | null; lines: BlameJsonLine[] }> {
    const result = await vouch(history.repo.dir, 'blame', ...args, '--json');
    assert.equal(result.code, 0, result.stderr);
    return JSON.parse(result.stdout) as { path: string; rev: string | null; lines: BlameJsonLine[] };
  }

  it('gives every line its commit and, for Vouch AI lines, origin, review and record', async () => {
    const result = await blameJson('src/sum.js');
    assert.equal(result.lines.length, 3);
    assert.equal(result.lines[0].attribution, 'not-recorded');
    assert.equal(result.lines[0].commit, history.reviewedCommit);
    const ai = result.lines[1];
    assert.equal(ai.attribution, 'ai');
    assert.equal(ai.source, 'vouch');
    assert.deepEqual(ai.origin, { kind: 'inline', tool: 'github-copilot', model: 'gpt-4o', agentClaim: 'none' });
    assert.equal(ai.review?.decision, 'accepted');
    assert.equal(ai.review?.reviewer.email, 'ada@example.com');
    assert.equal(ai.review?.intent, 'adds the sum helper');
    assert.equal(ai.record?.signed, false);
    assert.equal(ai.text, 'export const sum = (a, b) => a + b;');
    assert.equal(ai.author, 'Alice Author');
  });

  it('reports unreviewed AI lines as not reviewed, and a record with an unverified signature as signature present, not signed', async () => {
    const net = await blameJson('src/net.js');
    assert.deepEqual(
      net.lines.map((line) => [line.line, line.attribution, line.review === null ? 'unreviewed' : line.review?.decision]),
      [
        [1, 'not-recorded', undefined],
        [2, 'not-recorded', undefined],
        [3, 'ai', 'unreviewed'],
        [4, 'ai', 'unreviewed'],
        [5, 'ai', 'unreviewed'],
      ],
    );
    const auth = await blameJson('src/auth.js');
    assert.deepEqual(auth.lines[1].record && { signed: auth.lines[1].record.signed, signaturePresent: auth.lines[1].record.signaturePresent, signatures: auth.lines[1].record.signatures }, { signed: false, signaturePresent: true, signatures: 1 });
    const text = await vouch(history.repo.dir, 'blame', 'src/auth.js');
    assert.match(text.stdout.split('\n')[1], /\(Vouch, signature present, not verified\)/);
  });

  it('reads git-ai notes: session lines are AI with tool, model and session; h_ lines are human; the rest untracked', async () => {
    const result = await blameJson('src/mixed.js');
    assert.deepEqual(
      result.lines.map((line) => [line.attribution, line.source, line.origin?.tool, line.origin?.model, line.origin?.session, line.knownHuman]),
      [
        ['ai', 'git-ai', 'cursor', 'claude-sonnet-4-5-20250514', 'conv-42', undefined],
        ['known-human', 'git-ai', undefined, undefined, undefined, 'Carol Coder <carol@example.com>'],
        ['not-recorded', undefined, undefined, undefined, undefined, undefined],
      ],
    );
    assert.equal(result.lines[0].review, undefined, 'git-ai records no review');
  });

  it('git-ai legacy keys: a prompt missing from the note is taken from another note (cherry-pick), as git-ai does', async () => {
    const { repo } = history;
    const prompt = { agent_id: { tool: 'cursor', id: 'session_123', model: 'claude-3-sonnet' }, human_author: null, total_additions: 1, total_deletions: 0, accepted_lines: 1, overriden_lines: 0 };
    repo.write('src/first.js', 'const first = 1;\n');
    const first = await commitAs(repo, 'Carol Coder', 'carol@example.com', 'first');
    await repo.git(['notes', '--ref', 'refs/notes/ai', 'add', '-m', `src/first.js\n  c9883b05a2487d6d 1\n---\n${JSON.stringify({ schema_version: 'authorship/3.0.0', base_commit_sha: first, prompts: { c9883b05a2487d6d: prompt } }, null, 2)}`, first]);
    repo.write('src/picked.js', 'const picked = 1;\nconst orphan = 2;\n');
    const picked = await commitAs(repo, 'Carol Coder', 'carol@example.com', 'picked');
    await repo.git(['notes', '--ref', 'refs/notes/ai', 'add', '-m', `src/picked.js\n  c9883b05a2487d6d 1\n  0000000000000000 2\n---\n${JSON.stringify({ schema_version: 'authorship/3.0.0', base_commit_sha: picked, prompts: {} }, null, 2)}`, picked]);
    const result = await blameJson('src/picked.js');
    assert.deepEqual(
      result.lines.map((line) => [line.attribution, line.origin?.tool, line.origin?.model]),
      [
        ['ai', 'cursor', 'claude-3-sonnet'],
        ['not-recorded', undefined, undefined],
      ],
    );
  });

  it('blames a file at a revision, and prints a terminal view with escaped text', async () => {
    const { repo } = history;
    repo.write('src/sum.js', '// sum helpers, now with \u001b[31m colour\nexport const sum = (a, b) => a + b;\nexport const twice = (a) => sum(a, a);\n');
    await commitAs(repo, 'Dan', 'dan@example.com', 'edit comment');
    const old = await blameJson('src/sum.js', '--rev', history.reviewedCommit);
    assert.equal(old.rev, history.reviewedCommit);
    assert.equal(old.lines[0].text, '// sum helpers');
    const text = await vouch(repo.dir, 'blame', 'src/sum.js');
    assert.equal(text.code, 0, text.stderr);
    const rows = text.stdout.split('\n');
    assert.match(rows[0], /\\x1b\[31m colour$/);
    assert.ok(!text.stdout.includes('\u001b'));
    assert.match(rows[1], /^[0-9a-f]{10} 2 AI github-copilot\/gpt-4o inline agent \(no agent claim\) \(Vouch, unsigned\) +accepted by Ada Reviewer <ada@example\.com> "adds the sum helper" scope none \| export const sum/);
  });

  it('fails clearly on a missing file or commit', async () => {
    assert.equal((await vouch(history.repo.dir, 'blame', 'nope.js')).code, 1);
    const badRev = await vouch(history.repo.dir, 'blame', 'src/sum.js', '--rev', 'no-such-rev');
    assert.equal(badRev.code, 2, 'a revision git cannot resolve is a usage error, as in every command');
    assert.match(badRev.stderr, /no such commit: no-such-rev/);
    assert.equal((await vouch(history.repo.dir, 'blame')).code, 2);
  });

  it('says plainly when a file is untracked or nothing is committed yet, with no raw git error', async () => {
    history.repo.write('src/untracked.js', 'const fresh = 1;\n');
    const untracked = await vouch(history.repo.dir, 'blame', 'src/untracked.js');
    assert.equal(untracked.code, 1, untracked.stdout);
    assert.match(untracked.stderr, /src\/untracked\.js is not in HEAD \(untracked or not yet committed\)/);
    assert.doesNotMatch(untracked.stderr, /failed \(128\)|fatal/);
    const unborn = await TestRepo.create();
    try {
      unborn.write('f.js', 'a\n');
      const result = await vouch(unborn.dir, 'blame', 'f.js');
      assert.equal(result.code, 1, result.stdout);
      assert.match(result.stderr, /no such commit: HEAD \(nothing is committed yet/);
      assert.doesNotMatch(result.stderr, /failed \(128\)|fatal/);
    } finally {
      unborn.cleanup();
    }
  });

  it('blames a file of a submodule named from the superproject in the submodule, as mark marks it there', async () => {
    const inner = await TestRepo.withBaseCommit({ 'in.js': 'one\ntwo\n' });
    const outer = await TestRepo.withBaseCommit({ 'README.md': 'outer\n' });
    try {
      await outer.git(['-c', 'protocol.file.allow=always', 'submodule', 'add', '-q', inner.dir, 'sm']);
      await outer.commitAll('add submodule');
      const result = await vouch(outer.dir, 'blame', 'sm/in.js', '--json');
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stderr, /in\.js is in the repository at .*sm; blaming it there/);
      const blamed = JSON.parse(result.stdout) as { path: string; lines: BlameJsonLine[] };
      assert.equal(blamed.path, 'in.js');
      assert.deepEqual(blamed.lines.map((line) => line.text), ['one', 'two']);
    } finally {
      outer.cleanup();
      inner.cleanup();
    }
  });
});

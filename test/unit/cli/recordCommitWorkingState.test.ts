import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { sharedCliBundle, writeCliLauncher } from '../../support/cliProcess';
import { vouch } from '../../support/cliRun';
import { silentLogger } from '../../../src/core/logger';
import { sha256Hex } from '../../../src/core/textHash';
import { WorkingStateStore } from '../../../src/git/workingStateStore';
import { TestRepo, gitRunner, nextDateEnv } from '../../support/testRepo';

describe('vouch record-commit over the working state (vouch mark, git commit, record-commit)', function () {
  this.timeout(60_000);
  let repo: TestRepo;
  const header = 'export function add(a, b) {\n  return a + b;\n}\n';
  const staged = 'export function sub(a, b) {\n  return a - b;\n}\n';
  const unstaged = 'export function mul(a, b) {\n  return a * b;\n}\n';

  beforeEach(async () => {
    repo = await TestRepo.withBaseCommit({ 'src/math.js': header, 'README.md': 'math\n' });
  });
  afterEach(() => repo.cleanup());

  async function storedTexts(repoPath: string, text: string): Promise<string[]> {
    const store = await WorkingStateStore.open(gitRunner, repo.dir, silentLogger);
    return ((await store.loadForText(repoPath, text))?.spans ?? []).map((span) => text.slice(span.start, span.end));
  }

  it('a full id that names no commit (a tree, a missing object) is refused (usage error, as a bad revision always was), and nothing is recorded', async () => {
    const tree = await repo.text(['rev-parse', 'HEAD^{tree}']);
    for (const id of [tree, 'f'.repeat(40)]) {
      const result = await vouch(repo.dir, 'record-commit', id);
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, new RegExp(`no such commit: ${id}`));
    }
    assert.equal(spawnSync('git', ['for-each-ref', 'refs/notes/vouch'], { cwd: repo.dir, encoding: 'utf8' }).stdout, '');
  });

  it('writes the AI ranges of the staged part and keeps the unstaged AI lines pending', async () => {
    repo.write('src/math.js', header + staged);
    await repo.git(['add', 'src/math.js']);
    // A human line keeps the two AI blocks apart (vouch mark joins adjacent ranges into one span).
    const full = header + staged + '// by hand\n' + unstaged;
    repo.write('src/math.js', full);
    assert.equal((await vouch(repo.dir, 'mark', 'src/math.js', '--lines', '4-6', '--lines', '8-10', '--tool', 'claude-code', '--model', 'opus')).code, 0);
    await repo.git(['commit', '-q', '-m', 'sub'], nextDateEnv());

    const recorded = await vouch(repo.dir, 'record-commit');
    assert.equal(recorded.code, 0, recorded.stderr);
    assert.match(recorded.stdout, /recorded 3 AI line\(s\) in 1 file\(s\)/);

    const commit = await repo.text(['rev-parse', 'HEAD']);
    const note = await repo.reader().readNote(commit);
    assert.ok(note, 'the commit has a Vouch note');
    assert.equal(note.records.length, 1);
    const [file] = note.records[0].statement.predicate.files;
    assert.equal(file.path, 'src/math.js');
    assert.deepEqual(
      file.ranges.map((range) => [range.start, range.end, range.origin.tool, range.origin.model]),
      [[4, 6, 'claude-code', 'opus']],
    );
    assert.deepEqual(await storedTexts('src/math.js', full), [unstaged.slice(0, -1)]);

    // Committing the rest records the remaining lines and empties the working state.
    await repo.commitAll('mul');
    const second = await vouch(repo.dir, 'record-commit');
    assert.equal(second.code, 0, second.stderr);
    const secondNote = await repo.reader().readNote(await repo.text(['rev-parse', 'HEAD']));
    assert.deepEqual(
      secondNote?.records[0].statement.predicate.files[0].ranges.map((range) => [range.start, range.end]),
      [[8, 10]],
    );
    assert.deepEqual(await storedTexts('src/math.js', full), []);
    const status = await vouch(repo.dir, 'status', '--json');
    assert.equal(status.code, 0, status.stderr);
    assert.doesNotMatch(status.stdout, /claude-code/);
  });

  it('records an older commit given by name, and a second run adds nothing', async () => {
    const full = header + staged;
    repo.write('src/math.js', full);
    assert.equal((await vouch(repo.dir, 'mark', 'src/math.js', '--lines', '4-6', '--tool', 'aider')).code, 0);
    await repo.commitAll('sub');
    repo.write('README.md', 'math, more\n');
    await repo.commitAll('docs');

    const recorded = await vouch(repo.dir, 'record-commit', 'HEAD~1');
    assert.equal(recorded.code, 0, recorded.stderr);
    const noted = await repo.reader().readNote(await repo.text(['rev-parse', 'HEAD~1']));
    assert.deepEqual(noted?.records[0].statement.predicate.files[0].ranges.map((range) => [range.start, range.end]), [[4, 6]]);
    assert.equal(await repo.reader().readNote(await repo.text(['rev-parse', 'HEAD'])), undefined);

    const again = await vouch(repo.dir, 'record-commit', 'HEAD~1');
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /no AI lines/);
    assert.equal((await repo.reader().readNote(await repo.text(['rev-parse', 'HEAD~1'])))?.records.length, 1);
  });
});

describe('vouch install-hooks: post-commit records, post-rewrite reconciles (real hooks, real vouch)', function () {
  this.timeout(60_000);
  let repo: TestRepo;
  /** The real vouch the hooks run, bundled once per test run. */
  let cli: string;

  before(async function () {
    this.timeout(60_000); // esbuild, once per run: seconds on a busy machine
    cli = await sharedCliBundle();
  });
  beforeEach(async () => {
    repo = await TestRepo.withBaseCommit({ 'a.js': 'const a = 1;\n' });
  });
  afterEach(() => repo.cleanup());

  /** git with hooks ON, as a person runs it (GitRunner always turns hooks off). */
  function gitWithHooks(...args: string[]): string {
    const env: NodeJS.ProcessEnv = {};
    for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('GIT_')) env[key] = value;
    const result = spawnSync('git', args, { cwd: repo.dir, env: { ...env, ...nextDateEnv() }, encoding: 'utf8' });
    assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
    return `${result.stdout}${result.stderr}`;
  }

  it('a terminal commit gets its note from the post-commit hook; an amend without rewriteRef is carried by the post-rewrite reconcile', async () => {
    const shim = writeCliLauncher(path.join(repo.dir, '.git', 'vouch-shim'), cli);
    const installed = await vouch(repo.dir, 'install-hooks', '--vouch-path', shim);
    assert.equal(installed.code, 0, installed.stderr);
    assert.match(installed.stdout, /post-commit: created/);
    assert.match(installed.stdout, /post-rewrite: created/);

    const text = 'const a = 1;\nconst b = fromAi();\n';
    repo.write('a.js', text);
    assert.equal((await vouch(repo.dir, 'mark', 'a.js', '--lines', '2', '--tool', 'claude-code')).code, 0);
    assert.equal((await vouch(repo.dir, 'review', 'a.js', '--lines', '2', '--intent', 'reads b', '--scope', 'none')).code, 0);
    gitWithHooks('add', 'a.js');
    const output = gitWithHooks('commit', '-q', '-m', 'ai');
    assert.match(output, /recorded 1 AI line\(s\) in 1 file\(s\)/);
    const commit = await repo.text(['rev-parse', 'HEAD']);
    const note = await repo.reader().readNote(commit);
    assert.deepEqual(note?.records[0].statement.predicate.files[0].ranges.map((range) => [range.start, range.end, range.review?.decision]), [[2, 2, 'accepted']]);
    assert.equal((await vouch(repo.dir, 'verify', 'HEAD')).code, 0);

    // amend without notes.rewriteRef: git drops the note; post-rewrite runs reconcile, which carries it by patch-id.
    gitWithHooks('commit', '-q', '--amend', '-m', 'ai, reworded');
    const amended = await repo.text(['rev-parse', 'HEAD']);
    assert.notEqual(amended, commit);
    const carried = await repo.reader().readNote(amended);
    assert.equal(carried?.records[0].statement.predicate.carriedFrom?.commit, commit);
    assert.equal((await vouch(repo.dir, 'verify', 'HEAD')).code, 0);
  });

  it('post-commit: a commit made on top while the first commit\'s hook starts vouch is recorded after it, each with its own AI lines', async () => {
    // A launcher that, the first time, makes a second commit with another AI line (as an agent in a
    // second terminal may while this hook starts vouch); that commit's own hook runs to the end first.
    const launcher = path.join(repo.dir, '.git', 'vouch-commits-on-top');
    const node = `'${process.execPath}' '${cli}'`;
    writeFileSync(
      launcher,
      `#!/bin/sh\nif [ "$1" = record-commit ] && [ ! -e .git/second-made ]; then\n  : > .git/second-made\n  printf 'const c = alsoAi();\\n' >> a.js\n  ${node} mark a.js --lines 3 --tool other-ai >/dev/null || exit 1\n  git add a.js && git commit -q --no-verify -m second || exit 1\nfi\nexec ${node} "$@"\n`,
      { mode: 0o755 },
    );
    assert.equal((await vouch(repo.dir, 'install-hooks', '--vouch-path', launcher)).code, 0);
    repo.write('a.js', 'const a = 1;\nconst b = fromAi();\n');
    assert.equal((await vouch(repo.dir, 'mark', 'a.js', '--lines', '2', '--tool', 'claude-code')).code, 0);
    assert.equal((await vouch(repo.dir, 'review', 'a.js', '--lines', '2', '--intent', 'reads b', '--scope', 'none')).code, 0);
    gitWithHooks('add', 'a.js');
    const output = gitWithHooks('commit', '-q', '-m', 'first');
    const [second, first] = (await repo.text(['rev-list', '-2', 'HEAD'])).split('\n');
    assert.equal(await repo.text(['log', '-1', '--format=%s', second]), 'second');
    const rangesOf = async (commit: string) =>
      ((await repo.reader().readNote(commit))?.records ?? []).flatMap((record) => record.statement.predicate.files.flatMap((file) => file.ranges.map((range) => `${file.path}:${range.start}-${range.end}:${range.origin.tool}`)));
    assert.deepEqual(await rangesOf(first), ['a.js:2-2:claude-code'], output);
    assert.deepEqual(await rangesOf(second), ['a.js:3-3:other-ai'], output);
    assert.match(output, /of [0-9a-f]{12} \(its post-commit hook had not recorded it yet\)/);
  });

  it('post-commit records the commit it ran for when another commit moves HEAD before vouch reads it', async () => {
    // A launcher that commits first (as a second terminal or an agent may, while the hook starts vouch), then runs vouch.
    const launcher = path.join(repo.dir, '.git', 'vouch-after-another-commit');
    writeFileSync(launcher, `#!/bin/sh\nif [ "$1" = record-commit ]; then git -c core.hooksPath=/dev/null commit -q --allow-empty -m 'meanwhile'; fi\nexec '${process.execPath}' '${cli}' "$@"\n`, { mode: 0o755 });
    assert.equal((await vouch(repo.dir, 'install-hooks', '--vouch-path', launcher)).code, 0);
    repo.write('a.js', 'const a = 1;\nconst b = fromAi();\n');
    assert.equal((await vouch(repo.dir, 'mark', 'a.js', '--lines', '2', '--tool', 'claude-code')).code, 0);
    assert.equal((await vouch(repo.dir, 'review', 'a.js', '--lines', '2', '--intent', 'reads b', '--scope', 'none')).code, 0);
    gitWithHooks('add', 'a.js');
    gitWithHooks('commit', '-q', '-m', 'ai');
    const [meanwhile, aiCommit] = (await repo.text(['rev-list', '-2', 'HEAD'])).split('\n');
    assert.equal(await repo.text(['log', '-1', '--format=%s', meanwhile]), 'meanwhile');
    const note = await repo.reader().readNote(aiCommit);
    assert.deepEqual(note?.records[0].statement.predicate.files.map((file) => [file.path, file.ranges.map((range) => [range.start, range.end])]), [['a.js', [[2, 2]]]]);
    assert.equal(await repo.reader().readNote(meanwhile), undefined, 'the commit made meanwhile added no AI line');
  });
});

describe('record-commit: one span or file the note cannot hold never costs the others their record', function () {
  this.timeout(60_000);
  let repo: TestRepo;
  beforeEach(async () => {
    repo = await TestRepo.withBaseCommit({ 'base.txt': 'a\n' });
  });
  afterEach(() => repo.cleanup());

  async function editStateOf(repoPath: string, edit: (state: { spans: Record<string, unknown>[] }) => void): Promise<string> {
    const store = await WorkingStateStore.open(gitRunner, repo.dir, silentLogger);
    const file = store.stateFileFor(repoPath);
    const state = JSON.parse(readFileSync(file, 'utf8')) as { spans: Record<string, unknown>[] };
    edit(state);
    writeFileSync(file, JSON.stringify(state));
    return file;
  }

  for (const badTool of ['claude-code ', 'claude\u0007code', 'claude\u202ecode', '::error::x']) {
    it(`a span whose tool is ${JSON.stringify(badTool)} is set aside (kept in a copy); the commit's other AI lines are recorded and verify sees them`, async () => {
      repo.write('w.txt', 'w1\nw2\nw3\n');
      repo.write('x.txt', 'x1\nx2\nx3\n');
      assert.equal((await vouch(repo.dir, 'mark', 'w.txt', '--lines', '1-2', '--tool', 'claude-code')).code, 0);
      assert.equal((await vouch(repo.dir, 'mark', 'x.txt', '--lines', '1-3', '--tool', 'copilot')).code, 0);
      const stateFile = await editStateOf('w.txt', (state) => {
        (state.spans[0].origin as Record<string, unknown>).tool = badTool;
      });
      await repo.commitAll('AI code');
      const recorded = await vouch(repo.dir, 'record-commit', 'HEAD');
      assert.equal(recorded.code, 0, recorded.stderr);
      assert.match(recorded.stderr, /set aside 1 span\(s\) of the working state of w\.txt .*origin\.tool/);
      const aside = readdirSync(path.dirname(stateFile)).filter((name) => name.startsWith(`${path.basename(stateFile)}.corrupt-`));
      assert.equal(aside.length, 1, 'the file as it was is kept');
      assert.ok(readFileSync(path.join(path.dirname(stateFile), aside[0]), 'utf8').includes(JSON.stringify(badTool).slice(1, -1)));
      const shown = await vouch(repo.dir, 'notes', 'show', 'HEAD');
      assert.equal(shown.code, 0, shown.stderr);
      assert.match(shown.stdout, /x\.txt:1-3/);
      const verify = await vouch(repo.dir, 'verify', 'HEAD');
      assert.equal(verify.code, 1, verify.stdout);
      assert.match(verify.stdout, /unreviewed\s+x\.txt:1-3/);
    });
  }

  it('a file whose part the note would refuse (a reviewer name with a trailing blank) is skipped alone with the reason; the others are recorded', async () => {
    repo.write('w.txt', 'w1\nw2\n');
    repo.write('x.txt', 'x1\nx2\n');
    assert.equal((await vouch(repo.dir, 'mark', 'w.txt', '--lines', '1-2', '--tool', 'claude-code')).code, 0);
    assert.equal((await vouch(repo.dir, 'mark', 'x.txt', '--lines', '1-2', '--tool', 'copilot')).code, 0);
    await editStateOf('w.txt', (state) => {
      const reviewed = 'w1\nw2\n'.slice(state.spans[0].start as number, state.spans[0].end as number);
      state.spans[0].review = { decision: 'accepted', intent: 'ok', scope: ['none'], reviewer: { name: 'Dana ', email: 'dana@example.com' }, reviewedAt: '2026-01-01T00:00:00Z', textHash: sha256Hex(reviewed) };
    });
    await repo.commitAll('AI code');
    const recorded = await vouch(repo.dir, 'record-commit', 'HEAD');
    assert.equal(recorded.code, 0, recorded.stderr);
    assert.match(recorded.stderr, /w\.txt: cannot be recorded: .*reviewer\.name.*; its AI spans stay pending/);
    const shown = await vouch(repo.dir, 'notes', 'show', 'HEAD');
    assert.match(shown.stdout, /x\.txt:1-2/);
    assert.doesNotMatch(shown.stdout, /w\.txt/);
  });
});

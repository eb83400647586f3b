import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { vouch } from '../../support/cliRun';
import { silentLogger } from '../../../src/core/logger';
import { addedLinesOfCommit } from '../../../src/git/commitDiffs';
import { recordFilesOfCommit } from '../../../src/git/notes/commitRecording';
import { reconcileNotes } from '../../../src/git/notes/reconcile';
import { MAX_DOCUMENT_BYTES } from '../../../src/git/repository';
import { TestRepo, aiSpan, gitRunner, nextDateEnv } from '../../support/testRepo';

const AI = 'export function total(items) {\n  return items.reduce((sum, item) => sum + item.price, 0);\n}\n';

describe('file names and sizes git can store (record-commit, reconcile)', function () {
  this.timeout(120_000);
  let repo: TestRepo;

  beforeEach(async () => {
    repo = await TestRepo.withBaseCommit({ 'README.md': 'base\n' });
  });
  afterEach(() => repo.cleanup());

  it('records every file of a commit whose names hold a backslash, a space, a tab or non-ASCII', async () => {
    const names = ['ok.js', 'back\\slash.js', 'with space.js', 'tab\tname.js', 'naïve é.js'];
    for (const name of names) repo.write(name, `// ${name}\n${AI}`);
    repo.write('unmarked\\too.txt', 'human text\n');
    for (const name of names) {
      const marked = await vouch(repo.dir, 'mark', name, '--lines', '2-4', '--tool', 'claude-code');
      assert.equal(marked.code, 0, `${name}: ${marked.stderr}`);
    }
    const commit = await repo.commitAll('odd names');
    const recorded = await vouch(repo.dir, 'record-commit');
    assert.equal(recorded.code, 0, recorded.stderr);
    const note = await repo.reader().readNote(commit);
    assert.ok(note);
    assert.deepEqual(note.records[0].statement.predicate.files.map((file) => [file.path, file.ranges.map((range) => [range.start, range.end])]).sort(), names.map((name) => [name, [[2, 4]]]).sort());
    assert.equal((await vouch(repo.dir, 'verify', commit)).code, 1, 'unreviewed, but readable and valid');
    const check = await repo.reader().checkCommitNote(commit);
    assert.deepEqual(check?.records[0].files.map((file) => file.status), names.map(() => 'valid'));
  });

  it('mark and review refuse a name a record cannot hold (a newline, a carriage return) up front, with record-commit\'s reason', async () => {
    for (const name of ['new\nline.js', 'carriage\rreturn.js']) {
      repo.write(name, `// human\n${AI}`);
      const marked = await vouch(repo.dir, 'mark', name, '--lines', '2-4', '--tool', 'claude-code');
      assert.equal(marked.code, 1, marked.stdout);
      assert.match(marked.stderr, /cannot be recorded: the name holds a newline, a carriage return or an empty, "\." or "\.\." part; rename the file/);
      assert.equal(marked.stdout, '');
      const reviewed = await vouch(repo.dir, 'review', name, '--lines', '2-4', '--intent', 'totals', '--scope', 'none');
      assert.equal(reviewed.code, 1, reviewed.stdout);
      assert.match(reviewed.stderr, /cannot be recorded: the name holds a newline/);
    }
    const status = await vouch(repo.dir, 'status');
    assert.doesNotMatch(status.stdout, /line\.js|return\.js/, 'nothing was marked');
  });

  it('says names that are not valid UTF-8 are not supported, not only that no such file exists', async function () {
    // Other systems refuse such names when the file is made; Linux stores the bytes.
    if (process.platform !== 'linux') this.skip();
    const bytes = Buffer.concat([Buffer.from('a'), Buffer.from([0xff]), Buffer.from('.js')]);
    writeFileSync(Buffer.concat([Buffer.from(`${repo.dir}/`), bytes]), `// human\n${AI}`);
    await repo.commitAll('a name that is not UTF-8');
    // What Node makes of the name on the command line.
    const given = bytes.toString('utf8');
    for (const argv of [
      ['mark', given, '--lines', '2', '--tool', 'claude-code'],
      ['review', given, '--lines', '2', '--intent', 'totals', '--scope', 'none'],
      ['blame', given],
    ]) {
      const result = await vouch(repo.dir, ...argv);
      assert.equal(result.code, 1, `${argv[0]}: ${result.stdout}`);
      assert.match(result.stderr, /file names that are not valid UTF-8 are not supported/, argv[0]);
    }
  });

  it('reads added lines of every name exactly, whatever diff.noprefix says', async () => {
    const names = ['with space.js', 'back\\slash.js', 'tab\tname.js', 'new\nline.js', 'quote".js', 'b/nested name.js'];
    for (const name of names) repo.write(name, 'one\ntwo\n');
    await repo.git(['config', 'diff.noprefix', 'true']);
    const commit = await repo.commitAll('names');
    const added = await addedLinesOfCommit(gitRunner, repo.dir, commit);
    assert.deepEqual([...added.keys()].sort(), [...names].sort());
    for (const name of names) assert.deepEqual([...(added.get(name) ?? [])], [1, 2], name);
  });

  it('reconciles a squash merge of a file whose name holds a space', async () => {
    await repo.git(['checkout', '-q', '-b', 'feature']);
    const text = `// header\n${AI}`;
    const original = await repo.commitFiles({ 'my file.js': text }, 'ai');
    assert.ok((await repo.recordAi(original, [{ path: 'my file.js', text, aiText: AI.trimEnd() }])).record);
    // A second commit on the branch, so that the squash has a patch-id of its own.
    await repo.commitFiles({ 'notes.txt': 'human notes\n' }, 'human');
    await repo.git(['checkout', '-q', 'main']);
    await repo.git(['merge', '--squash', 'feature']);
    await repo.git(['commit', '-q', '-m', 'squash'], nextDateEnv());
    const squashed = await repo.text(['rev-parse', 'HEAD']);
    const report = await reconcileNotes({ git: gitRunner, topLevel: repo.dir, reader: repo.reader(), writer: await repo.writer(), logger: silentLogger });
    assert.deepEqual(
      report.carried.map((item) => [item.commit, item.fromCommit, item.match]),
      [[squashed, original, 'line-hashes']],
    );
  });

  it('records AI lines of a 20 MiB file (the one size limit of marking, recording and verifying is 50 MiB)', async () => {
    const filler = 'const filler = "0123456789012345678901234567890123456789012345678901234567890123456789";\n';
    const big = `${filler.repeat(Math.ceil((20 * 1024 * 1024) / filler.length))}${AI}`;
    repo.write('big.js', big);
    const lines = big.split('\n').length - 1;
    const marked = await vouch(repo.dir, 'mark', 'big.js', '--lines', `${lines - 2}-${lines}`, '--tool', 'claude-code');
    assert.equal(marked.code, 0, marked.stderr);
    const commit = await repo.commitAll('big');
    const recorded = await vouch(repo.dir, 'record-commit');
    assert.equal(recorded.code, 0, recorded.stderr);
    assert.match(recorded.stdout, /recorded 3 AI line\(s\) in 1 file\(s\)/);
    const check = await repo.reader().checkCommitNote(commit);
    assert.equal(check?.records[0].status, 'valid');
  });

  it('says a committed file over the limit is too large, not that it is missing from the commit', async () => {
    const filler = 'x'.repeat(1023) + '\n';
    const big = `${filler.repeat(Math.ceil(MAX_DOCUMENT_BYTES / filler.length) + 1)}${AI}`;
    const commit = await repo.commitFiles({ 'huge.js': big, 'small.js': AI }, 'huge');
    const result = await recordFilesOfCommit(
      { git: gitRunner, topLevel: repo.dir, writer: await repo.writer(), logger: silentLogger },
      {
        commit,
        files: [
          { path: 'huge.js', workingText: big, spans: [aiSpan(big, AI.trimEnd())] },
          { path: 'small.js', workingText: AI, spans: [aiSpan(AI, AI.trimEnd(), 'other-tool')] },
        ],
      },
    );
    const huge = result.files.find((file) => file.path === 'huge.js');
    assert.match(huge?.skipped ?? '', /^the committed file is \d+ bytes, larger than 52428800 bytes, the limit for marking and recording AI lines$/);
    assert.deepEqual(result.record?.statement.predicate.files.map((file) => file.path), ['small.js']);
  });
});

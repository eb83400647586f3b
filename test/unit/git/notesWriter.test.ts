import * as assert from 'node:assert/strict';
import { countFault } from '../../support/faultFigures';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseNote } from '../../../src/core/notes/noteParser';
import { buildNoteRecord } from '../../../src/core/notes/noteRecord';
import { hashLines } from '../../../src/core/notes/lineRanges';
import { NotesWriteError } from '../../../src/git/notes/notesWriter';
import { TestRepo, nextDateEnv } from '../../support/testRepo';

const root = path.resolve(__dirname, '../../..');

/**
 * The writer process: the real NotesWriter, bundled once with esbuild so that each of the many
 * processes starts in tens of milliseconds instead of paying tsx's TypeScript start-up.
 */
let workerScript = '';

async function bundleWorker(): Promise<void> {
  const esbuild = await import('esbuild');
  const directory = mkdtempSync(path.join(tmpdir(), 'vouch-notes-worker-'));
  workerScript = path.join(directory, 'writer.cjs');
  await esbuild.build({
    stdin: {
      contents: `
        import { NotesWriter } from './src/git/notes/notesWriter';
        import { GitRunner } from './src/git/gitRunner';
        import { silentLogger } from './src/core/logger';
        import { NotesJournal } from './src/git/notes/notesJournal';
        const [repo, commit, line, mode] = process.argv.slice(2);
        if (mode === 'stop-after-journal') {
          // Says when the record is in the journal and stops there: the test kills it between journal and ref.
          const add = NotesJournal.prototype.add;
          NotesJournal.prototype.add = async function (...args) {
            const entry = await add.apply(this, args);
            process.stdout.write('journaled\\n');
            await new Promise(() => undefined);
            return entry;
          };
        }
        NotesWriter.open(new GitRunner(), repo, silentLogger).then(async (writer) => {
          process.stdout.write('ready\\n');
          await writer.append([{ commit, line }]);
          process.stdout.write('done\\n');
        }).catch((error) => { process.stderr.write(String((error && error.stack) || error)); process.exit(1); });`,
      resolveDir: root,
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile: workerScript,
    logLevel: 'silent',
  });
}

/** A separate node process that opens a writer and appends one record. */
function spawnWriter(repoDir: string, commit: string, line: string, mode: 'run' | 'stop-after-journal' = 'run'): ChildProcess {
  return spawn(process.execPath, [workerScript, repoDir, commit, line, mode], { cwd: root, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
}

function waitFor(child: ChildProcess, marker: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes(marker)) resolve();
    });
    child.on('exit', () => reject(new Error(`writer exited before '${marker}'`)));
  });
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

/** Waits until no process of the group is left (git children outlive a SIGKILLed node parent). */
async function groupGone(pgid: number): Promise<void> {
  for (let i = 0; i < 500; i++) {
    try {
      process.kill(-pgid, 0);
    } catch {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`process group ${pgid} still running`);
}

/** A valid record line for `commit` (content differs per commit, so ids differ). */
async function recordLineFor(repo: TestRepo, commit: string, salt: string): Promise<string> {
  const tree = await repo.text(['rev-parse', `${commit}^{tree}`]);
  const lines = [salt];
  return buildNoteRecord({
    commit,
    tree,
    patchId: null,
    files: [{ path: 'a.txt', blob: 'f'.repeat(40), ranges: [{ start: 1, end: 1, sha256: hashLines(lines, 1, 1), origin: { kind: 'agent', tool: 'claude-code' }, confidence: 'high', humanChangedShare: 0, review: null }] }],
  }).line;
}

async function makeCommitsOnOneParent(repo: TestRepo, count: number): Promise<string[]> {
  const parent = await repo.text(['rev-parse', 'HEAD']);
  const tree = await repo.text(['rev-parse', 'HEAD^{tree}']);
  const commits: string[] = [];
  for (let i = 0; i < count; i++) {
    // Same tree, same parent: only the moved clock makes each commit distinct.
    commits.push(await repo.text(['commit-tree', tree, '-p', parent, '-m', 'same'], nextDateEnv()));
  }
  return commits;
}

async function noteLines(repo: TestRepo, commit: string): Promise<string[]> {
  const result = await repo.git(['notes', '--ref', 'refs/notes/vouch', 'show', commit]);
  return result.stdout.split('\n').filter(Boolean);
}

async function assertFsckClean(repo: TestRepo): Promise<void> {
  const result = await repo.git(['fsck', '--no-progress', '--strict']);
  assert.doesNotMatch(`${result.stdout}\n${result.stderr}`, /error|missing|broken|corrupt/i);
}

describe('notes writer (real git)', function () {
  this.timeout(120_000);
  let repo: TestRepo;

  before(bundleWorker);
  after(() => rmSync(path.dirname(workerScript), { recursive: true, force: true }));

  beforeEach(async () => {
    repo = await TestRepo.withBaseCommit({ 'a.txt': 'one\n' });
  });
  afterEach(() => repo.cleanup());

  it('writes the record of a commit without touching the index or working tree', async () => {
    const commit = await repo.commitFiles({ 'a.txt': 'one\nconst x = ai();\n' }, 'ai');
    repo.write('a.txt', 'one\nconst x = ai();\nunstaged\n');
    const indexBefore = statSync(path.join(repo.dir, '.git/index')).mtimeMs;
    const statusBefore = await repo.text(['status', '--porcelain']);
    const result = await repo.recordAi(commit, [{ path: 'a.txt', text: 'one\nconst x = ai();\nunstaged\n', aiText: 'const x = ai();' }]);
    assert.ok(result.record);
    assert.equal(statSync(path.join(repo.dir, '.git/index')).mtimeMs, indexBefore);
    assert.equal(await repo.text(['status', '--porcelain']), statusBefore);
    const note = await repo.reader().readNote(commit);
    assert.ok(note);
    assert.equal(note.records.length, 1);
    const predicate = note.records[0].statement.predicate;
    assert.equal(predicate.commit, commit);
    assert.equal(predicate.tree, await repo.text(['rev-parse', `${commit}^{tree}`]));
    assert.equal(predicate.patchId, (await repo.text(['show', commit])).length > 0 ? predicate.patchId : null);
    assert.match(predicate.patchId ?? '', /^[0-9a-f]{40}$/);
    assert.deepEqual(
      predicate.files.map((file) => [file.path, file.ranges.map((range) => [range.start, range.end])]),
      [['a.txt', [[2, 2]]]],
    );
    assert.equal(predicate.files[0].blob, await repo.text(['rev-parse', `${commit}:a.txt`]));
    // The exact line is stored: the note blob is the record line plus a newline.
    assert.equal((await repo.git(['notes', '--ref', 'refs/notes/vouch', 'show', commit])).stdout, `${result.record.line}\n`);
    assert.equal(readdirSync(path.join(repo.dir, '.git/vouch/journal')).length, 0);
    const check = await repo.reader().checkCommitNote(commit);
    assert.equal(check?.records[0].status, 'valid');
  });

  it('stores a record once however often it is written, and keeps other records', async () => {
    const commit = await repo.text(['rev-parse', 'HEAD']);
    const first = await recordLineFor(repo, commit, 'first');
    const second = await recordLineFor(repo, commit, 'second');
    const writer = await repo.writer();
    await writer.append([{ commit, line: first }]);
    const again = await writer.append([{ commit, line: first }]);
    assert.equal(again.notesCommits, 0);
    await writer.append([{ commit, line: second }]);
    assert.deepEqual(await noteLines(repo, commit), [first, second].sort());
    assert.equal(parseNote((await repo.git(['notes', '--ref', 'refs/notes/vouch', 'show', commit])).stdout).records.length, 2);
  });

  it('adds to a note that git keeps in a fanned-out notes tree (ab/cd.../), leaving one note per commit', async () => {
    const commit = await repo.text(['rev-parse', 'HEAD']);
    const first = await recordLineFor(repo, commit, 'fanned-out');
    const second = await recordLineFor(repo, commit, 'added');
    // git moves notes into two-digit directories as a notes tree grows; write the note there directly.
    const fanned = `${commit.slice(0, 2)}/${commit.slice(2, 4)}/${commit.slice(4)}`;
    const input = `commit refs/notes/vouch\ncommitter T <t@example.com> 1700000000 +0000\ndata 0\nM 100644 inline ${fanned}\ndata ${Buffer.byteLength(first) + 1}\n${first}\n\n`;
    await repo.git(['fast-import', '--quiet'], {}, input);
    assert.deepEqual(await noteLines(repo, commit), [first]);
    await (await repo.writer()).append([{ commit, line: second }]);
    assert.deepEqual(await noteLines(repo, commit), [first, second].sort());
    const paths = (await repo.text(['ls-tree', '-r', '--name-only', 'refs/notes/vouch'])).split('\n');
    assert.equal(paths.filter((entry) => entry.replace(/\//g, '') === commit).length, 1, `one note for the commit: ${paths.join(', ')}`);
  });

  it('sets aside a pending record whose commit is gone instead of blocking later writes', async () => {
    const commit = await repo.text(['rev-parse', 'HEAD']);
    const writer = await repo.writer();
    await writer.journal.add('e'.repeat(40), await recordLineFor(repo, commit, 'orphan'));
    const line = await recordLineFor(repo, commit, 'real');
    await writer.append([{ commit, line }]);
    assert.deepEqual(await noteLines(repo, commit), [line]);
    assert.equal(writer.journal.list().length, 0);
    assert.equal(readdirSync(writer.journal.directory).filter((name) => name.endsWith('.set-aside')).length, 1);
  });

  it('keeps 40 of 40 records, each once, from 40 parallel writer processes on 40 same-second-parent commits', async () => {
    // Without moving the clock, same-second commits of one tree on one parent are one commit.
    const tree = await repo.text(['rev-parse', 'HEAD^{tree}']);
    const sameSecond = { GIT_AUTHOR_DATE: '@1600000000 +0000', GIT_COMMITTER_DATE: '@1600000000 +0000' };
    const twice = [await repo.text(['commit-tree', tree, '-p', 'HEAD', '-m', 'same'], sameSecond), await repo.text(['commit-tree', tree, '-p', 'HEAD', '-m', 'same'], sameSecond)];
    assert.equal(twice[0], twice[1]);
    const commits = await makeCommitsOnOneParent(repo, 40);
    assert.equal(new Set(commits).size, 40);
    const lines = await Promise.all(commits.map((commit, index) => recordLineFor(repo, commit, `w${index}`)));
    const children = commits.map((commit, index) => spawnWriter(repo.dir, commit, lines[index]));
    const exits = await Promise.all(children.map(exitOf));
    exits.forEach((exit, index) => assert.equal(exit.code, 0, `writer ${index}: ${exit.stderr}`));
    for (const [index, commit] of commits.entries()) {
      assert.deepEqual(await noteLines(repo, commit), [lines[index]]);
    }
    assert.equal((await repo.reader().listNotes()).size, 40);
    assert.equal(await repo.text(['for-each-ref', 'refs/notes/vouch-tmp/']), '');
    await assertFsckClean(repo);
  });

  it('survives a writer killed with SIGKILL at random points: fsck stays clean and the journal replays', async () => {
    const runs = process.env.VOUCH_SLOW_TESTS === '1' ? 100 : 20;
    const commits = await makeCommitsOnOneParent(repo, runs);
    let replayed = 0;
    let finishedBeforeKill = 0;
    let killedBeforeJournal = 0;
    // Every fifth run is killed right after its record reached the journal (whatever the machine's
    // speed); the others at a random point.
    const killedAfterJournal = (index: number) => index % 5 === 0;
    for (const [index, commit] of commits.entries()) {
      const line = await recordLineFor(repo, commit, `k${index}`);
      const child = spawnWriter(repo.dir, commit, line, killedAfterJournal(index) ? 'stop-after-journal' : 'run');
      const exited = exitOf(child);
      if (killedAfterJournal(index)) {
        await waitFor(child, 'journaled');
      } else {
        await waitFor(child, 'ready');
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 150));
      }
      try {
        process.kill(child.pid as number, 'SIGKILL');
      } catch {
        // it finished before the kill
      }
      await exited;
      await groupGone(child.pid as number);
      await assertFsckClean(repo);
      const writer = await repo.writer();
      const pending = writer.journal.list().length;
      const inRef = (await noteLines(repo, commit).catch((): string[] => [])).includes(line);
      await writer.replayPending();
      const after = await noteLines(repo, commit).catch((): string[] => []);
      if (pending > 0) {
        replayed++;
        assert.deepEqual(after, [line]);
      } else if (inRef) {
        finishedBeforeKill++;
        assert.deepEqual(after, [line]);
      } else {
        killedBeforeJournal++;
        assert.deepEqual(after, []);
      }
      assert.equal(writer.journal.list().length, 0);
      // A record killed before it reached the journal was never accepted, so it is not lost.
      countFault('notes writer killed (SIGKILL)', { survived: true, lost: pending > 0 || inRef ? (after.includes(line) ? 0 : 1) : 0 });
    }
    assert.equal(await repo.text(['for-each-ref', 'refs/notes/vouch-tmp/']), '');
    assert.equal(replayed + finishedBeforeKill + killedBeforeJournal, runs);
    const stoppedAfterJournal = commits.filter((_, index) => killedAfterJournal(index)).length;
    assert.ok(replayed >= stoppedAfterJournal, `${replayed} run(s) replayed from the journal, fewer than the ${stoppedAfterJournal} killed after it (${finishedBeforeKill} finished, ${killedBeforeJournal} before journal)`);
  });

  it('gives a clear error on a stale lock after bounded retries, keeps the record pending and the lock file', async () => {
    const commit = await repo.text(['rev-parse', 'HEAD']);
    const line = await recordLineFor(repo, commit, 'locked');
    const lockFile = path.join(repo.dir, '.git/refs/notes/vouch.lock');
    mkdirSync(path.dirname(lockFile), { recursive: true });
    writeFileSync(lockFile, '');
    const writer = await repo.writer({ lockAttempts: 4, baseDelayMs: 2, maxDelayMs: 10 });
    const started = Date.now();
    await assert.rejects(writer.append([{ commit, line }]), (error: unknown) => {
      assert.ok(error instanceof NotesWriteError);
      assert.equal(error.kind, 'locked');
      assert.equal(error.pendingRecords, 1);
      assert.match(error.message, /vouch\.lock' has existed through 4 attempts|vouch\.lock has existed through 4 attempts/);
      assert.match(error.message, /stay pending/);
      return true;
    });
    assert.ok(Date.now() - started < 10_000);
    assert.ok(existsSync(lockFile), 'the lock file must not be deleted');
    assert.equal(writer.journal.list().length, 1);
    assert.equal(await repo.text(['for-each-ref', 'refs/notes/']), '');
    const { unlinkSync } = await import('node:fs');
    unlinkSync(lockFile);
    await writer.replayPending();
    assert.deepEqual(await noteLines(repo, commit), [line]);
  });
});

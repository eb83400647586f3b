import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { silentLogger } from '../../../src/core/logger';
import { NotesJournal } from '../../../src/git/notes/notesJournal';
import { WorkingStateStore } from '../../../src/git/workingStateStore';
import { vouchNotHanging } from '../../support/cliRun';
import { countFault } from '../../support/faultFigures';
import { aiSpanOver } from '../../support/spans';
import { TestRepo, aiSpan, gitRunner } from '../../support/testRepo';

const vouch = vouchNotHanging;

function mkfifo(file: string): void {
  execFileSync('mkfifo', [file]);
}

describe('hostile local state: FIFOs, bad journal entries, symlinked directories', function () {
  this.timeout(120_000);
  let repo: TestRepo;
  const text = 'const a = 1;\nconst b = fromAi();\n';

  beforeEach(async () => {
    repo = await TestRepo.withBaseCommit({ 'src/a.js': text, 'b.txt': 'one\ntwo\n' });
  });
  afterEach(() => repo.cleanup());

  it('a FIFO among the state files or in place of a marked file hangs nothing and is reported', async () => {
    assert.equal((await vouch(repo.dir, 'mark', 'src/a.js', '--lines', '2', '--tool', 'claude-code')).code, 0);
    assert.equal((await vouch(repo.dir, 'mark', 'b.txt', '--lines', '1', '--tool', 'claude-code')).code, 0);
    const store = await WorkingStateStore.open(gitRunner, repo.dir, silentLogger);
    // The state file of b.txt becomes a FIFO; the file src/a.js becomes one too.
    unlinkSync(store.stateFileFor('b.txt'));
    mkfifo(store.stateFileFor('b.txt'));
    unlinkSync(path.join(repo.dir, 'src/a.js'));
    mkfifo(path.join(repo.dir, 'src/a.js'));
    for (const argv of [['status'], ['check'], ['check', '--staged'], ['status', '--json']]) {
      const result = await vouch(repo.dir, ...argv).catch((error: Error) => ({ code: -1, stdout: '', stderr: error.message }));
      countFault('hostile local state', { survived: result.code !== -1 });
      assert.notEqual(result.code, -1, result.stderr);
    }
    const names = readdirSync(store.stateDirectory);
    assert.ok(
      names.some((name) => name.includes('.corrupt-')),
      `the FIFO state file was set aside: ${names.join(', ')}`,
    );
    const status = await vouch(repo.dir, 'status');
    assert.match(status.stdout, /src\/a\.js {2}\(file is gone or not a regular file\)/);
  });

  it('a FIFO or a bad record in the notes journal is set aside; the good records are written, the bad never reach a note', async () => {
    const head = await repo.text(['rev-parse', 'HEAD']);
    const journal = new NotesJournal(path.join(repo.dir, '.git'), silentLogger);
    mkdirSync(journal.directory, { recursive: true });
    mkfifo(path.join(journal.directory, `${head}.${'f'.repeat(32)}.record`));
    writeFileSync(path.join(journal.directory, `${head}.${'e'.repeat(32)}.record`), `${JSON.stringify({ commit: head, line: '{"not":"a record"} \u001b[2K' })}\n`);
    writeFileSync(path.join(journal.directory, `${head}.${'d'.repeat(32)}.record`), 'not json at all');
    const pendingFile = path.join(repo.dir, '.git', 'pending.json');
    writeFileSync(pendingFile, JSON.stringify({ files: [{ path: 'src/a.js', workingText: text, spans: [aiSpan(text, 'const b = fromAi();')] }] }));
    const result = await vouch(repo.dir, 'record-commit', '--pending', pendingFile);
    countFault('hostile local state', { survived: result.code === 0, lost: result.code === 0 ? 0 : 1 });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /set aside journal entry .*ffff.*not a regular file/);
    assert.match(result.stderr, /set aside journal entry .*eeee.*not a valid Vouch record/);
    assert.match(result.stderr, /set aside journal entry .*dddd.*not JSON/);
    assert.ok(!result.stderr.includes('\u001b'), 'the log line is escaped');
    const note = await repo.text(['notes', '--ref=vouch', 'show', 'HEAD']);
    assert.equal(note.split('\n').length, 1, 'only the valid record is in the note');
    assert.ok(!note.includes('not a record'));
    assert.equal((await vouch(repo.dir, 'verify', 'HEAD')).code, 1, 'the record is read (its AI line is unreviewed)');
    const setAside = readdirSync(journal.directory).filter((name) => name.endsWith('.set-aside'));
    assert.equal(setAside.length, 3, 'kept for inspection');
  });

  it('status does not follow a symlinked directory that mark refuses (one containment rule)', async () => {
    const outside = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'vouch-outside-')));
    try {
      writeFileSync(path.join(outside, 'secret.txt'), 'secret one\nsecret two\n');
      symlinkSync(outside, path.join(repo.dir, 'linked'));
      const refused = await vouch(repo.dir, 'mark', 'linked/secret.txt', '--lines', '1', '--tool', 'claude-code');
      assert.equal(refused.code, 2);
      assert.match(refused.stderr, /outside the repository/);
      // A working state that names the path anyway (written by hand, or by an old version).
      const store = await WorkingStateStore.open(gitRunner, repo.dir, silentLogger);
      const secret = 'secret one\nsecret two\n';
      await store.save('linked/secret.txt', [aiSpanOver(secret, 'secret one')], secret);
      for (const argv of [['status'], ['status', '--json'], ['check']]) {
        const result = await vouch(repo.dir, ...argv);
        const leaked = /line 1 /.test(result.stdout) || /"startLine"/.test(result.stdout) || /linked\/secret\.txt {2}line/.test(result.stdout);
        countFault('hostile local state', { survived: !leaked });
        assert.ok(!leaked, `${argv.join(' ')} read through the symlinked directory: ${result.stdout}`);
      }
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });
});

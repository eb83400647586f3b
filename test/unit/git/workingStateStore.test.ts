import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AttributedSpan } from '../../../src/core/attribution';
import type { Logger } from '../../../src/core/logger';
import { sha256Hex } from '../../../src/core/textHash';
import { GitRunner, type GitResult, type GitRunOptions } from '../../../src/git/gitRunner';
import { findRepository, findRepositoryAndCommit } from '../../../src/git/repository';
import { LockTimeoutError } from '../../../src/git/workingState/fileLock';
import { WorkingStateStore, type StoredBase } from '../../../src/git/workingStateStore';
import { acceptedReview, spanAt } from '../../support/spans';

const git = new GitRunner();

function span(id: string, start: number, end: number, extra: Partial<AttributedSpan> = {}): AttributedSpan {
  return spanAt(id, start, end, { origin: { kind: 'agent', tool: 'claude-code' }, insertedAt: 1000, insertedTextHash: 'd'.repeat(64), ...extra });
}

const review = acceptedReview({ intent: 'reads the config', scope: ['files'], textHash: 'e'.repeat(64) });

/** A GitRunner that keeps the name of each git command it runs. */
class CountingGit extends GitRunner {
  readonly calls: string[] = [];
  override run(args: readonly string[], options: GitRunOptions): Promise<GitResult> {
    this.calls.push(args[0]);
    return super.run(args, options);
  }
}

class RecordingLogger implements Logger {
  readonly lines: string[] = [];
  trace(): void {}
  debug(): void {}
  info(message: string): void {
    this.lines.push(`info ${message}`);
  }
  warn(message: string): void {
    this.lines.push(`warn ${message}`);
  }
  error(message: string | Error): void {
    this.lines.push(`error ${String(message)}`);
  }
}

describe('WorkingStateStore', () => {
  let dir: string;
  let logger: RecordingLogger;
  const text = 'line one\nline two\nline three\n';

  beforeEach(async () => {
    dir = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'vouch-ws-')));
    await git.run(['init', '-q'], { cwd: dir });
    logger = new RecordingLogger();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const open = (options = {}): Promise<WorkingStateStore> => WorkingStateStore.open(git, dir, logger, options);

  it('finds the top level and git directory, also from a subfolder', async () => {
    mkdirSync(path.join(dir, 'sub'));
    assert.deepEqual(await findRepository(git, path.join(dir, 'sub')), { topLevel: dir, gitDir: path.join(dir, '.git'), commonDir: path.join(dir, '.git') });
    const outside = mkdtempSync(path.join(os.tmpdir(), 'vouch-nogit-'));
    try {
      await assert.rejects(findRepository(git, outside), { kind: 'not-a-repository' });
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('saves and loads spans, the last known text as a git blob, a version and a generation', async () => {
    const store = await open();
    assert.equal(store.stateDirectory, path.join(dir, '.git', 'vouch', 'working'));
    const saved = await store.save('src/a.ts', [span('a', 0, 8, { review })], text);
    assert.equal(saved.merged, false);
    assert.equal(saved.document.generation, 1);
    const raw = JSON.parse(readFileSync(store.stateFileFor('src/a.ts'), 'utf8')) as { version: number; path: string };
    assert.equal(raw.version, 1);
    assert.equal(raw.path, 'src/a.ts');
    const other = await open();
    const loaded = await other.load('src/a.ts');
    assert.deepEqual(loaded, saved.document);
    assert.equal(await other.readText(loaded!), text);
    const type = await git.run(['cat-file', '-t', loaded!.textBlob], { cwd: dir });
    assert.equal(type.stdout.trim(), 'blob');
    assert.deepEqual(await other.list(), ['src/a.ts']);
    const second = await store.save('src/a.ts', [], text);
    assert.equal(second.document.generation, 2);
  });

  it('findRepositoryAndCommit checks a full id in the same lookup: a commit gives it back, a tree or a missing object does not', async () => {
    await git.run(['-c', 'user.name=t', '-c', 'user.email=t@e', 'commit', '-q', '--allow-empty', '-m', 'init'], { cwd: dir });
    const head = (await git.run(['rev-parse', 'HEAD'], { cwd: dir })).stdout.trim();
    const tree = (await git.run(['rev-parse', 'HEAD^{tree}'], { cwd: dir })).stdout.trim();
    const repository = await findRepository(git, dir);
    assert.deepEqual(await findRepositoryAndCommit(git, dir, head), { repository, commit: head });
    assert.deepEqual(await findRepositoryAndCommit(git, dir, tree), { repository });
    assert.deepEqual(await findRepositoryAndCommit(git, dir, 'f'.repeat(40)), { repository });
    await assert.rejects(findRepositoryAndCommit(git, dir, 'HEAD'), /not a full object id/);
  });

  it('a text saved as a blob git holds (storedBlob) is named by it without storing it again; a storedBlob of another text is not taken', async () => {
    const blob = (await git.run(['hash-object', '-w', '--stdin'], { cwd: dir, input: text })).stdout.trim();
    const counting = new CountingGit();
    const store = await WorkingStateStore.open(counting, dir, logger);
    const saved = await store.save('a.txt', [span('a', 0, 4)], text, { storedBlob: blob });
    assert.equal(saved.document.textBlob, blob);
    assert.deepEqual(counting.calls.filter((call) => call === 'hash-object'), []);
    const other = await store.save('b.txt', [span('a', 0, 4)], 'another text\n', { storedBlob: blob });
    assert.notEqual(other.document.textBlob, blob);
    assert.equal(await (await open()).readText(other.document), 'another text\n');
    assert.deepEqual(counting.calls.filter((call) => call === 'hash-object'), ['hash-object']);
  });

  it('works in a linked worktree, with state in that worktree\'s own git directory', async () => {
    await git.run(['-c', 'user.name=t', '-c', 'user.email=t@e', 'commit', '-q', '--allow-empty', '-m', 'init'], { cwd: dir });
    const worktree = path.join(dir, '..', `${path.basename(dir)}-wt`);
    await git.run(['worktree', 'add', '-q', worktree], { cwd: dir });
    try {
      const store = await WorkingStateStore.open(git, worktree, logger);
      assert.equal(store.repository.topLevel, realpathSync(worktree));
      assert.ok(store.stateDirectory.startsWith(path.join(dir, '.git', 'worktrees')));
      await store.save('a.txt', [span('a', 0, 4)], text);
      assert.deepEqual(await (await open()).list(), []);
      assert.deepEqual(await store.list(), ['a.txt']);
    } finally {
      rmSync(worktree, { recursive: true, force: true });
    }
  });

  it('re-anchors stored spans onto a changed file', async () => {
    const store = await open();
    await store.save('a.txt', [span('two', 9, 17)], text);
    const changed = '// new first line\n' + text.replace('three', '3');
    const result = await (await open()).loadForText('a.txt', changed);
    assert.ok(result);
    assert.equal(result.reanchored, true);
    assert.deepEqual(result.spans.map((s) => changed.slice(s.start, s.end)), ['line two']);
    const same = await (await open()).loadForText('a.txt', text);
    assert.equal(same?.reanchored, false);
  });

  it('markUncovered marks only what no stored span covers, over the file\'s text now, and saves nothing when all is covered', async () => {
    await (await open()).save('a.txt', [span('two', 9, 17, { review })], text);
    const written = `${text}line four\n`;
    const author = { kind: 'ai', origin: { kind: 'external-write', tool: 'unknown-ai' }, confidence: 'medium' } as const;
    const store = await open();
    // The range runs over the stored span (line two) and on to the new line: only the new line is marked.
    assert.equal(await store.markUncovered('a.txt', written, [{ start: 9, end: written.length }], author), written.length - 17);
    const stored = (await (await open()).loadForText('a.txt', written))?.spans ?? [];
    assert.deepEqual(
      stored.map((s) => [written.slice(s.start, s.end), s.origin.kind, s.review?.decision]),
      [
        ['line two', 'agent', 'accepted'],
        ['\nline three\nline four\n', 'external-write', undefined],
      ],
    );
    const generation = (await store.load('a.txt'))?.generation;
    assert.equal(await store.markUncovered('a.txt', written, [{ start: 10, end: 16 }], author), 0);
    assert.equal((await (await open()).load('a.txt'))?.generation, generation, 'nothing to mark: nothing saved');
  });

  it('sets aside a state file whose last known text git no longer has, instead of misplacing its spans', async () => {
    const store = await open();
    const saved = await store.save('a.txt', [span('a', 0, 4)], text);
    const blob = saved.document.textBlob;
    rmSync(path.join(dir, '.git', 'objects', blob.slice(0, 2), blob.slice(2)));
    assert.equal(await (await open()).loadForText('a.txt', 'different text\n'), undefined);
    assert.ok(readdirSync(store.stateDirectory).some((name) => name.includes('.stale-')));
    assert.ok(logger.lines.some((line) => /set aside .* last known text is gone/.test(line)));
  });

  it('refuses spans that do not fit the text', async () => {
    const store = await open();
    await assert.rejects(store.save('a.txt', [span('a', 0, 100)], text), /past the text length/);
    await assert.rejects(store.save('../a.txt', [], text), /invalid repository path/);
  });

  describe('bad files', () => {
    it('sets aside corrupt, truncated, future-version, oversized and symlinked files and keeps loading the others', async () => {
      const store = await open({ maxStateFileBytes: 64 * 1024 });
      for (const name of ['good1.txt', 'corrupt.txt', 'truncated.txt', 'future.txt', 'huge.txt', 'good2.txt']) {
        await store.save(name, [span(`id-${name}`, 0, 4)], text);
      }
      const fileOf = (name: string): string => store.stateFileFor(name);
      writeFileSync(fileOf('corrupt.txt'), '{"version": 1, "path": 42}');
      const full = readFileSync(fileOf('truncated.txt'), 'utf8');
      writeFileSync(fileOf('truncated.txt'), full.slice(0, full.length / 2));
      writeFileSync(fileOf('future.txt'), JSON.stringify({ ...JSON.parse(readFileSync(fileOf('future.txt'), 'utf8')), version: 99 }));
      writeFileSync(fileOf('huge.txt'), ' '.repeat(100 * 1024));
      const secret = path.join(dir, 'secret');
      writeFileSync(secret, 'not yours');
      const linkName = path.join(store.stateDirectory, `${sha256Hex('link.txt')}.json`);
      symlinkSync(secret, linkName);

      const loaded = await (await open({ maxStateFileBytes: 64 * 1024 })).loadAll();
      assert.deepEqual(loaded.map((doc) => doc.path), ['good1.txt', 'good2.txt']);
      const names = readdirSync(store.stateDirectory);
      assert.equal(names.filter((name) => name.includes('.corrupt-')).length, 4);
      assert.equal(names.filter((name) => name.includes('.future-')).length, 1);
      assert.equal(readFileSync(secret, 'utf8'), 'not yours');
      assert.ok(logger.lines.some((line) => /schema version 99/.test(line)));
      assert.ok(logger.lines.some((line) => /over the 65536-byte limit/.test(line)));
      assert.ok(logger.lines.some((line) => /not a regular file/.test(line)));
      // A second load finds nothing more to set aside and the same good files.
      const before = logger.lines.length;
      assert.equal((await (await open()).loadAll()).length, 2);
      assert.equal(logger.lines.length, before);
    });

    it('replaces a corrupt file on save, keeping the corrupt one aside', async () => {
      const store = await open();
      await store.save('a.txt', [span('a', 0, 4)], text);
      writeFileSync(store.stateFileFor('a.txt'), 'garbage');
      const result = await (await open()).save('a.txt', [span('b', 5, 8)], text);
      assert.deepEqual(result.document.spans.map((s) => s.id), ['b']);
      assert.ok(readdirSync(store.stateDirectory).some((name) => name.includes('.corrupt-')));
    });

    it('removes temporary files abandoned by killed writers, but not recent ones', async () => {
      const store = await open({ now: () => Date.now() + 60 * 60 * 1000 });
      await store.save('a.txt', [], text);
      const abandoned = `${store.stateFileFor('a.txt')}.tmp-999-abc`;
      writeFileSync(abandoned, '{"half');
      await store.loadAll();
      assert.equal(existsSync(abandoned), false);
      const recent = `${store.stateFileFor('a.txt')}.tmp-998-abc`;
      writeFileSync(recent, '{"half');
      await (await open()).loadAll();
      assert.equal(existsSync(recent), true);
    });
  });

  describe('two writers', () => {
    it('merges instead of overwriting: a review from one window and a new span from the other both survive', async () => {
      const first = await open();
      await first.save('a.txt', [span('a', 0, 8)], text);
      const windowA = await open();
      const windowB = await open();
      const readByA = await windowA.loadForText('a.txt', text);
      const readByB = await windowB.loadForText('a.txt', text);
      const fromA = await windowA.save('a.txt', [span('a', 0, 8, { review })], text, { base: readByA?.base });
      assert.equal(fromA.merged, false);
      const fromB = await windowB.save('a.txt', [span('a', 0, 8), span('b', 9, 17)], text, { base: readByB?.base });
      assert.equal(fromB.merged, true);
      assert.deepEqual(fromB.document.spans, [span('a', 0, 8, { review }), span('b', 9, 17)]);
      assert.equal(fromB.document.generation, 3);
      // A saves again without having seen B's write: B's span stays.
      const again = await windowA.save('a.txt', [span('a', 0, 8, { review })], text, { base: fromA.base });
      assert.deepEqual(again.document.spans.map((s) => s.id), ['a', 'b']);
    });

    it('tells a state file that is still what a save wrote (a watcher event for it needs no reading back) from another writer\'s', async () => {
      const window = await open();
      const cli = await open();
      const first = await window.save('a.txt', [span('a', 0, 8)], text);
      assert.equal(first.stateFile, window.stateFileFor('a.txt'));
      assert.ok(first.written);
      assert.equal(await WorkingStateStore.isStillWritten(first.stateFile, first.written), true);
      const other = await cli.save('a.txt', [span('a', 0, 8), span('cli', 9, 17)], text);
      assert.equal(await WorkingStateStore.isStillWritten(first.stateFile, first.written), false, 'the file is now the other writer\'s');
      assert.ok(other.written);
      assert.equal(await WorkingStateStore.isStillWritten(first.stateFile, other.written), true);
      const again = await window.save('a.txt', [span('a', 0, 8), span('cli', 9, 17)], text, { base: first.base });
      assert.ok(again.written);
      assert.equal(await WorkingStateStore.isStillWritten(first.stateFile, other.written), false, 'each write is a new file, even with the same content');
      await window.remove('a.txt');
      assert.equal(await WorkingStateStore.isStillWritten(first.stateFile, again.written), false, 'removed');
    });

    it('does not read back its own last write when it saves again; reads and merges once another writer wrote', async () => {
      const window = await open();
      const first = await window.save('a.txt', [span('a', 0, 8)], text);
      const readAfterFirst = window.statesRead;
      const again = await window.save('a.txt', [span('a', 0, 8, { review })], text, { base: first.base });
      assert.equal(window.statesRead, readAfterFirst, 'its own write was read back');
      assert.equal(again.merged, false);
      assert.equal(again.document.generation, 2);
      const cli = await open();
      await cli.save('a.txt', [span('a', 0, 8, { review }), span('cli', 9, 17)], text);
      const merged = await window.save('a.txt', [span('a', 0, 8, { review })], text, { base: again.base });
      assert.equal(window.statesRead, readAfterFirst + 1, 'the other writer\'s file is read once');
      assert.equal(merged.merged, true);
      assert.deepEqual(merged.document.spans.map((s) => s.id), ['a', 'cli']);
      assert.equal(merged.document.generation, 4);
    });

    it('hands back the other writer\'s state when it was over another text (its spans that text alone holds cannot be merged), and not when the texts are the same', async () => {
      const window = await open();
      const unsaved = 'person typing\n' + text;
      const first = await window.save('a.txt', [], unsaved);
      // An agent writes the file (a function the window's text does not hold) and reports it.
      const agentText = text + 'export function agentWrote() {}\n';
      const agent = await open();
      await agent.save('a.txt', [span('agent', text.length, agentText.length - 1)], agentText);
      const merged = await window.save('a.txt', [], unsaved + 'more', { base: first.base });
      assert.equal(merged.merged, true);
      assert.equal(merged.otherWriterOnOtherText?.textSha256, sha256Hex(agentText));
      assert.deepEqual(merged.otherWriterOnOtherText?.spans.map((s) => [s.id, agentText.slice(s.start, s.end)]), [['agent', 'export function agentWrote() {}']]);
      // The same text on both sides: nothing to hand back.
      await agent.save('a.txt', [span('agent2', 0, 8)], unsaved + 'more');
      const same = await window.save('a.txt', [], unsaved + 'more', { base: merged.base });
      assert.equal(same.merged, true);
      assert.equal(same.otherWriterOnOtherText, undefined);
    });

    it('merges spans written over a different text by re-anchoring them first', async () => {
      const cli = await open();
      await cli.save('a.txt', [span('cli', 9, 17, { insertedAt: 2000 })], text);
      const editor = await open();
      const editorText = 'inserted\n' + text;
      const result = await editor.save('a.txt', [span('ed', 0, 8)], editorText);
      assert.equal(result.merged, true);
      assert.deepEqual(
        result.document.spans.map((s) => [s.id, editorText.slice(s.start, s.end)]),
        [
          ['ed', 'inserted'],
          ['cli', 'line two'],
        ],
      );
    });

    it('a plain read does not become the base of a save: spans another writer added survive', async () => {
      const editor = await open();
      const first = await editor.save('a.txt', [], text);
      const cli = await open();
      const read = await cli.loadForText('a.txt', text);
      await cli.save('a.txt', [span('cli', 0, 8)], text, { base: read?.base });
      // The editor only looks (a status count, the review panel) and then saves its own view.
      await editor.loadAll();
      await editor.loadForText('a.txt', text);
      const saved = await editor.save('a.txt', [], text, { base: first.base });
      assert.equal(saved.merged, true);
      assert.deepEqual(saved.document.spans.map((s) => s.id), ['cli']);
    });

    it('one writer\'s read never stands for another\'s: the commit recorder reading an agent\'s report does not let the editor\'s next save drop it', async () => {
      // One store, two writers of one window: the editor's ledger and the commit recorder.
      const window = await open();
      const fromLedger = await window.save('a.txt', [span('a', 0, 8)], text);
      // An agent reports lines from a terminal (`vouch mark`).
      const cli = await open();
      const readByCli = await cli.loadForText('a.txt', text);
      await cli.save('a.txt', [...(readByCli?.spans ?? []), span('report', 9, 17)], text, { base: readByCli?.base });
      // The window's commit recorder reads the state (a commit was just made) before the ledger took the report in.
      const readByRecorder = await window.loadForText('a.txt', text);
      assert.deepEqual(readByRecorder?.spans.map((s) => s.id), ['a', 'report']);
      // The ledger saves its view with its own base: the report it never had is merged in, not dropped.
      const saved = await window.save('a.txt', [span('a', 0, 8, { review })], text, { base: fromLedger.base });
      assert.equal(saved.merged, true);
      assert.deepEqual(saved.document.spans.map((s) => s.id), ['a', 'report']);
      // With no base at all nothing another writer stored is taken as removed.
      const unbased = await (await open()).save('a.txt', [], text);
      assert.deepEqual(unbased.document.spans.map((s) => s.id), ['a', 'report']);
    });


    it('spans a load could not place on an older text are not taken as removed: an agent\'s report over text the editor has not reloaded survives the editor\'s next save', async () => {
      const addition = 'export function helper() {}\n';
      const onDisk = text + addition;
      // The agent wrote the file and reported its lines (`vouch mark`) before the editor read the state.
      const cli = await open();
      await cli.save('a.txt', [span('report', text.length, onDisk.length, { insertedAt: 2000 })], onDisk);
      // The editor still holds the text it opened: the report cannot be placed on it.
      const editor = await open();
      const loaded = await editor.loadForText('a.txt', text);
      assert.deepEqual(loaded?.spans, []);
      // The editor reloads the file and saves its view (no spans of its own yet).
      const saved = await editor.save('a.txt', [], onDisk, { base: loaded?.base });
      assert.equal(saved.merged, true, 'the save merged with the report it never had');
      assert.deepEqual(saved.document.spans.map((s) => [s.id, onDisk.slice(s.start, s.end)]), [['report', addition]]);
      // A span the editor did take and then removed stays removed.
      const cli2 = await open();
      await cli2.save('b.txt', [span('kept', 0, 8), span('future', text.length, onDisk.length)], onDisk);
      const editor2 = await open();
      const loaded2 = await editor2.loadForText('b.txt', text);
      assert.deepEqual(loaded2?.spans.map((s) => s.id), ['kept']);
      const saved2 = await editor2.save('b.txt', [], onDisk, { base: loaded2?.base });
      assert.deepEqual(saved2.document.spans.map((s) => s.id), ['future']);
    });
    it('loses no span when two windows keep saving at the same time', async () => {
      const longText = 'x'.repeat(1000);
      /** One window: adds a span, saves, and adopts the merged spans, as the editor host does. */
      const writer = async (prefix: string, offset: number): Promise<string[]> => {
        const store = await open();
        let spans: AttributedSpan[] = [];
        let base: StoredBase | undefined;
        const added: string[] = [];
        for (let i = 0; i < 15; i++) {
          const id = `${prefix}${i}`;
          added.push(id);
          spans = [...spans, span(id, i * 20 + offset, i * 20 + offset + 5)].sort((x, y) => x.start - y.start);
          const saved = await store.save('a.txt', spans, longText, { base });
          spans = saved.document.spans.slice();
          base = saved.base;
        }
        return added;
      };
      const added = (await Promise.all([writer('a', 0), writer('b', 10)])).flat();
      const final = await (await open()).load('a.txt');
      const ids = new Set(final!.spans.map((s) => s.id));
      for (const id of added) assert.ok(ids.has(id), `lost ${id}`);
      assert.equal(final!.generation, 30);
    });
  });

  describe('locking', () => {
    it('breaks a lock left by a dead process once it is older than the limit', async () => {
      const store = await open({ lock: { staleAfterMs: 50, maxWaitMs: 2000 } });
      await store.save('a.txt', [], text);
      const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
      const lockFile = `${store.stateFileFor('a.txt')}.lock`;
      writeFileSync(lockFile, JSON.stringify({ pid: dead, hostname: os.hostname(), createdAt: Date.now() - 1000, token: 'dead' }));
      const result = await store.save('a.txt', [span('a', 0, 4)], text);
      assert.equal(result.document.generation, 2);
      assert.equal(existsSync(lockFile), false);
      assert.ok(logger.lines.some((line) => /broke stale lock .*\(pid \d+ is gone\)/.test(line)), logger.lines.join('\n'));
    });

    it('never breaks a lock whose owner is alive; gives up with a clear error', async () => {
      const store = await open({ lock: { staleAfterMs: 10, maxWaitMs: 150 } });
      await store.save('a.txt', [], text);
      const lockFile = `${store.stateFileFor('a.txt')}.lock`;
      const owner = { pid: process.pid, hostname: os.hostname(), createdAt: Date.now() - 60_000, token: 'alive' };
      writeFileSync(lockFile, JSON.stringify(owner));
      await assert.rejects(store.save('a.txt', [span('a', 0, 4)], text), (error: unknown) => {
        assert.ok(error instanceof LockTimeoutError);
        assert.match(error.message, new RegExp(`pid ${process.pid}`));
        return true;
      });
      assert.deepEqual(JSON.parse(readFileSync(lockFile, 'utf8')), owner);
    });
  });

  it('removes a document\'s state', async () => {
    const store = await open();
    await store.save('a.txt', [span('a', 0, 4)], text);
    assert.equal(await store.remove('a.txt'), true);
    assert.equal(await store.remove('a.txt'), false);
    assert.deepEqual(await store.list(), []);
  });
});

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { silentLogger, type Logger } from '../../../src/core/logger';
import { BlameOverlay, DEFAULT_NOTE_READ_AHEAD, type CommittedOverlay, type NoteReadAhead } from '../../../src/git/blame/blameOverlay';
import { GitRunner, type GitResult, type GitRunOptions } from '../../../src/git/gitRunner';
import { NotesReader } from '../../../src/git/notes/notesReader';
import { generateHistory, type GeneratedHistory } from './blameHistory';
import { recordingLogger } from '../../support/recordingLogger';

/** Holds back `git cat-file --batch` until blame has finished, so notes read ahead arrive after blame. */
class BlameFirstGit extends GitRunner {
  private blamed: Promise<unknown> | undefined;

  override run(args: readonly string[], options: GitRunOptions): Promise<GitResult> {
    if (args[0] === 'blame') {
      const result = super.run(args, options);
      this.blamed = result.catch(() => undefined);
      return result;
    }
    if (args[0] === 'cat-file' && args[1] === '--batch' && this.blamed) {
      return this.blamed.then(() => super.run(args, options));
    }
    return super.run(args, options);
  }
}

describe('blame overlay: notes read ahead of blame (real git)', function () {
  this.timeout(30_000);
  let history: GeneratedHistory;
  let text: string;

  before(async () => {
    history = await generateHistory({ lines: 300, commits: 40 });
    text = `${history.lines.map((line) => line.text).join('\n')}\n`;
    const { git, dir, commits, file } = history;
    // A git-ai note on a human line of the oldest commit, and a bad record next to a good one.
    const humanLine = history.lines.findIndex((line) => line.commit === 0 && !line.ai);
    const lineInOldest = Number(/base(\d+)/.exec(history.lines[humanLine].text)?.[1]) + 1;
    const gitAiNote = `${file}\n  abc123 ${lineInOldest}\n---\n{"schema_version":"authorship/3.0.0","prompts":{"abc123":{"agent_id":{"tool":"cursor"}}}}\n`;
    await git.run(['notes', '--ref', 'refs/notes/ai', 'add', '-f', '-m', gitAiNote, commits[0]], { cwd: dir });
    await git.run(['notes', '--ref', 'refs/notes/vouch', 'append', '-m', 'not a record', commits[commits.length - 1]], { cwd: dir });
  });
  after(() => {
    if (history) rmSync(history.dir, { recursive: true, force: true });
  });

  async function overlayLines(git: GitRunner, limits: NoteReadAhead, logger: Logger = silentLogger): Promise<CommittedOverlay[]> {
    const overlay = new BlameOverlay(git, history.dir, logger, undefined, limits);
    const first = await overlay.committedAiLines(history.file, text);
    const saved = await new BlameOverlay(git, history.dir, logger, undefined, limits).committedAiLines(history.file, text, { savedOnDisk: true });
    const again = await overlay.committedAiLines(history.file, text, { savedOnDisk: true });
    return [first, saved, again];
  }

  it('gives the same lines whether notes are read ahead, read after blame, or parsed when blame finishes first', async () => {
    const expectedVouch = history.lines.flatMap((line, index) => (line.ai ? [index] : []));
    const readAhead = await overlayLines(history.git, DEFAULT_NOTE_READ_AHEAD);
    const [reference] = readAhead;
    assert.deepEqual(reference.lines.filter((line) => line.source === 'vouch').map((line) => line.line), expectedVouch);
    assert.equal(reference.lines.filter((line) => line.source === 'git-ai').length, 1);
    for (const result of readAhead) assert.deepEqual(result, reference);

    const afterBlame = await overlayLines(history.git, { ...DEFAULT_NOTE_READ_AHEAD, maxNotes: 0 });
    for (const result of afterBlame) assert.deepEqual(result, reference, 'too many notes to read ahead: the named ones are read after blame');

    const logger = recordingLogger();
    const tooLarge = await overlayLines(history.git, { ...DEFAULT_NOTE_READ_AHEAD, maxBytes: 10 }, logger);
    for (const result of tooLarge) assert.deepEqual(result, reference, 'notes over their share of the read-ahead budget are read after blame');
    assert.deepEqual(logger.warnings, [], 'a note left out of the read-ahead is not reported as unreadable');

    const blameFirst = await overlayLines(new BlameFirstGit(), { ...DEFAULT_NOTE_READ_AHEAD, sliceMs: 0 });
    for (const result of blameFirst) assert.deepEqual(result, reference, 'notes read ahead but not parsed yet are parsed when blame needs them');
  });

  it('follows a notes ref that moved, after invalidateHistory', async () => {
    const { git, dir, commits } = history;
    const overlay = new BlameOverlay(git, dir, silentLogger);
    const before = await overlay.committedAiLines(history.file, text, { savedOnDisk: true });
    const last = commits.length - 1;
    const lastCommitLines = history.lines.filter((line) => line.ai && line.commit === last).length;
    assert.ok(lastCommitLines > 0);
    const note = (await git.run(['notes', '--ref', 'refs/notes/vouch', 'show', commits[last]], { cwd: dir })).stdout;
    await git.run(['notes', '--ref', 'refs/notes/vouch', 'remove', commits[last]], { cwd: dir });
    try {
      overlay.invalidateHistory();
      const after = await overlay.committedAiLines(history.file, text, { savedOnDisk: true });
      assert.equal(after.lines.length, before.lines.length - lastCommitLines);
    } finally {
      await git.run(['notes', '--ref', 'refs/notes/vouch', 'add', '-f', '-m', note, commits[last]], { cwd: dir });
    }
    overlay.invalidateHistory();
    assert.deepEqual(await overlay.committedAiLines(history.file, text, { savedOnDisk: true }), before);
  });
});

describe('notes reader: listing in one process', () => {
  it('lists exactly what listNotes lists, and nothing for a missing ref or an empty repository', async () => {
    const history = await generateHistory({ lines: 20, commits: 5 });
    const empty = mkdtempSync(path.join(tmpdir(), 'vouch-empty-'));
    try {
      const reader = new NotesReader(history.git, history.dir, silentLogger);
      const listed = await reader.listNotes();
      assert.equal(listed.size, 5);
      assert.deepEqual(await reader.listNotesInOneProcess(), listed);
      assert.deepEqual(await reader.listNotesInOneProcess('refs/notes/ai'), new Map());
      await history.git.run(['init', '-q'], { cwd: empty });
      const emptyReader = new NotesReader(history.git, empty, silentLogger);
      assert.deepEqual(await emptyReader.listNotesInOneProcess(), await emptyReader.listNotes());
    } finally {
      rmSync(history.dir, { recursive: true, force: true });
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

import assert from 'node:assert/strict';
import { existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { silentLogger } from '../../../src/core/logger';
import { BlameOverlay, blameSkipReason, overBlameLimitByLength } from '../../../src/git/blame/blameOverlay';
import { parseBlamePorcelain, unquoteCPath } from '../../../src/git/blame/blamePorcelain';
import { generateHistory, type GeneratedHistory } from './blameHistory';

describe('blame overlay: committed AI lines from git blame + notes (real git)', function () {
  this.timeout(30_000);
  let history: GeneratedHistory;

  before(async () => {
    history = await generateHistory({ lines: 300, commits: 40 });
  });
  after(() => {
    if (history) rmSync(history.dir, { recursive: true, force: true });
  });

  it('marks exactly the lines whose commit note says AI, at their line in that commit', async () => {
    const overlay = new BlameOverlay(history.git, history.dir, silentLogger);
    const text = `${history.lines.map((line) => line.text).join('\n')}\n`;
    const result = await overlay.committedAiLines(history.file, text);
    const expected = history.lines.flatMap((line, index) => (line.ai ? [index] : []));
    assert.ok(expected.length > 20, 'the generated history has AI lines');
    assert.deepEqual(result.lines.map((line) => line.line), expected);
    const fromDisk = await overlay.committedAiLines(history.file, text, { savedOnDisk: true });
    assert.deepEqual(fromDisk.lines, result.lines, 'blaming the saved file gives the same lines');
    for (const line of result.lines) {
      assert.equal(line.commit, history.commits[history.lines[line.line].commit]);
      assert.equal(line.source, 'vouch');
      assert.equal(line.path, history.file);
      assert.match(line.commitInfo?.summary ?? '', /^Commit \d+$/);
    }
  });

  it('follows unsaved edits: blames the editor text, so inserted and changed lines shift or drop out', async () => {
    const overlay = new BlameOverlay(history.git, history.dir, silentLogger);
    const firstAi = history.lines.findIndex((line) => line.ai);
    const edited = history.lines.map((line) => line.text);
    edited[firstAi] = 'typed over an AI line';
    edited.unshift('// a new first line, not saved');
    const result = await overlay.committedAiLines(history.file, `${edited.join('\n')}\n`);
    const expected = history.lines.flatMap((line, index) => (line.ai && index !== firstAi ? [index + 1] : []));
    assert.deepEqual(result.lines.map((line) => line.line), expected);
  });

  it('blames a saved file once per history: unsaved edits reuse it without a git process until history moves', async () => {
    let gitRuns = 0;
    const counting = Object.create(history.git) as typeof history.git;
    counting.run = (...args: Parameters<typeof history.git.run>) => {
      gitRuns++;
      return history.git.run(...args);
    };
    const overlay = new BlameOverlay(counting, history.dir, silentLogger);
    const saved = `${history.lines.map((line) => line.text).join('\n')}\n`;
    const first = await overlay.committedAiLines(history.file, saved, { savedOnDisk: true });
    const runsAfterFirst = gitRuns;
    assert.ok(runsAfterFirst > 0);
    const edited = await overlay.committedAiLines(history.file, `// typed, not saved\n${saved}`);
    assert.equal(gitRuns, runsAfterFirst, 'an unsaved edit needs no git process');
    assert.deepEqual(edited.lines.map((line) => line.line), first.lines.map((line) => line.line + 1));
    overlay.invalidateHistory();
    await overlay.committedAiLines(history.file, saved, { savedOnDisk: true });
    assert.ok(gitRuns > runsAfterFirst, 'after history moved, git blames again');
  });

  it('reads git-ai notes too, labelled as such, and survives garbage notes', async () => {
    const { dir, git, commits, file } = history;
    const oldest = commits[0];
    const humanLine = history.lines.findIndex((line) => line.commit === 0 && !line.ai);
    assert.ok(humanLine >= 0);
    const lineInOldest = Number(/base(\d+)/.exec(history.lines[humanLine].text)?.[1]) + 1;
    const gitAiNote = `${file}\n  abc123 ${lineInOldest}\n---\n{"schema_version":"authorship/3.0.0","prompts":{"abc123":{"agent_id":{"tool":"cursor","model":"gpt-5"}}}}\n`;
    await git.run(['notes', '--ref', 'refs/notes/ai', 'add', '-f', '-m', gitAiNote, oldest], { cwd: dir });
    await git.run(['notes', '--ref', 'refs/notes/ai', 'add', '-f', '-m', '\u0001garbage\n---\n{', commits[1]], { cwd: dir });
    const overlay = new BlameOverlay(history.git, history.dir, silentLogger);
    const text = `${history.lines.map((line) => line.text).join('\n')}\n`;
    const result = await overlay.committedAiLines(file, text);
    const gitAi = result.lines.filter((line) => line.source === 'git-ai');
    assert.deepEqual(gitAi.map((line) => [line.line, line.origin.tool, line.origin.model]), [[humanLine, 'cursor', 'gpt-5']]);
    // A Vouch note that is not JSON is rejected alone; the other commits still show.
    await git.run(['notes', '--ref', 'refs/notes/vouch', 'add', '-f', '-m', 'not a record', commits[commits.length - 1]], { cwd: dir });
    overlay.invalidateHistory();
    const afterGarbage = await overlay.committedAiLines(file, text);
    const lastCommitLines = history.lines.filter((line) => line.ai && line.commit === commits.length - 1).length;
    assert.equal(afterGarbage.lines.filter((line) => line.source === 'vouch').length, result.lines.filter((line) => line.source === 'vouch').length - lastCommitLines);
  });

  it('in a repository without notes, an unsaved edit needs no read of the file, no diff and no git process: no line can be a committed AI line', async () => {
    const { dir, git, file } = history;
    const saved = `${history.lines.map((line) => line.text).join('\n')}\n`;
    const refs = new Map<string, string>();
    for (const ref of ['refs/notes/vouch', 'refs/notes/ai']) {
      const { stdout } = await git.run(['for-each-ref', '--format=%(objectname)', ref], { cwd: dir });
      if (stdout.trim()) refs.set(ref, stdout.trim());
      await git.run(['update-ref', '-d', ref], { cwd: dir });
    }
    const away = path.join(dir, `${file}.away`);
    let gitRuns = 0;
    const counting = Object.create(git) as typeof git;
    counting.run = (...args: Parameters<typeof git.run>) => {
      gitRuns++;
      return git.run(...args);
    };
    try {
      const overlay = new BlameOverlay(counting, dir, silentLogger);
      assert.deepEqual((await overlay.committedAiLines(file, saved, { savedOnDisk: true })).lines, []);
      const runs = gitRuns;
      // The file gone from disk would make an unsaved edit blame the editor's text (a git process): with no note anywhere, nothing is looked at.
      renameSync(path.join(dir, file), away);
      assert.deepEqual(await overlay.committedAiLines(file, `// typed, not saved\n${saved}`), { lines: [] });
      assert.equal(gitRuns, runs, 'no git process');
      renameSync(away, path.join(dir, file));
      for (const [ref, id] of refs) await git.run(['update-ref', ref, id], { cwd: dir });
      overlay.invalidateHistory();
      const noted = await overlay.committedAiLines(file, `// typed, not saved\n${saved}`);
      assert.ok(noted.lines.length > 20, 'once notes are there (history moved), the lines show again');
    } finally {
      if (existsSync(away)) renameSync(away, path.join(dir, file));
      for (const [ref, id] of refs) await git.run(['update-ref', ref, id], { cwd: dir });
    }
  });

  it('no blame for untracked files, binary text and text over the size limit', async () => {
    const overlay = new BlameOverlay(history.git, history.dir, silentLogger, () => 1000);
    writeFileSync(path.join(history.dir, 'new.ts'), 'x\n');
    assert.deepEqual(await overlay.committedAiLines('new.ts', 'x\n'), { lines: [], skipped: 'not committed yet' });
    assert.equal((await overlay.committedAiLines(history.file, 'a\0b')).skipped, 'a binary file');
    assert.match((await overlay.committedAiLines(history.file, 'x'.repeat(1001))).skipped ?? '', /larger than the blame limit of 1000 bytes/);
    assert.equal(blameSkipReason('ok', 10), undefined);
  });

  it('counts the limit in UTF-8 bytes, exactly, as the AI Share view counts a file: characters are not bytes', async () => {
    const overlay = new BlameOverlay(history.git, history.dir, silentLogger, () => 1000);
    // 600 characters, 1200 bytes: over a 1000-byte limit, though under it in characters.
    assert.match((await overlay.committedAiLines(history.file, 'é'.repeat(600))).skipped ?? '', /larger than the blame limit of 1000 bytes/);
    assert.match(blameSkipReason('€'.repeat(334), 1000) ?? '', /larger than the blame limit/, '3 bytes each: 1002 bytes');
    assert.equal(blameSkipReason('€'.repeat(333), 1000), undefined, '999 bytes');
    assert.match(blameSkipReason('😀'.repeat(251), 1000) ?? '', /larger than the blame limit/, 'a surrogate pair is 4 bytes: 1004');
    assert.equal(blameSkipReason('😀'.repeat(250), 1000), undefined);
    // What the editor tells from a document's length alone (never taking a 50 MB text): sure answers only.
    assert.equal(overBlameLimitByLength(1001, 1000), true);
    assert.equal(overBlameLimitByLength(333, 1000), false);
    assert.equal(overBlameLimitByLength(334, 1000), undefined);
    assert.equal(overBlameLimitByLength(1000, 1000), undefined);
  });
});

describe('blame porcelain parser', () => {
  it('keeps each commit\'s filename for its later entries and unquotes C-quoted paths', () => {
    const a = 'a'.repeat(40);
    const b = 'b'.repeat(40);
    const output = [
      `${a} 1 1 2`,
      'author Ann',
      'author-time 1700000000',
      'summary first',
      'filename "sp\\303\\251cial \\"q\\".ts"',
      '\tline one',
      `${a} 2 2`,
      '\tline two',
      `${b} 7 3 1`,
      'author Bob',
      'summary second',
      'previous aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa old.ts',
      'filename old.ts',
      '\t',
      '',
    ].join('\n');
    const parsed = parseBlamePorcelain(output);
    assert.deepEqual(parsed.lines, [
      { finalLine: 1, commit: a, originalLine: 1, path: 'spécial "q".ts' },
      { finalLine: 2, commit: a, originalLine: 2, path: 'spécial "q".ts' },
      { finalLine: 3, commit: b, originalLine: 7, path: 'old.ts' },
    ]);
    assert.deepEqual(parsed.commits.get(a), { commit: a, author: 'Ann', authorTime: 1_700_000_000, summary: 'first' });
    assert.equal(unquoteCPath('plain'), 'plain');
    assert.throws(() => parseBlamePorcelain('not blame\n'), /unexpected git blame output/);
  });
});

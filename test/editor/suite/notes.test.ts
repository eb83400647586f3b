import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { silentLogger } from '../../../src/core/logger';
import { GitRunner } from '../../../src/git/gitRunner';
import { recordPendingSpansOfCommit } from '../../../src/git/notes/commitRecording';
import { NotesReader } from '../../../src/git/notes/notesReader';
import { NotesWriter } from '../../../src/git/notes/notesWriter';
import { WorkingStateStore } from '../../../src/git/workingStateStore';
import { aiSpanOver } from '../../support/spans';
import { gitExtensionApi, hoverText, scratchWithGhostText, textOf, vouchApi, waitFor, workspaceUri } from './helpers';

interface TestGitRepository {
  readonly rootUri: vscode.Uri;
  readonly state: { readonly HEAD?: { readonly commit?: string } };
  add(paths: string[]): Promise<void>;
  commit(message: string): Promise<void>;
}

async function gitRepository(): Promise<TestGitRepository> {
  const api = await gitExtensionApi<TestGitRepository>();
  const root = workspaceUri('.').fsPath.replace(/\/$/, '');
  return waitFor('the git extension to open the workspace repository', () => api.repositories.find((repository) => repository.rootUri.fsPath === root));
}

describe('Git notes from commits made in the editor', function () {
  const git = new GitRunner();

  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('records the AI lines of a commit made through the git extension and clears them from the uncommitted state', async () => {
    const api = await vouchApi();
    const repository = await gitRepository();
    const root = repository.rootUri.fsPath;

    const committed = await scratchWithGhostText('notes-commit.ts', 'const base = 1;\nfunction triple(', 'x: number) {\n  return x * 3;\n}');
    const [span] = api.spansOf(committed.document.uri);
    assert.equal(textOf(committed.document, span), 'x: number) {\n  return x * 3;\n}');
    assert.ok(await committed.document.save());

    // A second file with AI code that is not staged keeps its pending span.
    const unstaged = await scratchWithGhostText('notes-unstaged.ts', 'const other = 2;\nfunction quad(', 'x: number) {\n  return x * 4;\n}');
    assert.ok(await unstaged.document.save());

    const store = await WorkingStateStore.open(git, root, silentLogger);
    await waitFor('the AI span to reach the working state', async () => ((await store.load('notes-commit.ts'))?.spans.length ?? 0) === 1);

    const before = (await git.run(['rev-parse', 'HEAD'], { cwd: root })).stdout.trim();
    await repository.add([committed.document.uri.fsPath]);
    await repository.commit('Add triple (AI)');
    const head = (await git.run(['rev-parse', 'HEAD'], { cwd: root })).stdout.trim();
    assert.notEqual(head, before, 'the commit was made');

    const reader = new NotesReader(git, root, silentLogger);
    const note = await waitFor('the Vouch note on the new commit', () => reader.readNote(head));
    assert.equal(note.records.length, 1);
    const files = note.records[0].statement.predicate.files;
    assert.deepEqual(
      files.map((file) => [file.path, file.ranges.map((range) => [range.start, range.end, range.origin.tool, range.origin.kind, range.aiShare])]),
      // Line 2 starts with typed text ("function triple(") that the AI finished: a mixed line, in a
      // range of its own with its AI character share (10 of the 25 non-whitespace characters of "function triple(x: number) {").
      [
        [
          'notes-commit.ts',
          [
            [2, 2, 'fake-ai', 'inline', 0.4],
            [3, 4, 'fake-ai', 'inline', 1],
          ],
        ],
      ],
    );

    await waitFor('the committed span to leave the open document', () => api.spansOf(committed.document.uri).length === 0);
    assert.deepEqual((await new WorkingStateStore(store.repository, git, silentLogger).load('notes-commit.ts'))?.spans ?? [], []);
    assert.equal(api.spansOf(unstaged.document.uri).length, 1, 'the unstaged file keeps its AI span');
    assert.equal((await new WorkingStateStore(store.repository, git, silentLogger).load('notes-unstaged.ts'))?.spans.length, 1);
  });

  it('records a commit made in a terminal (HEAD moved to a child commit), and Reconcile Notes runs', async () => {
    const api = await vouchApi();
    const repository = await gitRepository();
    const root = repository.rootUri.fsPath;
    const editor = await scratchWithGhostText('notes-terminal.ts', 'const seed = 3;\nfunction half(', 'x: number) {\n  return x / 2;\n}');
    assert.ok(await editor.document.save());
    const store = await WorkingStateStore.open(git, root, silentLogger);
    await waitFor('the AI span to reach the working state', async () => ((await store.load('notes-terminal.ts'))?.spans.length ?? 0) === 1);

    await git.run(['add', '--', 'notes-terminal.ts'], { cwd: root });
    await git.run(['commit', '-q', '-m', 'Add half (AI), from a terminal'], { cwd: root });
    const head = (await git.run(['rev-parse', 'HEAD'], { cwd: root })).stdout.trim();
    const reader = new NotesReader(git, root, silentLogger);
    const note = await waitFor('the Vouch note on the terminal commit', () => reader.readNote(head));
    assert.deepEqual(
      note.records[0].statement.predicate.files.map((file) => [file.path, file.ranges.map((range) => [range.start, range.end])]),
      [
        [
          'notes-terminal.ts',
          [
            [2, 2],
            [3, 4],
          ],
        ],
      ],
    );
    await waitFor('the committed span to leave the open document', () => api.spansOf(editor.document.uri).length === 0);

    const report = await vscode.commands.executeCommand<{ scannedCommits: number; stale: unknown[] } | undefined>('vouch.reconcileNotes');
    assert.ok(report && report.scannedCommits >= 2, 'reconcile scanned the history');
    assert.deepEqual(report.stale, []);
  });

  it('records each of two commits made in a terminal between two looks at HEAD in its own note', async () => {
    const repository = await gitRepository();
    const root = repository.rootUri.fsPath;
    const store = await WorkingStateStore.open(git, root, silentLogger);
    const files = ['notes-twice-a.ts', 'notes-twice-b.ts'];
    for (const [index, file] of files.entries()) {
      const editor = await scratchWithGhostText(file, `const seed${index} = ${index};\nfunction scale${index}(`, `x: number) {\n  return x * ${index + 2};\n}`);
      assert.ok(await editor.document.save());
      await waitFor(`the AI span of ${file} to reach the working state`, async () => ((await store.load(file))?.spans.length ?? 0) === 1);
    }
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    // Two commits at once, as a script or an agent makes them: the editor sees HEAD move two commits.
    const commits: string[] = [];
    for (const file of files) {
      await git.run(['add', '--', file], { cwd: root });
      await git.run(['commit', '-q', '-m', `Add ${file} (AI), from a terminal`], { cwd: root });
      commits.push((await git.run(['rev-parse', 'HEAD'], { cwd: root })).stdout.trim());
    }
    const reader = new NotesReader(git, root, silentLogger);
    for (const [index, commit] of commits.entries()) {
      const note = await waitFor(`the Vouch note on terminal commit ${index + 1}`, () => reader.readNote(commit));
      assert.deepEqual(
        note.records[0].statement.predicate.files.map((file) => file.path),
        [files[index]],
        `commit ${index + 1} holds only its own file's AI lines`,
      );
    }
  });

  describe('reconcile after a pull (vouch.notes.reconcileAfterPull)', function () {
    let sideDir: string | undefined;

    afterEach(async () => {
      await vscode.workspace.getConfiguration('vouch').update('notes.reconcileAfterPull', undefined, vscode.ConfigurationTarget.Global);
      if (sideDir) {
        await git.run(['worktree', 'remove', '--force', sideDir], { cwd: workspaceUri('.').fsPath }).catch(() => undefined);
        rmSync(sideDir, { recursive: true, force: true });
      }
    });

    /**
     * In a side worktree: a commit with AI lines and its Vouch note, and a squash of it (no note)
     * on branch `branch`, based on `base`. Returns the squash commit.
     */
    async function squashedNotedCommit(worktree: string, base: string, branch: string, file: string, aiText: string): Promise<string> {
      const run = async (args: string[]) => (await git.run(args, { cwd: worktree })).stdout.trim();
      await run(['checkout', '-q', '--detach', base]);
      const text = `export const origin = '${branch}';\n${aiText}`;
      writeFileSync(path.join(worktree, file), text);
      await run(['add', '--', file]);
      await run(['commit', '-q', '-m', `AI work for ${branch}`]);
      const noted = await run(['rev-parse', 'HEAD']);
      const writer = await NotesWriter.open(git, worktree, silentLogger);
      const provider = {
        pendingFiles: async () => [{ path: file, workingText: text, spans: [aiSpanOver(text, aiText)] }],
        markCommitted: async () => undefined,
      };
      const recorded = await recordPendingSpansOfCommit({ git, topLevel: worktree, writer, logger: silentLogger }, provider, noted);
      assert.ok(recorded.record, 'the AI commit has its note');
      await run(['checkout', '-q', '-b', branch, base]);
      await run(['merge', '-q', '--squash', noted]);
      await run(['commit', '-q', '-m', `Squashed ${branch}`]);
      return run(['rev-parse', 'HEAD']);
    }

    it('carries the records of squashed commits to the commits a pull brings in when on, and not when off', async () => {
      await vouchApi();
      const repository = await gitRepository();
      const root = repository.rootUri.fsPath;
      const reader = new NotesReader(git, root, silentLogger);
      const tag = Date.now().toString(36);
      sideDir = mkdtempSync(path.join(tmpdir(), 'vouch-pull-'));
      rmSync(sideDir, { recursive: true, force: true });
      await git.run(['worktree', 'add', '-q', '--detach', sideDir, 'HEAD'], { cwd: root });

      // Off (the default): the pulled squash commit stays without a note.
      const base = (await git.run(['rev-parse', 'HEAD'], { cwd: root })).stdout.trim();
      const offSquash = await squashedNotedCommit(sideDir, base, `pull-off-${tag}`, `pulled-off-${tag}.ts`, 'export function offByDefault(value: number): number {\n  return value * 7 + 3;\n}\n');
      await git.run(['pull', '-q', '--ff-only', '.', `pull-off-${tag}`], { cwd: root });
      await waitFor('the git extension to see the first pull', () => repository.state.HEAD?.commit === offSquash);

      // On: the next pull's squash commit takes the record of the commit it squashed.
      await vscode.workspace.getConfiguration('vouch').update('notes.reconcileAfterPull', true, vscode.ConfigurationTarget.Global);
      const onSquash = await squashedNotedCommit(sideDir, offSquash, `pull-on-${tag}`, `pulled-on-${tag}.ts`, 'export function carriedAfterPull(value: number): number {\n  return value * 11 - 5;\n}\n');
      await git.run(['pull', '-q', '--ff-only', '.', `pull-on-${tag}`], { cwd: root });
      const carried = await waitFor('the record carried to the pulled squash commit', () => reader.readNote(onSquash));
      assert.equal(carried.records.length, 1);
      assert.deepEqual(
        carried.records[0].statement.predicate.files.map((file) => [file.path, file.ranges.map((range) => [range.start, range.end])]),
        [[`pulled-on-${tag}.ts`, [[2, 4]]]],
      );
      assert.ok(carried.records[0].statement.predicate.carriedFrom, 'the record says it was carried');
      assert.equal(await reader.readNote(offSquash), undefined, 'the pull made while the setting was off was not reconciled');
      // The hover of a carried line says where its review is signed: the record it was carried from, unsigned here.
      const pulled = workspaceUri(`pulled-on-${tag}.ts`);
      await vscode.window.showTextDocument(pulled);
      const hover = await waitFor('the hover of a carried AI line', async () => {
        const text = await hoverText(pulled, 1);
        return text.includes('carried by `vouch reconcile` from') && text;
      });
      assert.match(hover, /where the review is \*\*unsigned\*\*/);
    });
  });
});

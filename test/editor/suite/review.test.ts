import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { sha256Hex } from '../../../src/core/textHash';
import { GitRunner } from '../../../src/git/gitRunner';
import { vouch } from '../../support/cliRun';
import { openScratch, scratchWithGhostText, showVouchDebugLog, textOf, vouchApi, vouchLogLines, waitFor, waitForLogged, workspaceUri } from './helpers';

const git = new GitRunner();

function workspaceRoot(): string {
  return workspaceUri('.').fsPath;
}

async function stagedNames(): Promise<string[]> {
  const { stdout } = await git.run(['diff', '--cached', '--name-only'], { cwd: workspaceRoot() });
  return stdout.split('\n').filter(Boolean);
}

function reviewPanelTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all.flatMap((group) => group.tabs).filter((tab) => tab.input instanceof vscode.TabInputWebview && tab.input.viewType.includes('vouch.reviewPanel'));
}

describe('Review in the real editor', () => {
  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('accepts a block through vouch.acceptBlock: the git user, intent, scope and the hash of the exact text are recorded', async () => {
    const api = await vouchApi();
    const editor = await scratchWithGhostText('review-accept.ts', 'const base = 1;\nfunction triple(', 'x: number) {\n  return x * 3;\n}');
    const [span] = api.spansOf(editor.document.uri);
    assert.ok(span);
    await vscode.commands.executeCommand('vouch.acceptBlock', { uri: editor.document.uri.toString(), spanIds: [span.id], intent: 'Triples a number', scope: ['none'] });
    const [reviewed] = api.spansOf(editor.document.uri);
    assert.equal(reviewed.review?.decision, 'accepted');
    assert.equal(reviewed.review?.intent, 'Triples a number');
    assert.deepEqual(reviewed.review?.scope, ['none']);
    assert.deepEqual(reviewed.review?.reviewer, { name: 'Dana Developer', email: 'dana@example.com' });
    assert.equal(reviewed.review?.textHash, sha256Hex(textOf(editor.document, reviewed)));
    assert.equal(editor.document.getText(), 'const base = 1;\nfunction triple(x: number) {\n  return x * 3;\n}', 'accepting changes no text');
  });

  it('an accept records the fingerprint of the key chosen in the vouch.signing.key setting', async () => {
    const keyDir = mkdtempSync(path.join(tmpdir(), 'vouch-review-key-'));
    const config = vscode.workspace.getConfiguration('vouch');
    try {
      const privatePath = path.join(keyDir, 'reviewer');
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'reviewer@test', '-f', privatePath], { stdio: 'ignore' });
      const fingerprint = execFileSync('ssh-keygen', ['-l', '-f', `${privatePath}.pub`], { encoding: 'utf8' }).split(' ')[1];
      assert.match(fingerprint, /^SHA256:/);
      await config.update('signing.key', `${privatePath}.pub`, vscode.ConfigurationTarget.Global);
      const api = await vouchApi();
      const editor = await scratchWithGhostText('review-signing-key.ts', 'const base = 2;\nfunction double(', 'x: number) {\n  return x * 2;\n}');
      const [span] = api.spansOf(editor.document.uri);
      assert.ok(span);
      await vscode.commands.executeCommand('vouch.acceptBlock', { uri: editor.document.uri.toString(), spanIds: [span.id], intent: 'Doubles a number', scope: ['none'] });
      const [reviewed] = api.spansOf(editor.document.uri);
      assert.equal(reviewed.review?.decision, 'accepted');
      assert.equal(reviewed.review?.reviewer.signingKey, fingerprint);
    } finally {
      await config.update('signing.key', undefined, vscode.ConfigurationTarget.Global);
      rmSync(keyDir, { recursive: true, force: true });
    }
  });

  it('refuses an accept without scope and leaves the span unreviewed', async () => {
    const api = await vouchApi();
    const editor = await scratchWithGhostText('review-refuse.ts', 'let a = 1;\nconst answer = ', 'a + 41;');
    const [span] = api.spansOf(editor.document.uri);
    await vscode.commands.executeCommand('vouch.acceptBlock', { uri: editor.document.uri.toString(), spanIds: [span.id], intent: 'The answer', scope: [] });
    assert.equal(api.spansOf(editor.document.uri)[0].review, undefined);
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('vouch.acceptBlock', { uri: 42 })), /uri must be a document URI string/);
  });

  it('rejects a block: the AI text is removed with an undoable edit; undo brings it back marked as rejected before', async () => {
    const api = await vouchApi();
    const editor = await openScratch('review-reject.ts', 'const keep = 1;\n');
    await editor.edit((edit) => edit.insert(new vscode.Position(1, 0), 'const ai = eval(input);\n'));
    editor.selection = new vscode.Selection(1, 0, 1, 23);
    await vscode.commands.executeCommand('vouch.markSelectionAsAi');
    const [span] = api.spansOf(editor.document.uri);
    assert.equal(textOf(editor.document, span), 'const ai = eval(input);');
    await vscode.commands.executeCommand('vouch.rejectBlock', { uri: editor.document.uri.toString(), spanIds: [span.id], intent: 'Evaluates user input' });
    await waitFor('the AI line to be removed', () => editor.document.getText() === 'const keep = 1;\n');
    assert.deepEqual(api.spansOf(editor.document.uri), []);
    assert.ok(editor.document.isDirty, 'an open file keeps the removal unsaved, for undo');
    await vscode.commands.executeCommand('undo');
    await waitFor('undo', () => editor.document.getText() === 'const keep = 1;\nconst ai = eval(input);\n');
    const [back] = api.spansOf(editor.document.uri);
    assert.equal(back?.review?.decision, 'rejected', 'the text is back, with its rejection: it needs a new decision');
  });

  it('rejects a block of a file in no editor by replacing the file atomically (new inode, same mode); the document follows', async () => {
    const api = await vouchApi();
    const uri = workspaceUri('review-reject-closed.ts');
    writeFileSync(uri.fsPath, 'const keep = 1;\nconst ai = eval(input);\n', { mode: 0o640 });
    chmodSync(uri.fsPath, 0o640);
    const before = statSync(uri.fsPath);
    await api.recordAiEdit({ uri: uri.toString(), ranges: [{ start: { line: 1, character: 0 }, end: { line: 1, character: 23 } }], tool: 'claude-code' });
    const [span] = api.spansOf(uri);
    assert.ok(span);
    assert.ok(!vscode.window.tabGroups.all.some((group) => group.tabs.some((tab) => tab.input instanceof vscode.TabInputText && tab.input.uri.toString() === uri.toString())), 'the file is in no editor');
    await vscode.commands.executeCommand('vouch.rejectBlock', { uri: uri.toString(), spanIds: [span.id], intent: 'Evaluates user input' });
    assert.equal(readFileSync(uri.fsPath, 'utf8'), 'const keep = 1;\n');
    const after = statSync(uri.fsPath);
    assert.notEqual(after.ino, before.ino, 'replaced by rename, not truncated and rewritten');
    assert.equal(after.mode & 0o777, 0o640, 'the file keeps its mode');
    const document = await vscode.workspace.openTextDocument(uri);
    await waitFor('the document to reload', () => document.getText() === 'const keep = 1;\n');
    assert.ok(!document.isDirty);
    assert.deepEqual(api.spansOf(uri), []);
  });

  it('goes to the next AI block with vouch.nextAiBlock (wrapping) and rejects the block at the cursor without arguments', async () => {
    const api = await vouchApi();
    const editor = await openScratch('review-next.ts', 'const a = 1;\nconst b = 2;\nconst c = 3;\nconst d = 4;\n');
    for (const line of [1, 3]) {
      editor.selection = new vscode.Selection(line, 0, line, 12);
      await vscode.commands.executeCommand('vouch.markSelectionAsAi');
    }
    assert.equal(api.spansOf(editor.document.uri).length, 2);
    editor.selection = new vscode.Selection(0, 5, 0, 5);
    const lines: number[] = [];
    for (let i = 0; i < 3; i++) {
      await vscode.commands.executeCommand('vouch.nextAiBlock');
      lines.push(editor.selection.active.line);
    }
    assert.deepEqual(lines, [1, 3, 1], 'line 2, line 4, then around to line 2');

    // No block at the cursor: nothing asked, nothing changed.
    editor.selection = new vscode.Selection(2, 0, 2, 0);
    assert.equal(await vscode.commands.executeCommand('vouch.rejectBlock'), undefined);
    assert.equal(editor.document.getText(), 'const a = 1;\nconst b = 2;\nconst c = 3;\nconst d = 4;\n');

    // On a block: the command palette's Reject asks nothing (no reason, and no person typed on its lines) and removes the block's AI text.
    editor.selection = new vscode.Selection(3, 2, 3, 2);
    await vscode.commands.executeCommand('vouch.rejectBlock');
    assert.ok(!editor.document.getText().includes('const d'));
    assert.equal(api.spansOf(editor.document.uri).length, 1, 'the other block stays');
  });

  it('rejects the whole lines of a block a person started, so no half-typed line is left', async () => {
    const api = await vouchApi();
    const editor = await openScratch('review-whole-lines.ts', '// a greeting\nfunction greet(name) {\n  return name;\n}\nnext();\n');
    editor.selection = new vscode.Selection(1, 15, 3, 1);
    await vscode.commands.executeCommand('vouch.markSelectionAsAi');
    const [span] = api.spansOf(editor.document.uri);
    assert.equal(textOf(editor.document, span), 'name) {\n  return name;\n}');
    await vscode.commands.executeCommand('vouch.rejectBlock', { uri: editor.document.uri.toString(), spanIds: [span.id], wholeLines: true });
    await waitFor('the whole lines to be removed', () => editor.document.getText() === '// a greeting\nnext();\n');
    assert.deepEqual(api.spansOf(editor.document.uri), []);
    await vscode.commands.executeCommand('undo');
    await waitFor('undo', () => editor.document.getText().includes('function greet(name) {'));
    assert.equal(api.spansOf(editor.document.uri)[0]?.review?.decision, 'rejected', 'undo brings the lines back, rejected before');
  });

  it('undoes the last accept: the block waits for review again', async () => {
    const api = await vouchApi();
    const editor = await openScratch('review-undo-accept.ts', 'const a = 1;\nconst b = 2;\n');
    editor.selection = new vscode.Selection(1, 0, 1, 12);
    await vscode.commands.executeCommand('vouch.markSelectionAsAi');
    const [span] = api.spansOf(editor.document.uri);
    await vscode.commands.executeCommand('vouch.acceptBlock', { uri: editor.document.uri.toString(), spanIds: [span.id], intent: 'The second constant', scope: ['none'] });
    assert.equal(api.spansOf(editor.document.uri)[0]?.review?.decision, 'accepted');
    await vscode.commands.executeCommand('vouch.undoLastAccept');
    assert.equal(api.spansOf(editor.document.uri)[0]?.review, undefined);
    // Only once: a second undo finds nothing to take back.
    const again = (await vscode.commands.executeCommand('vouch.undoLastAccept')) as { ok: boolean } | undefined;
    assert.equal(again?.ok, false);
  });

  it('opens the review panel (and again from the tree command with a block to focus)', async () => {
    const api = await vouchApi();
    const editor = await scratchWithGhostText('review-panel.ts', 'x\nconst answer = ', '42;');
    const [span] = api.spansOf(editor.document.uri);
    await vscode.commands.executeCommand('vouch.openReviewPanel', { uri: editor.document.uri.toString(), spanIds: [span.id] });
    await waitFor('the review panel', () => reviewPanelTabs().length === 1);
    await vscode.commands.executeCommand('vouch.openReviewPanel');
    assert.equal(reviewPanelTabs().length, 1, 'one panel at a time');
  });

  describe('the staging gate in block mode', () => {
    before(async () => {
      await vscode.workspace.getConfiguration('vouch').update('gate', 'block', vscode.ConfigurationTarget.Workspace);
    });
    after(async () => {
      await vscode.workspace.getConfiguration('vouch').update('gate', undefined, vscode.ConfigurationTarget.Workspace);
    });

    it('unstages a file staged with unreviewed AI code and opens the panel; Review and Stage stages it once reviewed', async function () {
      const api = await vouchApi();
      await showVouchDebugLog(); // the gate says at debug level which staged content it let be
      const editor = await openScratch('review-gate.ts', 'export const x = 1;\n');
      await editor.edit((edit) => edit.insert(new vscode.Position(1, 0), 'export const y = 2;\n'));
      editor.selection = new vscode.Selection(1, 0, 1, 19);
      await vscode.commands.executeCommand('vouch.markSelectionAsAi');
      await editor.document.save();
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      const [span] = api.spansOf(editor.document.uri).length > 0 ? api.spansOf(editor.document.uri) : [];
      assert.ok(span, 'the span is tracked');

      await git.run(['add', '--', 'review-gate.ts'], { cwd: workspaceRoot() });
      await waitFor('the gate to unstage the file', async () => !(await stagedNames()).includes('review-gate.ts'));
      await waitFor('the review panel to open', () => reviewPanelTabs().length === 1);

      const outcome = await vscode.commands.executeCommand<string>('vouch.reviewAndStage', editor.document.uri);
      assert.equal(outcome, 'waiting');
      await vscode.commands.executeCommand('vouch.acceptBlock', { uri: editor.document.uri.toString(), spanIds: [span.id], intent: 'Exports y', scope: ['none'] });
      await waitFor('Review and Stage to stage the reviewed file', async () => (await stagedNames()).includes('review-gate.ts'));
      // Staged now with all AI code reviewed: the gate checks that content and lets it be.
      const blob = (await git.run(['rev-parse', ':review-gate.ts'], { cwd: workspaceRoot() })).stdout.trim();
      const passed = `Staging gate: review-gate.ts staged (blob ${blob.slice(0, 12)}) with no AI block waiting for review`;
      await waitForLogged('the gate to check the reviewed content', 'review-gate.ts', () => vouchLogLines().some((line) => line.includes(passed)));
      assert.ok((await stagedNames()).includes('review-gate.ts'));
      await git.run(['restore', '--staged', '--', 'review-gate.ts'], { cwd: workspaceRoot() }).catch(() => git.run(['rm', '--cached', '-q', '--', 'review-gate.ts'], { cwd: workspaceRoot() }));
    });
  });

  // A clean filter, ident or working-tree-encoding changes a file on add: AI lines it changed are in
  // no staged line, and `vouch check --staged` fails naming the file and git's filters
  // (test/unit/cli/gitFilters.test.ts). The editor's gate applies the same rule (the default, warn).
  describe("the staging gate and git's filters", () => {
    const name = 'review-filtered.ts';
    // The attribute is set in .git/info/attributes, so no file of the working tree changes for it.
    const attributes = () => path.join(workspaceRoot(), '.git', 'info', 'attributes');
    before(async () => {
      await git.run(['config', 'filter.vouchdate.clean', "sed -e 's/[$]Date[$]/$Date: fixed $/'"], { cwd: workspaceRoot() });
      mkdirSync(path.dirname(attributes()), { recursive: true });
      writeFileSync(attributes(), `/${name} filter=vouchdate\n`);
    });
    after(async () => {
      rmSync(attributes(), { force: true });
      await git.run(['config', '--unset', 'filter.vouchdate.clean'], { cwd: workspaceRoot() }).catch(() => undefined);
    });

    it("says what vouch check --staged says when a clean filter changed a reviewed AI line on add: the file and git's filters, not only a block to review", async () => {
      const api = await vouchApi();
      const editor = await openScratch(name, 'export const x = 1;\n');
      const aiLine = 'export const stamp = "$Date$";';
      await editor.edit((edit) => edit.insert(new vscode.Position(1, 0), `${aiLine}\n`));
      editor.selection = new vscode.Selection(1, 0, 1, aiLine.length);
      await vscode.commands.executeCommand('vouch.markSelectionAsAi');
      const [span] = api.spansOf(editor.document.uri);
      assert.ok(span, 'the span is tracked');
      await vscode.commands.executeCommand('vouch.acceptBlock', { uri: editor.document.uri.toString(), spanIds: [span.id], intent: 'Stamps the build date', scope: ['none'] });
      assert.equal(api.spansOf(editor.document.uri)[0]?.review?.decision, 'accepted');
      await editor.document.save();
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');

      await git.run(['add', '--', name], { cwd: workspaceRoot() });
      try {
        assert.match((await git.run(['cat-file', '-p', `:${name}`], { cwd: workspaceRoot() })).stdout, /\$Date: fixed \$/, 'test setup: the filter changed the AI line');
        const explanation = /review-filtered\.ts: git's filters \(\.gitattributes filter, ident or working-tree-encoding\) changed 1 AI line when the file was staged, so Vouch cannot tell which staged line it is/;
        const cli = await waitFor('vouch check --staged to see the AI line of the working state', async () => {
          const run = await vouch(workspaceRoot(), 'check', '--staged');
          return run.stdout.includes(name) && run;
        });
        assert.equal(cli.code, 1, cli.stdout + cli.stderr);
        assert.match(cli.stdout, explanation);
        const decision = await waitForLogged(`the staging gate's decision about ${name}`, name, () => vouchLogLines().find((line) => line.includes('Staging gate') && line.includes(name)));
        assert.match(decision, explanation, 'the editor gate names the file and git\'s filters as vouch check --staged does');
        assert.match(decision, /Edit those lines so that git's filters leave them as they are, review them \(again\) and stage again/);
      } finally {
        await git.run(['rm', '--cached', '-q', '--', name], { cwd: workspaceRoot() });
      }
    });
  });
});

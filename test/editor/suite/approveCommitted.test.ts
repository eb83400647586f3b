import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { silentLogger } from '../../../src/core/logger';
import { parseNote } from '../../../src/core/notes/noteParser';
import { sha256Hex } from '../../../src/core/textHash';
import { GitRunner } from '../../../src/git/gitRunner';
import { recordFilesOfCommit } from '../../../src/git/notes/commitRecording';
import { NotesWriter } from '../../../src/git/notes/notesWriter';
import { aiSpanOver } from '../../support/spans';
import { vouch } from '../../support/cliRun';
import { waitFor, workspaceUri } from './helpers';

async function hoverOf(uri: vscode.Uri, line: number): Promise<string> {
  const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, new vscode.Position(line, 2));
  return hovers
    .flatMap((hover) => hover.contents)
    .map((content) => (typeof content === 'string' ? content : content.value))
    .join('\n');
}

describe('Approve committed AI lines from the editor', function () {
  const git = new GitRunner();

  afterEach(() => vscode.commands.executeCommand('workbench.action.closeAllEditors'));

  it('approves a committed unreviewed block from its hover line: the note gains the approval record, verify passes, the hover shows the review', async () => {
    const text = 'export const base = 1;\nexport function half(x: number) {\n  return x / 2;\n}\n';
    const aiText = 'export function half(x: number) {\n  return x / 2;\n}';
    const uri = workspaceUri('src/approveLater.ts');
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
    const cwd = workspaceUri('.').fsPath;
    await git.run(['add', '--', 'src/approveLater.ts'], { cwd });
    await git.run(['commit', '-q', '-m', 'Add half (agent, not reviewed)', '--', 'src/approveLater.ts'], { cwd });
    const commit = (await git.run(['rev-parse', 'HEAD'], { cwd })).stdout.trim();
    const span = aiSpanOver(text, aiText, { id: `test-${sha256Hex(aiText).slice(0, 12)}`, origin: { kind: 'agent', tool: 'claude-code', model: 'test-model' } });
    await recordFilesOfCommit({ git, topLevel: cwd, writer: await NotesWriter.open(git, cwd, silentLogger), logger: silentLogger }, { commit, files: [{ path: 'src/approveLater.ts', workingText: text, spans: [span] }] });
    const before = await vouch(cwd, 'verify', commit);
    assert.equal(before.code, 1, 'test setup: the unreviewed block fails verify');
    assert.match(before.stdout, /unreviewed/);

    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    const offered = await waitFor('the committed hover offers the approval', async () => {
      const hover = await hoverOf(uri, 2);
      return hover.includes('command:vouch.approveCommittedLines') && hover;
    });
    assert.match(offered, /Review: \*\*not reviewed\*\*/);
    assert.match(offered, /\[Approve these AI lines…\]/);
    const link = /\(command:vouch\.approveCommittedLines\?([^ )]+)/.exec(offered);
    assert.ok(link, offered);
    const [args] = JSON.parse(decodeURIComponent(link[1])) as [{ uri: string; line: number }];
    assert.deepEqual(args, { uri: uri.toString(), line: 2 });

    // The hover's command, with the intent and scope a person would type (the same rules as the review panel).
    const refused = await vscode.commands.executeCommand('vouch.approveCommittedLines', { ...args, intent: '   ', scope: ['none'] });
    assert.equal(refused, undefined, 'an empty intent approves nothing');
    const outcome = await vscode.commands.executeCommand<{ approved: { commit: string; path: string; start: number; end: number }[]; signing: string }>('vouch.approveCommittedLines', { ...args, intent: 'halves a number for the layout code', scope: ['none'] });
    assert.deepEqual(outcome?.approved, [{ commit, path: 'src/approveLater.ts', start: 2, end: 4 }]);

    const note = parseNote((await git.run(['notes', '--ref', 'refs/notes/vouch', 'show', commit], { cwd })).stdout, sha256Hex);
    assert.equal(note.records.length, 2, 'the record the lines came with, and the approval');
    const review = note.records.map((record) => record.statement.predicate.files[0].ranges[0].review).find((item) => item);
    assert.equal(review?.decision, 'accepted');
    assert.equal(review?.intent, 'halves a number for the layout code');
    assert.deepEqual(review?.scope, ['none']);
    assert.equal(review?.reviewer.email, 'dana@example.com');
    const after = await vouch(cwd, 'verify', commit);
    assert.equal(after.code, 0, after.stdout + after.stderr);

    // The marks are read again: the hover now shows the approval and offers a second approval instead.
    const reviewed = await waitFor('the hover shows the approval', async () => {
      const hover = await hoverOf(uri, 2);
      return /halves a number for the layout code/.test(hover) && hover;
    });
    assert.match(reviewed, /\[Approve as another reviewer…\]/);
    const again = await vscode.commands.executeCommand<{ approved: unknown[]; alreadyApproved: number }>('vouch.approveCommittedLines', { ...args, intent: 'halves a number', scope: ['none'] });
    assert.deepEqual([again?.approved.length, again?.alreadyApproved], [0, 1], 'the same approver is not recorded twice');
  });
});

// Runs inside the extension host of the editor-scale benchmark (bench/editorScale.bench.ts), as its
// extensionTestsPath: with a CPU profile of the extension host running, opens 5,000 files and
// 1,000 untitled documents, a 50 MB file in an editor, marks AI text in it, types, saves and
// scrolls, and lets the work these started settle. The bench reads Vouch's share of the profile.
import { writeFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { sleep, startCpuProfile, waitFor, type VouchBenchApi } from '../editorDriver';
import { scaleFileName } from './names';

export async function run(): Promise<void> {
  const settings = JSON.parse(process.env.VOUCH_BENCH_SETTINGS ?? '{}') as { out: string; files: number; untitled: number; bigFile: string };
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  if (!folder) throw new Error('editor-scale bench: no workspace folder');
  const extension = vscode.extensions.getExtension<VouchBenchApi>('vouch-dev.vouch');
  if (!extension) throw new Error('editor-scale bench: Vouch is not loaded');
  const api = await extension.activate();

  // Sampled every 200 µs: a task ends where the thread went idle, even for a millisecond.
  const profiler = await startCpuProfile({ samplingIntervalUs: 200 });
  const phases: Record<string, number> = {};
  const phase = async (name: string, action: () => Promise<void>) => {
    const started = performance.now();
    console.log(`editor-scale bench: ${name}`);
    await action();
    phases[name] = Math.round(performance.now() - started);
  };
  let maxOpen = 0;
  const noteOpen = () => (maxOpen = Math.max(maxOpen, vscode.workspace.textDocuments.length));

  // Files a search or another extension opened: 20 at a time (the editor keeps its 50 most recent).
  await phase('open files', async () => {
    for (let index = 0; index < settings.files; index += 20) {
      const batch = Array.from({ length: Math.min(20, settings.files - index) }, (_, offset) => scaleFileName(index + offset));
      await Promise.all(batch.map((file) => vscode.workspace.openTextDocument(vscode.Uri.joinPath(folder, file))));
      noteOpen();
      if (index % 1_000 === 0) console.log(`editor-scale bench: ${index} files opened`);
    }
  });
  // Untitled documents with text stay open, all of them at once.
  await phase('open untitled', async () => {
    for (let index = 0; index < settings.untitled; index += 20) {
      await Promise.all(
        Array.from({ length: Math.min(20, settings.untitled - index) }, (_, offset) =>
          vscode.workspace.openTextDocument({ language: 'typescript', content: `export const scratch${index + offset} = ${index + offset};\n` }),
        ),
      );
      noteOpen();
      if (index % 1_000 === 0) console.log(`editor-scale bench: ${index} untitled documents opened`);
    }
  });
  await sleep(2_000);

  const bigUri = vscode.Uri.joinPath(folder, settings.bigFile);
  let big!: vscode.TextEditor;
  await phase('open the big file', async () => {
    big = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(bigUri), { preview: false });
    noteOpen();
  });
  await sleep(2_000);
  // AI text in the big file (an agent's report), so saves and counts have spans to carry.
  await phase('mark AI in the big file', async () => {
    const middle = Math.floor(big.document.lineCount / 2);
    const ranges = [0, middle, big.document.lineCount - 3].map((line) => ({ start: { line, character: 0 }, end: { line: line + 2, character: 0 } }));
    await vscode.commands.executeCommand('vouch.recordAiEdit', { uri: bigUri.toString(), ranges, tool: 'bench-ai', kind: 'agent' });
    await waitFor('the AI spans of the big file', () => api.spansOf(bigUri).length > 0, 120_000);
  });
  await sleep(2_000);
  await phase('type in the big file', async () => {
    const line = Math.floor(big.document.lineCount / 2) + 1;
    big.selection = new vscode.Selection(line, 0, line, 0);
    for (const character of 'let typed = 1;\n') {
      const version = big.document.version;
      await vscode.commands.executeCommand('type', { text: character });
      await waitFor('the keystroke', () => big.document.version !== version, 30_000);
      await sleep(50);
    }
  });
  await sleep(2_000);
  await phase('save the big file', async () => {
    await big.document.save();
  });
  await sleep(3_000);
  await phase('scroll the big file', async () => {
    for (let step = 0; step < 10; step++) {
      big.revealRange(new vscode.Range(step * 100_000, 0, step * 100_000, 0), vscode.TextEditorRevealType.AtTop);
      await sleep(100);
    }
  });
  // A small file among them, typed into as a person does.
  await phase('type in a small file', async () => {
    const small = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(vscode.Uri.joinPath(folder, scaleFileName(0))), { preview: false });
    small.selection = new vscode.Selection(0, 0, 0, 0);
    for (const character of 'const x = 1;\n') {
      const version = small.document.version;
      await vscode.commands.executeCommand('type', { text: character });
      await waitFor('the keystroke', () => small.document.version !== version, 30_000);
      await sleep(50);
    }
    noteOpen();
  });
  // Debounced work (decorations, counts, saves of the working state) runs after a pause.
  await sleep(5_000);
  await profiler.stop(`${settings.out}.cpuprofile`);
  writeFileSync(
    settings.out,
    JSON.stringify({ profile: `${settings.out}.cpuprofile`, phases, maxOpenDocuments: maxOpen, bigFileChars: big.document.getText().length, bigFileSpans: api.spansOf(bigUri).length }),
  );
}

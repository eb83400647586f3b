// Runs inside the extension host of the keystroke benchmark (bench/keystroke.bench.ts), as its
// extensionTestsPath: opens the editors, gives Vouch its AI spans (when it is loaded), types into
// the big file at a steady pace and measures the extension host's CPU time per keystroke.
import { writeFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { sleep, startCpuProfile, waitFor, type VouchBenchApi } from '../editorDriver';

function cpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

export async function run(): Promise<void> {
  const settings = JSON.parse(process.env.VOUCH_BENCH_SETTINGS ?? '{}') as { out: string; mode: 'vouch' | 'floor'; keystrokes: number; paceMs: number; editors: number; documents: number; spans: number; bigFile: string; profile: boolean; where: 'beside' | 'inside' };
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  if (!folder) throw new Error('keystroke bench: no workspace folder');
  for (let index = 0; index < settings.editors; index++) {
    const document = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(folder, 'src', `other${index}.ts`));
    await vscode.window.showTextDocument(document, { preview: false });
  }
  // More open documents, in no editor. Untitled ones: the editor closes files an extension opened
  // beyond its 50 most recent, but keeps every untitled document with text open.
  for (let index = 0; index < settings.documents; index++) {
    const content = Array.from({ length: 200 }, (_, line) => `export const extra${index}_${line} = ${line};`).join('\n');
    await vscode.workspace.openTextDocument({ language: 'typescript', content });
  }
  const bigUri = vscode.Uri.joinPath(folder, settings.bigFile);
  const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(bigUri), { preview: false });
  const document = editor.document;
  if (settings.mode === 'vouch') {
    const extension = vscode.extensions.getExtension<VouchBenchApi>('vouch-dev.vouch');
    if (!extension) throw new Error('keystroke bench: Vouch is not loaded');
    const api = await extension.activate();
    // One AI span per chosen line, never two on neighbouring lines (so they stay separate spans).
    const ranges = Array.from({ length: settings.spans }, (_, index) => {
      const line = Math.floor((index * (document.lineCount - 2)) / settings.spans);
      return { start: { line, character: 2 }, end: { line, character: document.lineAt(line).text.length } };
    });
    await vscode.commands.executeCommand('vouch.recordAiEdit', { uri: bigUri.toString(), ranges, tool: 'bench-ai', kind: 'agent' });
    await waitFor('the AI spans', () => api.spansOf(bigUri).length === settings.spans);
  } else {
    await waitFor('the floor extension', () => vscode.extensions.getExtension('vouch-bench.keystroke-floor')?.isActive);
  }
  // 'beside': type at the end of a person's line between AI lines in the middle of the file (new
  // code among AI code). 'inside': type in the middle of an AI line (a person changing AI code).
  const aiLines = new Set(Array.from({ length: settings.spans }, (_, index) => Math.floor((index * (document.lineCount - 2)) / settings.spans)));
  let line = Math.floor(document.lineCount / 2);
  while (aiLines.has(line) !== (settings.where === 'inside')) line++;
  const column = settings.where === 'inside' ? Math.floor(document.lineAt(line).text.length / 2) : document.lineAt(line).text.length;
  editor.selection = new vscode.Selection(line, column, line, column);
  await vscode.commands.executeCommand('workbench.action.focusActiveEditorGroup');
  const text = 'let total = price * quantity + shipping - discount;\n';
  const typeOne = async (index: number) => {
    const version = document.version;
    await vscode.commands.executeCommand('type', { text: text[index % text.length] });
    await waitFor('the keystroke', () => document.version !== version, 10_000);
  };
  // Warm-up: the code paths of typing get compiled; the work the first edit starts settles.
  for (let index = 0; index < 60; index++) await typeOne(index);
  await sleep(3_000);
  // A CPU profile of the extension host over the measured keystrokes (where the time goes), sampled
  // every 50 µs so that a keystroke's share can be told apart from the next (V8's default is ~1 ms).
  const profiler = settings.profile ? await startCpuProfile({ samplingIntervalUs: 50 }) : undefined;
  const samples: number[] = [];
  /** When each keystroke's interval began, and the last one ended, on the profile's clock (monotonic, µs). */
  const boundariesUs: number[] = [];
  const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);
  const totalStart = cpuMs();
  const wallStart = performance.now();
  for (let index = 0; index < settings.keystrokes; index++) {
    const started = performance.now();
    boundariesUs.push(monotonicUs());
    const before = cpuMs();
    await typeOne(index);
    // A steady pace: what the keystroke started later (debounced work) lands in its own interval.
    const rest = settings.paceMs - (performance.now() - started);
    if (rest > 0) await sleep(rest);
    samples.push(cpuMs() - before);
  }
  boundariesUs.push(monotonicUs());
  const totalCpuMs = cpuMs() - totalStart;
  const wallMs = performance.now() - wallStart;
  if (profiler) await profiler.stop(`${settings.out}.cpuprofile`);
  const openDocuments = vscode.workspace.textDocuments.length;
  writeFileSync(settings.out, JSON.stringify({ samples, totalCpuMs, wallMs, lineCount: document.lineCount, openDocuments, ...(profiler ? { profile: `${settings.out}.cpuprofile`, boundariesUs } : {}) }));
  await vscode.commands.executeCommand('workbench.action.files.revert');
}

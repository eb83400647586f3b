// Runs inside the extension host of the keystroke benchmark (bench/keystroke.bench.ts), as its
// extensionTestsPath: opens the editors, gives Vouch its AI spans (when it is loaded), types into
// the big file at a steady pace and measures the extension host's CPU time per keystroke.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import * as vscode from 'vscode';

interface VouchBenchApi {
  spansOf(uri: vscode.Uri): readonly unknown[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`keystroke bench: timed out waiting for ${what}`);
    await sleep(50);
  }
}

function cpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

export async function run(): Promise<void> {
  const settings = JSON.parse(process.env.VOUCH_BENCH_SETTINGS ?? '{}') as { out: string; mode: 'vouch' | 'floor'; keystrokes: number; paceMs: number; editors: number; documents: number; spans: number; bigFile: string };
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  if (!folder) throw new Error('keystroke bench: no workspace folder');
  for (let index = 0; index < settings.editors; index++) {
    const document = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(folder, 'src', `other${index}.ts`));
    await vscode.window.showTextDocument(document, { preview: false });
  }
  // More open documents, in no editor (as files an extension or a search opened).
  for (let index = settings.editors; index < settings.editors + settings.documents; index++) await vscode.workspace.openTextDocument(vscode.Uri.joinPath(folder, 'src', `other${index}.ts`));
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
  // Type at the end of a person's line between AI lines in the middle of the file (new code among AI code).
  const aiLines = new Set(Array.from({ length: settings.spans }, (_, index) => Math.floor((index * (document.lineCount - 2)) / settings.spans)));
  let line = Math.floor(document.lineCount / 2);
  while (aiLines.has(line)) line++;
  editor.selection = new vscode.Selection(line, document.lineAt(line).text.length, line, document.lineAt(line).text.length);
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
  // VOUCH_BENCH_PROFILE: a CPU profile of the extension host over the measured keystrokes (where the time goes).
  const profiler = process.env.VOUCH_BENCH_PROFILE ? new Session() : undefined;
  const post = (method: string, params?: object) => new Promise<unknown>((resolve, reject) => profiler?.post(method, params, (error, result) => (error ? reject(error) : resolve(result))));
  if (profiler) {
    profiler.connect();
    await post('Profiler.enable');
    await post('Profiler.start');
  }
  const samples: number[] = [];
  const totalStart = cpuMs();
  const wallStart = performance.now();
  for (let index = 0; index < settings.keystrokes; index++) {
    const started = performance.now();
    const before = cpuMs();
    await typeOne(index);
    // A steady pace: what the keystroke started later (debounced work) lands in its own interval.
    const rest = settings.paceMs - (performance.now() - started);
    if (rest > 0) await sleep(rest);
    samples.push(cpuMs() - before);
  }
  const totalCpuMs = cpuMs() - totalStart;
  const wallMs = performance.now() - wallStart;
  if (profiler) {
    const { profile } = (await post('Profiler.stop')) as { profile: unknown };
    writeFileSync(`${settings.out}.cpuprofile`, JSON.stringify(profile));
    profiler.disconnect();
  }
  writeFileSync(settings.out, JSON.stringify({ samples, totalCpuMs, wallMs, lineCount: document.lineCount, openDocuments: vscode.workspace.textDocuments.length }));
  await vscode.commands.executeCommand('workbench.action.files.revert');
}

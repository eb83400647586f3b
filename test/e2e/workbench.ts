// Drives a real VS Code workbench (code-server) in Chromium, as a person would: the harness for
// end-to-end tests. One workbench per test file; screenshots go to test-artifacts/e2e/.
import { createWriteStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { BrowserContext, Frame, Page } from 'playwright-core';

const repoRoot = path.resolve(__dirname, '..', '..');
export const artifactsDir = path.join(repoRoot, 'test-artifacts', 'e2e');

/** A whole-line attribution mark as the editor draws it: line number, border style and colour. */
export interface LineMark {
  readonly line: number;
  readonly style: string;
  readonly color: string;
}

export interface Workbench {
  readonly page: Page;
  readonly context: BrowserContext;
  readonly workspace: string;
  screenshot(name: string): Promise<string>;
  openFile(relativePath: string): Promise<void>;
  runCommand(label: string): Promise<void>;
  /** Text of the visible editor lines, top to bottom (Monaco renders spaces as U+00A0). */
  editorLines(): Promise<string[]>;
  findFrame(selector: string): Promise<Frame>;
  /** Vouch's whole-line marks in the active editor, read from the DOM (rows mapped to line numbers by their top). */
  lineMarks(): Promise<LineMark[]>;
  /** Reloads the browser page (as Developer: Reload Window does) and waits for the workbench. */
  reload(): Promise<void>;
  /** Types `text` in the focused editor and waits for ghost text, retyping the last character if the provider was not ready yet. */
  typeUntilGhostText(text: string): Promise<void>;
  close(): Promise<void>;
}

export async function openWorkbench(options: { settings?: Record<string, unknown> } = {}): Promise<Workbench> {
  // The harness scripts are ES modules shared with `npm start`; this file is CommonJS.
  const { launchBrowser } = await import('../../scripts/editor/browser.mjs');
  const { startCodeServer } = await import('../../scripts/editor/codeServer.mjs');
  const { prepareDevExtensions } = await import('../../scripts/editor/devExtensions.mjs');
  const { createDemoRepository } = await import('../../scripts/editor/workspace.mjs');
  mkdirSync(artifactsDir, { recursive: true });
  const scratch = mkdtempSync(path.join(tmpdir(), 'vouch-e2e-'));
  const workspace = createDemoRepository(path.join(scratch, 'workspace'));
  const devExtensions = prepareDevExtensions();
  const server = await startCodeServer({
    smokeTestDriver: true,
    extraSettings: options.settings ?? {},
    logFile: path.join(artifactsDir, 'code-server.log'),
    log: () => undefined,
  });
  const browser = await launchBrowser({ log: () => undefined });
  const close = async () => {
    await browser.close();
    await server.stop();
    rmSync(scratch, { recursive: true, force: true });
  };
  try {
    const page = await browser.context.newPage();
    // The workbench's console (extension host logs included) is kept per run for diagnosis.
    const consoleLog = createWriteStream(path.join(artifactsDir, `workbench-console-${process.pid}.log`));
    page.on('console', (message) => consoleLog.write(`${message.type()}: ${message.text()}\n`));
    const payload = [['extensionDevelopmentPath', `vscode-remote://127.0.0.1:${server.port}${devExtensions}`]];
    await page.goto(`${server.baseUrl}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
    await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 60_000 });
    const workbench: Workbench = {
      page,
      context: browser.context,
      workspace,
      async screenshot(name) {
        const file = path.join(artifactsDir, `${name}.png`);
        await page.screenshot({ path: file });
        return file;
      },
      async openFile(relativePath) {
        await page.keyboard.press('Control+P');
        await page.waitForSelector('.quick-input-widget input', { state: 'visible' });
        await page.keyboard.type(relativePath);
        const base = path.basename(relativePath);
        await page.waitForSelector(`.quick-input-list .monaco-list-row[aria-label*="${base}"]`, { timeout: 20_000 });
        await page.keyboard.press('Enter');
        await page.waitForSelector(`.tab.active[aria-label*="${base}"]`, { timeout: 20_000 });
        await page.waitForSelector('.monaco-editor.focused', { timeout: 20_000 });
      },
      async runCommand(label) {
        await page.keyboard.press('F1');
        await page.waitForSelector('.quick-input-widget input', { state: 'visible' });
        await page.keyboard.type(label);
        await page.waitForSelector(`.quick-input-list .monaco-list-row[aria-label*="${label}"]`, { timeout: 20_000 });
        await page.keyboard.press('Enter');
      },
      async editorLines() {
        return page.$$eval('.monaco-editor.focused .view-lines .view-line', (nodes) =>
          nodes
            .map((node) => ({ top: parseFloat((node as HTMLElement).style.top || '0'), text: (node.textContent ?? '').replace(/\u00a0/g, ' ') }))
            .sort((a, b) => a.top - b.top)
            .map((line) => line.text),
        );
      },
      async typeUntilGhostText(text) {
        await page.keyboard.type(text, { delay: 20 });
        for (let attempt = 0; attempt < 8; attempt++) {
          const shown = await page.waitForSelector('.ghost-text-decoration, .ghost-text', { timeout: 5_000 }).then(() => true, () => false);
          if (shown) return;
          // Under load the provider can activate after the last keystroke; a new keystroke asks again.
          await page.keyboard.press('Backspace');
          await page.keyboard.type(text.slice(-1));
        }
        throw new Error(`no ghost text appeared after typing ${JSON.stringify(text)}`);
      },
      async lineMarks() {
        return page.evaluate(() => {
          const editor = document.querySelector('.editor-group-container.active .monaco-editor') ?? document.querySelector('.monaco-editor');
          if (!editor) return [];
          const numbers = new Map<number, number>();
          editor.querySelectorAll<HTMLElement>('.margin-view-overlays > div').forEach((row) => {
            const number = Number(row.querySelector('.line-numbers')?.textContent?.trim());
            if (Number.isInteger(number) && number > 0) numbers.set(parseFloat(row.style.top), number);
          });
          const marks: { line: number; style: string; color: string }[] = [];
          editor.querySelectorAll<HTMLElement>('.view-overlays > div').forEach((row) => {
            Array.from(row.children).forEach((child) => {
              // Extension decorations get generated 'ced-' class names; Vouch's are the bordered ones.
              if (!Array.from(child.classList).some((name) => name.startsWith('ced-'))) return;
              const style = getComputedStyle(child);
              if (style.borderLeftStyle === 'none' || parseFloat(style.borderLeftWidth) === 0) return;
              marks.push({ line: numbers.get(parseFloat(row.style.top)) ?? -1, style: style.borderLeftStyle, color: style.borderLeftColor });
            });
          });
          return marks.sort((a, b) => a.line - b.line);
        });
      },
      async reload() {
        await page.reload();
        await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 60_000 });
      },
      async findFrame(selector) {
        const deadline = Date.now() + 20_000;
        while (Date.now() < deadline) {
          for (const frame of page.frames()) {
            if (await frame.$(selector).catch(() => null)) return frame;
          }
          await page.waitForTimeout(200);
        }
        throw new Error(`no frame contains ${selector}`);
      },
      close,
    };
    return workbench;
  } catch (error) {
    await close();
    throw error;
  }
}

// Drives a real VS Code workbench (code-server) in Chromium, as a person would: the harness for
// end-to-end tests. One workbench per test file; screenshots go to test-artifacts/e2e/.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { BrowserContext, Frame, Page } from 'playwright-core';

const repoRoot = path.resolve(__dirname, '..', '..');
export const artifactsDir = path.join(repoRoot, 'test-artifacts', 'e2e');

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

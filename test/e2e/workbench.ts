// Drives a real VS Code workbench (code-server) in Chromium, as a person would: the harness for
// end-to-end tests. One workbench per test file; screenshots go to test-artifacts/e2e/.
import { chmodSync, createWriteStream, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { BrowserContext, Frame, Page } from 'playwright-core';
import type { AttributedSpan } from '../../src/core/attribution';
import { silentLogger } from '../../src/core/logger';
import { GitRunner, findGitExecutable } from '../../src/git/gitRunner';
import { WorkingStateStore } from '../../src/git/workingStateStore';

const repoRoot = path.resolve(__dirname, '..', '..');
export const artifactsDir = path.join(repoRoot, 'test-artifacts', 'e2e');

/** A gutter mark as the editor draws it: line number, the state its icon shows (its SVG's data-vouch-state) and the icon's colour. */
export interface LineMark {
  readonly line: number;
  readonly state: string;
  readonly color: string;
}

export interface Workbench {
  readonly page: Page;
  readonly context: BrowserContext;
  readonly workspace: string;
  /** The editor's user-data folder (settings, logs, extensions' global storage). */
  readonly userDataDir: string;
  /** The user's settings.json of this editor, as the editor last wrote it. */
  userSettings(): Record<string, unknown>;
  screenshot(name: string): Promise<string>;
  openFile(relativePath: string): Promise<void>;
  /** Saves the focused editor (Ctrl+S) and waits until its tab is clean. */
  saveActiveEditor(): Promise<void>;
  runCommand(label: string): Promise<void>;
  /**
   * Presses `key` (F1, Control+P, Control+G) until the quick input shows: a key pressed while a
   * webview (the review panel) holds the keyboard may never reach the workbench, so the first
   * editor group gets the focus and the key is pressed again.
   */
  openQuickInput(key: string): Promise<void>;
  /**
   * Waits until the quick input is shown (titled as `title` says, when given) and its input holds the
   * keyboard: it can be visible a moment before the focus moves in, and keys typed then go to the editor.
   */
  waitForQuickInput(title?: RegExp): Promise<void>;
  /** Text of the visible editor lines, top to bottom (Monaco renders spaces as U+00A0). */
  editorLines(): Promise<string[]>;
  findFrame(selector: string): Promise<Frame>;
  /** Vouch's gutter icons in the active editor, read from the DOM (glyph-margin rows mapped to line numbers by their top). */
  lineMarks(): Promise<LineMark[]>;
  /** Waits until the active editor's marks satisfy `check` (Vouch draws them after a short debounce); returns them. */
  waitForLineMarks(what: string, check: (marks: LineMark[]) => boolean): Promise<LineMark[]>;
  /**
   * Reloads the browser page (as Developer: Reload Window does); returns once the closing
   * window's extension host exited and the new workbench and its Vouch are up. `whenClosing` runs
   * as soon as the closing extension host got the terminate message (its extensions deactivate).
   */
  reload(options?: { whenClosing?: () => void }): Promise<void>;
  /** Moves the cursor with Go to Line; returns once the editor has the keyboard and its status bar shows the cursor on that line. */
  goToLine(line: number, column?: number): Promise<void>;
  /** The gate of `git hash-object` (only with the option `gatedHashObject`). */
  readonly hashObjectGate: GitGate | undefined;
  /** Vouch's own log (its LogOutputChannel file) of the current window session. */
  vouchLog(): string;
  /** Waits until a line of Vouch's log in the current window session matches `pattern`; returns that line. */
  waitForVouchLog(pattern: RegExp, what: string, timeoutMs?: number): Promise<string>;
  /**
   * Keeps what a failure needs for diagnosis in test-artifacts/e2e/: a screenshot `<label>.png`
   * and the editor's own logs (Vouch's log channel, the extension host's) as `<label>-*.log`.
   */
  saveDiagnostics(label: string): Promise<string[]>;
  /** The mouse position over the middle of a column (0-based) of a visible line (1-based) of the active editor. */
  pointOnLine(lineNumber: number, column: number): Promise<{ x: number; y: number }>;
  /** Waits until the shown hover's text (every provider's part) matches `pattern`; returns that text. */
  waitForHoverText(pattern: RegExp): Promise<string>;
  /** Moves the mouse away and closes the hover. */
  dismissHover(): Promise<void>;

  /**
   * The AI spans of a file in the working state Vouch keeps on disk (`.git/vouch/working/`), read
   * as the CLI would; [] when it has none.
   */
  storedSpans(repoPath: string): Promise<readonly AttributedSpan[]>;
  /** Waits until the working state on disk holds spans of `repoPath` that `check` accepts. */
  waitForStoredSpans(repoPath: string, check: (spans: readonly AttributedSpan[]) => boolean, what: string): Promise<readonly AttributedSpan[]>;
  /** Types `text` in the focused editor and waits for ghost text, retyping the last character if the provider was not ready yet. */
  typeUntilGhostText(text: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * How long a wait may take before it counts as failed. Every wait is on a condition (a selector,
 * a line in Vouch's log, a file Vouch writes), so this is only reached when something is wrong;
 * it is long because a busy 2-core machine (load 10) can take tens of seconds for a reload.
 */
export const LOADED_TIMEOUT_MS = 120_000;

/** Polls `probe` until it returns a truthy value (returned), or throws after `timeoutMs` naming `what`. */
export async function waitUntil<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = LOADED_TIMEOUT_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export interface WorkbenchOptions {
  readonly settings?: Record<string, unknown>;
  /**
   * Puts a `git` first on the editor's PATH whose `hash-object` waits while the test holds it
   * (`workbench.hashObjectGate`). Vouch stores the text of each working-state save that way, so
   * holding it keeps a save under way, as a slow git on a busy machine does.
   */
  readonly gatedHashObject?: boolean;
  /** Runs on the demo repository (its path) before the editor opens it: remotes, git config. */
  readonly prepareWorkspace?: (workspace: string) => void;
}

/** Holds and releases the `git hash-object` of a workbench opened with `gatedHashObject`. */
export interface GitGate {
  hold(): void;
  release(): void;
  /** How many `git hash-object` processes wait at the gate now. */
  waiting(): number;
}

export async function openWorkbench(options: WorkbenchOptions = {}): Promise<Workbench> {
  // The harness scripts are ES modules shared with `npm start`; this file is CommonJS.
  const { launchBrowser } = await import('../../scripts/editor/browser.mjs');
  const { startCodeServer } = await import('../../scripts/editor/codeServer.mjs');
  const { prepareDevExtensions } = await import('../../scripts/editor/devExtensions.mjs');
  const { createDemoRepository } = await import('../../scripts/editor/workspace.mjs');
  const { copyEditorLogs, EXTENSION_HOST_LOGS, logFilesNamed } = await import('../../scripts/editor/vouchLog.mjs');
  mkdirSync(artifactsDir, { recursive: true });
  const scratch = mkdtempSync(path.join(tmpdir(), 'vouch-e2e-'));
  const workspace = createDemoRepository(path.join(scratch, 'workspace'));
  options.prepareWorkspace?.(workspace);
  const devExtensions = prepareDevExtensions();
  const gate = options.gatedHashObject ? gatedGit(scratch) : undefined;
  const server = await startCodeServer({
    smokeTestDriver: true,
    extraSettings: options.settings ?? {},
    logFile: path.join(artifactsDir, 'code-server.log'),
    log: () => undefined,
  });
  const logsDir = path.join(server.userDataDir, 'logs');
  const git = new GitRunner();
  /** Vouch.log files of window sessions before the current one (a reload starts a new file). */
  let earlierVouchLogs = new Set<string>();
  const currentVouchLog = (): string => {
    const current = logFilesNamed(logsDir, new Set(['Vouch.log'])).filter((file) => !earlierVouchLogs.has(file));
    return current.map((file) => readFileSync(file, 'utf8')).join('');
  };
  const waitForVouchLog = async (pattern: RegExp, what: string, timeoutMs = LOADED_TIMEOUT_MS): Promise<string> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const line = currentVouchLog().split('\n').find((entry) => pattern.test(entry));
      if (line) return line;
      if (Date.now() > deadline) throw new Error(`Vouch did not report ${what} within ${timeoutMs / 1000} s; its log in this window says:\n${currentVouchLog() || '(nothing)'}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const browser = await launchBrowser({ log: () => undefined });
  let workbench: Workbench | undefined;
  const close = async () => {
    if (workbench) openWorkbenches.delete(workbench);
    await browser.close();
    await server.stop();
    rmSync(scratch, { recursive: true, force: true });
  };
  try {
    const page = await browser.context.newPage();
    page.setDefaultTimeout(LOADED_TIMEOUT_MS);
    // The workbench's console (extension host logs included) is kept per run for diagnosis.
    const consoleLog = createWriteStream(path.join(artifactsDir, `workbench-console-${process.pid}.log`));
    page.on('console', (message) => consoleLog.write(`${message.type()}: ${message.text()}\n`));
    const payload = [['extensionDevelopmentPath', `vscode-remote://127.0.0.1:${server.port}${devExtensions}`]];
    // The extension host takes PATH from a login shell, not from code-server: it is set here.
    if (gate) payload.push(['extensionEnvironment', JSON.stringify({ PATH: [gate.binDir, process.env.PATH].join(path.delimiter) })]);
    await page.goto(`${server.baseUrl}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
    await page.waitForSelector('.explorer-folders-view .monaco-list-row');
    await waitForVouchLog(ACTIVATED, 'its activation');
    workbench = {
      page,
      context: browser.context,
      workspace,
      userDataDir: server.userDataDir,
      userSettings: () => {
        // VS Code rewrites settings.json in place: a read between its truncate and its write finds it
        // empty or cut short. That is "not written yet" to the callers, which wait for a value.
        try {
          return JSON.parse(readFileSync(path.join(server.userDataDir, 'User', 'settings.json'), 'utf8')) as Record<string, unknown>;
        } catch (error) {
          if (error instanceof SyntaxError) return {};
          throw error;
        }
      },
      async screenshot(name) {
        const file = path.join(artifactsDir, `${name}.png`);
        await page.screenshot({ path: file });
        return file;
      },
      async openFile(relativePath) {
        const base = path.basename(relativePath);
        const deadline = Date.now() + LOADED_TIMEOUT_MS;
        for (let attempt = 1; ; attempt++) {
          await this.openQuickInput('Control+P');
          await page.keyboard.type(relativePath);
          // Enter opens the focused row; results arrive in steps, so wait until that row is the file.
          await page.waitForSelector(`.quick-input-list .monaco-list-row.focused[aria-label*="${base}"]`);
          await page.keyboard.press('Enter');
          const opened = await page.waitForSelector(`.editor-group-container.active .tab.active[aria-label*="${base}"]`, { timeout: 20_000 }).then(
            () => true,
            () => false,
          );
          if (opened) break;
          if (Date.now() > deadline) throw new Error(`${relativePath} did not open from Quick Open`);
          process.stderr.write(`      (Quick Open did not open ${relativePath} on attempt ${attempt}; trying again)\n`);
          await page.keyboard.press('Escape');
        }
        await page.waitForSelector('.monaco-editor.focused');
      },
      async saveActiveEditor() {
        await page.keyboard.press('Control+S');
        // The active group's tab: another group (the review panel's) has an active, clean tab too.
        await page.waitForSelector('.editor-group-container.active .tab.active:not(.dirty)');
      },
      async openQuickInput(key) {
        const deadline = Date.now() + LOADED_TIMEOUT_MS;
        for (let attempt = 1; ; attempt++) {
          await page.keyboard.press(key);
          const shown = await page.waitForSelector('.quick-input-widget input', { state: 'visible', timeout: 10_000 }).then(
            () => this.waitForQuickInput().then(() => true),
            () => false,
          );
          if (shown) return;
          if (Date.now() > deadline) throw new Error(`the quick input did not open for ${key}`);
          process.stderr.write(`      (${key} did not open the quick input on attempt ${attempt}; focusing the editor and trying again)\n`);
          await page.keyboard.press('Escape');
          await page.keyboard.press('Control+1');
        }
      },
      async waitForQuickInput(title) {
        await page.waitForFunction((titleSource) => {
          const widget = document.querySelector<HTMLElement>('.quick-input-widget');
          if (!widget || widget.style.display === 'none') return false;
          if (titleSource !== null && !new RegExp(titleSource).test(widget.querySelector('.quick-input-title')?.textContent ?? '')) return false;
          const focused = document.activeElement;
          return focused instanceof HTMLInputElement && widget.contains(focused);
        }, title?.source ?? null);
      },
      async goToLine(line, column = 1) {
        await this.openQuickInput('Control+G');
        await page.keyboard.type(`${line}:${column}`);
        await page.keyboard.press('Enter');
        await page.waitForSelector('.quick-input-widget', { state: 'hidden' });
        await page.waitForSelector('.monaco-editor.focused');
        // The editor's own report that the cursor is on the line (its column may be clamped to the line's end): a focused editor alone may still be at the old position.
        await page.waitForFunction((wanted) => new RegExp(`Ln ${wanted},`).test(document.querySelector('.statusbar-item[id="status.editor.selection"]')?.textContent ?? ''), line);
      },
      async runCommand(label) {
        await this.openQuickInput('F1');
        await page.keyboard.type(label);
        await page.waitForSelector(`.quick-input-list .monaco-list-row.focused[aria-label*="${label}"]`);
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
        const deadline = Date.now() + LOADED_TIMEOUT_MS;
        while (Date.now() < deadline) {
          const shown = await page.waitForSelector('.ghost-text-decoration, .ghost-text', { timeout: 10_000 }).then(() => true, () => false);
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
          const marks: { line: number; state: string; color: string }[] = [];
          editor.querySelectorAll<HTMLElement>('.glyph-margin-widgets > div').forEach((glyph) => {
            // Extension decorations get generated 'ced-' class names; Vouch's icons are SVG data URIs that name their state.
            if (!Array.from(glyph.classList).some((name) => name.startsWith('ced-'))) return;
            const image = /url\("?data:image\/svg\+xml;base64,([^")]+)"?\)/.exec(getComputedStyle(glyph).backgroundImage);
            if (!image) return;
            const svg = atob(image[1]);
            const state = /data-vouch-state="([^"]+)"/.exec(svg)?.[1];
            const color = /(?:fill|stroke)="(#[0-9a-fA-F]+)"/.exec(svg)?.[1];
            if (state && color) marks.push({ line: numbers.get(parseFloat(glyph.style.top)) ?? -1, state, color });
          });
          return marks.sort((a, b) => a.line - b.line);
        });
      },
      async waitForLineMarks(what, check) {
        let marks: LineMark[] = [];
        try {
          return await waitUntil(what, async () => {
            marks = await this.lineMarks();
            return check(marks) && marks;
          });
        } catch (error) {
          throw new Error(`${error instanceof Error ? error.message : String(error)}; the marks shown: ${JSON.stringify(marks)}`);
        }
      },
      async reload(reloadOptions = {}) {
        earlierVouchLogs = new Set(logFilesNamed(logsDir, new Set(['Vouch.log'])));
        const closingHost = newestFile(logFilesNamed(logsDir, EXTENSION_HOST_LOGS));
        const reloading = page.reload();
        if (closingHost) {
          await waitForFileLine(closingHost, /Extension host terminating/, "the closing window's extension host to get the terminate message");
          reloadOptions.whenClosing?.();
          // Deactivation is over (VS Code allows it 5 s): what the closing window saved is on disk.
          await waitForFileLine(closingHost, /Extension host with pid \d+ exiting/, "the closing window's extension host to exit");
        }
        await reloading;
        await page.waitForSelector('.explorer-folders-view .monaco-list-row');
        await waitForVouchLog(ACTIVATED, 'its activation after the reload');
      },
      vouchLog: currentVouchLog,
      hashObjectGate: gate,
      async storedSpans(repoPath) {
        const store = await WorkingStateStore.open(git, workspace, silentLogger);
        return (await store.load(repoPath))?.spans ?? [];
      },
      async waitForStoredSpans(repoPath, check, what) {
        const deadline = Date.now() + LOADED_TIMEOUT_MS;
        for (;;) {
          const spans = await this.storedSpans(repoPath);
          if (check(spans)) return spans;
          if (Date.now() > deadline) throw new Error(`the working state on disk never held ${what}; it holds ${spans.length} span(s) of ${repoPath}`);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      },
      waitForVouchLog,
      async findFrame(selector) {
        const deadline = Date.now() + LOADED_TIMEOUT_MS;
        while (Date.now() < deadline) {
          for (const frame of page.frames()) {
            if (await frame.$(selector).catch(() => null)) return frame;
          }
          await page.waitForTimeout(200);
        }
        throw new Error(`no frame contains ${selector}`);
      },
      async saveDiagnostics(label) {
        const saved: string[] = [];
        try {
          saved.push(await this.screenshot(label));
        } catch (error) {
          process.stderr.write(`could not take the screenshot ${label}: ${error instanceof Error ? error.message : String(error)}\n`);
        }
        saved.push(...copyEditorLogs(server.userDataDir, artifactsDir, label));
        return saved;
      },
      async pointOnLine(lineNumber, column) {
        const point = await page.evaluate(
          ([wanted, at]) => {
            const editor = document.querySelector('.editor-group-container.active .monaco-editor');
            if (!editor) return undefined;
            let top: number | undefined;
            editor.querySelectorAll<HTMLElement>('.margin-view-overlays > div').forEach((row) => {
              if (Number(row.querySelector('.line-numbers')?.textContent?.trim()) === wanted) top = parseFloat(row.style.top);
            });
            const line = Array.from(editor.querySelectorAll<HTMLElement>('.view-lines .view-line')).find((node) => parseFloat(node.style.top) === top);
            if (!line) return undefined;
            const rect = line.getBoundingClientRect();
            const text = line.textContent ?? '';
            const content = line.firstElementChild as HTMLElement | null;
            const charWidth = content && text.length > 0 ? content.getBoundingClientRect().width / text.length : 8;
            return { x: rect.left + charWidth * (at + 0.5), y: rect.top + rect.height / 2 };
          },
          [lineNumber, column] as const,
        );
        if (!point) throw new Error(`line ${lineNumber} is not on screen`);
        return point;
      },
      async waitForHoverText(pattern) {
        // Hover parts arrive from several providers, one after another.
        const hover = await page.waitForFunction(
          ([source, flags]) => {
            const text = Array.from(document.querySelectorAll('.monaco-hover:not(.hidden) .hover-contents')).map((node) => node.textContent ?? '').join('\n');
            return new RegExp(source, flags).test(text) ? text : false;
          },
          [pattern.source, pattern.flags] as const,
        );
        return (await hover.jsonValue()) as string;
      },
      async dismissHover() {
        await page.mouse.move(5, 5);
        await page.keyboard.press('Escape');
        await page.waitForSelector('.monaco-hover:not(.hidden) .hover-contents', { state: 'detached' });
      },
      close,
    };
    openWorkbenches.add(workbench);
    return workbench;
  } catch (error) {
    await close();
    throw error;
  }
}

function newestFile(files: readonly string[]): string | undefined {
  let newest: { file: string; mtimeMs: number } | undefined;
  for (const file of files) {
    const { mtimeMs } = statSync(file);
    if (!newest || mtimeMs >= newest.mtimeMs) newest = { file, mtimeMs };
  }
  return newest?.file;
}

async function waitForFileLine(file: string, pattern: RegExp, what: string, timeoutMs = LOADED_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!readFileSync(file, 'utf8').split('\n').some((line) => pattern.test(line))) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what} (${path.basename(file)})`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Vouch's activation line ("Vouch 0.1.0 activated in 31.2 ms (...)"). */
const ACTIVATED = /\] Vouch \S+ activated\b/;

/** A folder holding a `git` whose `hash-object` waits while a hold file exists (at most 5 minutes), then runs the real git. */
function gatedGit(scratch: string): GitGate & { readonly binDir: string } {
  const realGit = findGitExecutable();
  const binDir = path.join(scratch, 'gated-git-bin');
  const gateDir = path.join(scratch, 'gated-git-state');
  mkdirSync(binDir, { recursive: true });
  mkdirSync(gateDir, { recursive: true });
  const holdFile = path.join(gateDir, 'hold');
  const quote = (text: string) => `'${text.replace(/'/g, "'\\''")}'`;
  const script = [
    '#!/bin/sh',
    'for argument in "$@"; do',
    '  [ "$argument" = hash-object ] || continue',
    `  waiting=${quote(gateDir)}/waiting-$$`,
    '  : > "$waiting"',
    '  rounds=0',
    `  while [ -e ${quote(holdFile)} ] && [ $rounds -lt 6000 ]; do sleep 0.05; rounds=$((rounds + 1)); done`,
    '  rm -f "$waiting"',
    '  break',
    'done',
    `exec ${quote(realGit)} "$@"`,
    '',
  ].join('\n');
  writeFileSync(path.join(binDir, 'git'), script);
  chmodSync(path.join(binDir, 'git'), 0o755);
  return {
    binDir,
    hold: () => writeFileSync(holdFile, ''),
    release: () => rmSync(holdFile, { force: true }),
    waiting: () => readdirSync(gateDir).filter((name) => name.startsWith('waiting-')).length,
  };
}

/**
 * One workbench for a suite: opened before its tests, closed after them. Call inside `describe`;
 * the returned function gives the workbench to the tests.
 */
export function workbenchForSuite(suite: Mocha.Suite, options: WorkbenchOptions = {}): () => Workbench {
  let workbench: Workbench | undefined;
  suite.timeout(900_000);
  before(async () => {
    workbench = await openWorkbench(options);
  });
  after(async () => {
    await workbench?.close();
  });
  return () => {
    if (!workbench) throw new Error('the workbench is not open');
    return workbench;
  };
}

/** Workbenches not closed yet (the failure hook in failureArtifacts.ts saves their diagnostics). */
export const openWorkbenches = new Set<Workbench>();

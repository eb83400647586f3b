// Editor tests: mocha inside the extension host of a real VS Code (code-server), driven through
// Chromium with the smoke-test driver. Prints "[editor] N passed, N failed"; non-zero exit on any
// failure or when the editor could not start.
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { format } from 'node:util';
import { launchBrowser } from './browser.mjs';
import { startCodeServer } from './codeServer.mjs';
import { prepareDevExtensions } from './devExtensions.mjs';
import { editorVscodeVersion, ensureEditor, repoRoot } from './setup.mjs';
import { copyEditorLogs, logTail } from './vouchLog.mjs';
import { createDemoRepository } from './workspace.mjs';

/** The whole run; the tests wait on conditions, so this is only reached when one hangs (a loaded 2-core machine needs minutes). */
const TIMEOUT_MS = 20 * 60_000;
/** One step of the page (loading the workbench on a busy machine can take a minute). */
const PAGE_TIMEOUT_MS = 120_000;
const artifactsDir = path.join(repoRoot, 'test-artifacts', 'editor');

/**
 * Lines from the workbench itself rather than from the tests: stack frames of workbench.js, and
 * the TypeScript extension, which cannot find the tsserver that code-server from npm lacks. They
 * stay in test-artifacts/editor/workbench-console.log.
 */
function isWorkbenchNoise(line) {
  return /^\s+at .*(workbench\.js|typescript-language-features)/.test(line) || /tsserver\.js|An unknown error occurred\. Please consult the log/.test(line);
}

async function bundleTests() {
  const suiteDir = path.join(repoRoot, 'test', 'editor', 'suite');
  // Per process, so two test runs on one checkout do not replace each other's bundles.
  const outDir = path.join(repoRoot, 'out', `editor-tests-${process.pid}`);
  process.once('exit', () => rmSync(outDir, { recursive: true, force: true }));
  rmSync(outDir, { recursive: true, force: true });
  const entryPoints = readdirSync(suiteDir).filter((name) => name.endsWith('.ts')).map((name) => path.join(suiteDir, name));
  await esbuild.build({
    entryPoints,
    outdir: outDir,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'inline',
    external: ['vscode', 'mocha'],
    logLevel: 'warning',
  });
  return path.join(outDir, 'index.js');
}

async function main() {
  const build = spawnSync(process.execPath, [path.join(repoRoot, 'scripts', 'build.mjs')], { stdio: 'inherit', cwd: repoRoot });
  if (build.status !== 0) throw new Error('build failed');
  const testsEntry = await bundleTests();
  const editor = ensureEditor();
  mkdirSync(artifactsDir, { recursive: true });
  // Failure diagnostics of an earlier run would be taken for this run's.
  if (existsSync(artifactsDir)) for (const name of readdirSync(artifactsDir)) if (name.startsWith('failed-')) rmSync(path.join(artifactsDir, name), { force: true });
  const scratch = mkdtempSync(path.join(tmpdir(), 'vouch-editor-tests-'));
  // Committed files the editor tests change as another program would: written before the editor
  // starts, so no write of theirs is still being looked at when a test begins.
  const closedFiles = {
    ...Object.fromEntries(['seen-edit', 'unseen-edit', 'saved-and-closed', 'saved-then-written', 'other-window-open', 'other-window-closed', 'saved-closed-written', 'saved-closed-let-go', 'saved-closed-formatted', 'saved-closed-formatted-late', 'dirty-then-written', 'dirty-then-discarded', 'dirty-then-marked', 'dirty-then-marked-discarded'].map((name) => [`closed/${name}.ts`, 'export const retryLimit = 1;\n'])),
    'closed/reloaded-twice.ts': 'export const retryLimit = 1;\nexport const retryDelayMs =\n  5;\nexport const retryBackoff = 2;\n',
    'closed/dirty-then-restored.ts': 'export const retryLimit = 1;\nexport function nextDelay(attempt: number): number {\n  return 250 * 2 ** attempt;\n}\n',
    'closed/reverted.ts': Array.from({ length: 12 }, (_, index) => (index === 6 ? 'function double(\n' : `const line${index} = ${index};\n`)).join(''),
  };
  const workspace = createDemoRepository(path.join(scratch, 'workspace'), { extraFiles: closedFiles });
  const devExtensions = prepareDevExtensions();
  // The test page may not hold the browser focus; ghost text must survive that.
  const server = await startCodeServer({ smokeTestDriver: true, extraSettings: { 'editor.inlineSuggest.keepOnBlur': true }, logFile: path.join(artifactsDir, 'code-server.log') });
  const browser = await launchBrowser();
  let summary;
  let testsStarted = false;
  /** The detection corpus's figures (test/editor/suite/corpus.test.ts), repeated at the end of the run. */
  let corpusLine;
  // The workbench logs a lot; only the test run goes to the console, everything to a file.
  const workbenchLog = createWriteStream(path.join(artifactsDir, 'workbench-console.log'));
  try {
    const page = await browser.context.newPage();
    page.setDefaultTimeout(PAGE_TIMEOUT_MS);
    /** Keeps a screenshot and the editor's logs (Vouch's own included) while the extension host still runs. */
    const keepDiagnostics = async (label) => {
      await page.screenshot({ path: path.join(artifactsDir, `${label}.png`) }).catch(() => undefined);
      const logs = copyEditorLogs(server.userDataDir, artifactsDir, label);
      console.log(`[editor] diagnostics kept in ${path.relative(repoRoot, artifactsDir)}: ${label}.png, ${logs.map((file) => path.basename(file)).join(', ')}`);
      // After mocha's failure list, so that npm test's repeat of it (what a CI log keeps) shows what Vouch did last.
      const vouchLog = logs.filter((file) => file.endsWith('-Vouch.log')).at(-1);
      if (vouchLog) console.log([`[editor] last lines of Vouch's log:`, ...logTail(vouchLog, 15).map((line) => `    ${line}`)].join('\n'));
    };
    const exitCode = new Promise((resolve) => {
      page.exposeFunction('codeAutomationExit', (code) => resolve(code));
    });
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      {
        const text = format(...(args ?? []));
        for (const line of text.split('\n')) {
          const match = /VOUCH_EDITOR_(INFO|SUMMARY|CORPUS) (.*)$/.exec(line);
          workbenchLog.write(`${line}\n`);
          if (match?.[1] === 'INFO') testsStarted = true;
          if (match?.[1] === 'INFO') console.log(`[editor] running inside ${JSON.parse(match[2]).appName} ${JSON.parse(match[2]).vscodeVersion} (code-server, VS Code ${editorVscodeVersion(editor)})`);
          else if (match?.[1] === 'SUMMARY') summary = JSON.parse(match[2]);
          else if (match?.[1] === 'CORPUS') corpusLine = match[2];
          else if (testsStarted && summary === undefined && line.trim() && !isWorkbenchNoise(line)) console.log(`  ${line}`);
        }
      }
    });
    const remote = (absolute) => `vscode-remote://127.0.0.1:${server.port}${absolute}`;
    const payload = [
      ['extensionDevelopmentPath', remote(devExtensions)],
      ['extensionTestsPath', remote(testsEntry)],
      ['extensionEnvironment', JSON.stringify({ VOUCH_TEST_WORKSPACE: workspace, VOUCH_TEST_ARTIFACTS: artifactsDir, VOUCH_TEST_USER_DATA: server.userDataDir, VOUCH_EDITOR_GREP: process.env.VOUCH_EDITOR_GREP ?? '' })],
    ];
    const url = `${server.baseUrl}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    await page.goto(url);
    const timeout = new Promise((resolve) => setTimeout(() => resolve('timeout'), TIMEOUT_MS).unref());
    const code = await Promise.race([exitCode, timeout]);
    if (code === 'timeout') {
      await keepDiagnostics('failed-timeout');
      throw new Error(`editor tests did not finish within ${TIMEOUT_MS / 1000} s`);
    }
    const passed = summary?.passed ?? 0;
    const failed = summary?.failed ?? (code === 0 ? 0 : 1);
    if (code !== 0 || !summary) await keepDiagnostics('failed-run');
    if (corpusLine) console.log(`[editor] detection corpus: ${corpusLine}`);
    console.log(`[editor] ${passed} passed, ${code !== 0 && failed === 0 ? 1 : failed} failed`);
    return code === 0 && summary ? 0 : 1;
  } finally {
    workbenchLog.end();
    await browser.close();
    await server.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    console.error(`[editor] could not run: ${error instanceof Error ? error.message : error}`);
    console.log('[editor] 0 passed, 1 failed');
    process.exitCode = 1;
  },
);

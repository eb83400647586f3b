// One benchmark session in the real editor (code-server + chromium): a fresh server, workspace
// repository and page; a driver module runs inside the extension host as its extensionTestsPath
// and writes its measurements to `out` (JSON). Shared by the editor benchmarks.
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { sourceMapFrameNamer, type FrameNamer } from './cpuProfile';

export const repoRoot = path.resolve(__dirname, '..');

/** Bundles a driver (it imports only 'vscode' and node built-ins at run time) into `outDir`. */
export async function bundleDriver(entry: string, outDir: string): Promise<string> {
  await esbuild.build({
    entryPoints: [entry],
    outdir: outDir,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
    logLevel: 'warning',
  });
  return path.join(outDir, `${path.basename(entry, '.ts')}.js`);
}

/**
 * Frames named by source file and line: the production bundle is built again with a source map (same
 * options as scripts/build.mjs), used only when its code is byte for byte the bundle that ran.
 */
export async function sourceFrameNamer(scratch: string): Promise<FrameNamer | undefined> {
  const outfile = path.join(scratch, 'mapped', 'extension.js');
  const { extensionBuildOptions } = await import('../scripts/extensionBuildOptions.mjs');
  await esbuild.build({ ...extensionBuildOptions({ production: true }), absWorkingDir: repoRoot, outfile, sourcemap: 'external' });
  const mapped = readFileSync(outfile, 'utf8').replace(/\n\/\/# sourceMappingURL=.*\n?$/, '\n');
  if (mapped !== readFileSync(path.join(repoRoot, 'dist', 'extension.js'), 'utf8')) return undefined;
  return sourceMapFrameNamer(new SourceMap(JSON.parse(readFileSync(`${outfile}.map`, 'utf8')) as ConstructorParameters<typeof SourceMap>[0]));
}

/**
 * Another commit of Vouch built for production in `scratch` (for figures before and after a change,
 * measured side by side in one run): its files from git, this checkout's node_modules, its own build.
 * Returns the folder to load as the extension.
 */
export function buildBaseline(scratch: string, commit: string): string {
  const folder = path.join(scratch, 'baseline');
  mkdirSync(folder);
  const archive = spawnSync('git', ['-C', repoRoot, 'archive', '--format=tar', '--end-of-options', commit], { maxBuffer: 1 << 30 });
  if (archive.status !== 0) throw new Error(`git archive ${commit} failed: ${archive.stderr.toString()}`);
  const unpack = spawnSync('tar', ['-x', '-C', folder], { input: archive.stdout });
  if (unpack.status !== 0) throw new Error(`unpacking ${commit} failed: ${unpack.stderr.toString()}`);
  symlinkSync(path.join(repoRoot, 'node_modules'), path.join(folder, 'node_modules'), 'dir');
  const build = spawnSync(process.execPath, [path.join(folder, 'scripts', 'build.mjs'), '--production'], { cwd: folder, stdio: 'inherit' });
  if (build.status !== 0) throw new Error(`the production build of ${commit} failed`);
  return folder;
}

export interface EditorSessionOptions {
  /** A fresh folder of the bench's scratch directory is made below it. */
  readonly scratch: string;
  readonly name: string;
  /** The workspace repository's files (committed). */
  readonly files: Record<string, string>;
  /** Development extensions by folder name → absolute path (Vouch: repoRoot). */
  readonly extensions: Record<string, string>;
  readonly driver: string;
  /** Given to the driver as VOUCH_BENCH_SETTINGS (JSON), with `out` added. */
  readonly settings: Record<string, unknown>;
  readonly environment?: Record<string, string>;
  readonly editorSettings?: Record<string, unknown>;
  readonly timeoutMs?: number;
}

/** Runs one session; returns what the driver wrote to its `out` file. */
export async function runEditorSession<T>(options: EditorSessionOptions): Promise<T> {
  const { startCodeServer } = await import('../scripts/editor/codeServer.mjs');
  const { launchBrowser } = await import('../scripts/editor/browser.mjs');
  const { createDemoRepository } = await import('../scripts/editor/workspace.mjs');
  const sessionDir = mkdtempSync(path.join(options.scratch, `${options.name}-`));
  // The script's JSDoc-less default types its files as the demo's; any files will do.
  const createRepository = createDemoRepository as (dir: string, options: { files: Record<string, string> }) => string;
  const workspace = createRepository(path.join(sessionDir, 'workspace'), { files: options.files });
  const extensions = path.join(sessionDir, 'extensions');
  mkdirSync(extensions);
  for (const [name, target] of Object.entries(options.extensions)) symlinkSync(target, path.join(extensions, name), 'dir');
  const out = path.join(sessionDir, 'result.json');
  const server = await startCodeServer({ smokeTestDriver: true, stateDir: path.join(sessionDir, 'editor'), log: () => undefined, extraSettings: options.editorSettings ?? {} });
  const browser = await launchBrowser({ log: () => undefined });
  try {
    const page = await browser.context.newPage();
    const exitCode = new Promise<number>((resolve) => void page.exposeFunction('codeAutomationExit', (code: number) => resolve(code)));
    // The driver's console output, kept in the session folder (VOUCH_BENCH_KEEP keeps it) as it comes.
    const driverLog: string[] = [];
    await page.exposeFunction('codeAutomationLog', (_type: string, args: unknown[] | undefined) => {
      const line = (args ?? []).map(String).join(' ');
      driverLog.push(line);
      appendFileSync(path.join(sessionDir, 'driver.log'), `${new Date().toISOString()} ${line}\n`);
    });
    const remote = (absolute: string) => `vscode-remote://127.0.0.1:${server.port}${absolute}`;
    const payload = [
      ['extensionDevelopmentPath', remote(extensions)],
      ['extensionTestsPath', remote(options.driver)],
      ['extensionEnvironment', JSON.stringify({ ...options.environment, VOUCH_BENCH_SETTINGS: JSON.stringify({ ...options.settings, out }) })],
    ];
    await page.goto(`${server.baseUrl}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
    const timeout = new Promise<string>((resolve) => setTimeout(() => resolve('timeout'), options.timeoutMs ?? 20 * 60_000).unref());
    const code = await Promise.race([exitCode, timeout]);
    if (code !== 0) throw new Error(`the ${options.name} session ended with ${code}${driverLog.length ? `:\n${driverLog.slice(-20).join('\n')}` : ''}`);
    return JSON.parse(readFileSync(out, 'utf8')) as T;
  } finally {
    await browser.close();
    await server.stop();
  }
}

/**
 * Runs an editor benchmark: Vouch built for production (as users get it), a scratch folder
 * (kept with VOUCH_BENCH_KEEP), and afterwards the development build the tests expect.
 */
export function runEditorBench(name: string, body: (scratch: string) => Promise<void>): void {
  const run = async () => {
    const build = spawnSync(process.execPath, [path.join(repoRoot, 'scripts', 'build.mjs'), '--production'], { cwd: repoRoot, stdio: 'inherit' });
    if (build.status !== 0) throw new Error('production build failed');
    const scratch = mkdtempSync(path.join(tmpdir(), `vouch-bench-${name}-`));
    try {
      await body(scratch);
    } finally {
      if (process.env.VOUCH_BENCH_KEEP) console.log(`  sessions kept in ${scratch}`);
      else rmSync(scratch, { recursive: true, force: true });
      spawnSync(process.execPath, [path.join(repoRoot, 'scripts', 'build.mjs')], { cwd: repoRoot, stdio: 'inherit' });
    }
  };
  run().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}

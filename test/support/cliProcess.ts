// The `vouch` CLI as its own process, for tests and benchmarks where processes race each other
// (locks, pushes): one esbuild bundle of src/cli/main.ts, as shipped, so each process starts fast.
import { spawn } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { build } from 'esbuild';
import type { CliRun } from './cliRun';

const projectRoot = path.resolve(__dirname, '..', '..');

/** Bundles the CLI into `dir`/vouch-cli.js and returns its path. */
export async function bundleCli(dir: string): Promise<string> {
  return bundleForNode(path.join(projectRoot, 'src/cli/main.ts'), path.join(dir, 'vouch-cli.js'));
}

let sharedCli: Promise<string> | undefined;

/**
 * The CLI bundled once per test process (one mocha run), in a temporary folder removed when the
 * process exits: every test that runs the real `vouch` as a process (git hooks, launchers on PATH)
 * shares it instead of paying a bundle, or a TypeScript loader's start, per test or per call.
 */
export function sharedCliBundle(): Promise<string> {
  sharedCli ??= (async () => {
    const dir = realpathSync(mkdtempSync(path.join(tmpdir(), 'vouch-cli-bundle-')));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    return bundleCli(dir);
  })();
  return sharedCli;
}

/** Writes an executable `vouch` launcher at `file` (what --vouch-path or PATH finds) that runs the bundled CLI `cli`. */
export function writeCliLauncher(file: string, cli: string): string {
  writeFileSync(file, `#!/bin/sh\nexec '${process.execPath}' '${cli}' "$@"\n`, { mode: 0o755 });
  return file;
}

/**
 * Bundles a TypeScript script (and the sources it imports) into one plain-node file: a child
 * process started from it costs a node start, not a TypeScript loader's compile of every import,
 * which on a busy machine made tests that start dozens of children run past their time.
 */
export async function bundleForNode(entry: string, outfile: string, options: { readonly define?: Readonly<Record<string, string>>; readonly external?: readonly string[] } = {}): Promise<string> {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'error',
    define: { VOUCH_VERSION: '"test"', ...options.define },
    external: [...(options.external ?? [])],
  });
  return outfile;
}

/** Runs `node <cli> ...argv` in `cwd`; resolves with its exit code and output (never rejects on a non-zero exit). */
export function runCliProcess(cli: string, cwd: string, argv: readonly string[], options: { readonly input?: string; readonly env?: NodeJS.ProcessEnv } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...argv], { cwd, env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : -1), stdout, stderr }));
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

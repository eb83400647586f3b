// The `vouch` CLI as its own process, for tests and benchmarks where processes race each other
// (locks, pushes): one esbuild bundle of src/cli/main.ts, as shipped, so each process starts fast.
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { build } from 'esbuild';
import type { CliRun } from './cliRun';

const projectRoot = path.resolve(__dirname, '..', '..');

/** Bundles the CLI into `dir`/vouch-cli.js and returns its path. */
export async function bundleCli(dir: string): Promise<string> {
  const cli = path.join(dir, 'vouch-cli.js');
  await build({ entryPoints: [path.join(projectRoot, 'src/cli/main.ts')], outfile: cli, bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'error', define: { VOUCH_VERSION: '"test"' } });
  return cli;
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

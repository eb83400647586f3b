import * as assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { runCli } from '../../../src/cli/cli';
import { GitRunner } from '../../../src/git/gitRunner';
import { capture } from '../../support/cliRun';
import { initTemporaryRepository, removeTemporaryRepository } from '../../support/temporaryRepository';

export const git = new GitRunner();

export interface CliRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** Runs `vouch <args>` in-process with captured output. */
export async function vouch(cwd: string, args: string[]): Promise<CliRun> {
  const io = capture(cwd);
  const code = await runCli(args, io);
  return { code, out: io.out, err: io.err };
}

export async function vouchOk(cwd: string, args: string[]): Promise<CliRun> {
  const result = await vouch(cwd, args);
  assert.equal(result.code, 0, `vouch ${args.join(' ')} failed: ${result.err}${result.out}`);
  return result;
}

/** A temporary repository with a user and one commit of `files`. */
export async function createRepository(prefix: string, files: Record<string, string>): Promise<{ dir: string; remove: () => void }> {
  const dir = await initTemporaryRepository(prefix);
  await git.run(['config', 'user.name', 'Dana Developer'], { cwd: dir });
  await git.run(['config', 'user.email', 'dana@example.com'], { cwd: dir });
  await git.run(['config', 'commit.gpgsign', 'false'], { cwd: dir });
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  await git.run(['add', '-A'], { cwd: dir });
  await git.run(['commit', '-q', '-m', 'initial'], { cwd: dir });
  return { dir, remove: () => removeTemporaryRepository(dir) };
}

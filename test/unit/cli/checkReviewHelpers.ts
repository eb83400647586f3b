import * as assert from 'node:assert/strict';
import { runCli } from '../../../src/cli/cli';
import { GitRunner } from '../../../src/git/gitRunner';
import { capture } from '../../support/cliRun';
import { TestRepo, type TestFiles } from '../../support/testRepo';

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

/** A temporary repository of Dana Developer with one commit of `files`. */
export async function createRepository(prefix: string, files: TestFiles): Promise<{ dir: string; remove: () => void }> {
  const repo = await TestRepo.withBaseCommit(files, { prefix, user: { name: 'Dana Developer', email: 'dana@example.com' }, message: 'initial' });
  return { dir: repo.dir, remove: () => repo.cleanup() };
}

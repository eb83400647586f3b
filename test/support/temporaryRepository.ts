// A fresh git repository in a temporary directory, for tests that run the CLI against one.
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GitRunner } from '../../src/git/gitRunner';

const git = new GitRunner();

/** `git init` in a new temporary directory named `<prefix>XXXXXX`; returns its real path (macOS /tmp is a symlink). */
export async function initTemporaryRepository(prefix: string): Promise<string> {
  const dir = realpathSync(mkdtempSync(path.join(os.tmpdir(), prefix)));
  await git.run(['init', '-q'], { cwd: dir });
  return dir;
}

export function removeTemporaryRepository(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

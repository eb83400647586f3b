/**
 * Entries of the two small bundles the git hooks load (scripts/build.mjs): dist/vouch-check.js
 * runs only `vouch check` (the pre-commit hook) and dist/vouch-record-commit.js only `vouch
 * record-commit` (the post-commit hook), so each commit loads the code of one command, not the CLI.
 * dist/cli.js (cliEntry.ts) loads them with their V8 code cache (bundleCodeCache.ts) and calls
 * their `runHookBundle`; run directly with node, a bundle runs its command by itself.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { CliCommand } from './cli';
import type { PendingCodeCache } from './bundleCodeCache';
import { defaultIo, runMain } from './processIo';
import { writeFileAtomic } from '../git/atomicWrite';

/** What a hook bundle exports to dist/cli.js. */
export type RunHookBundle = (pendingCache?: PendingCodeCache) => void;

export function hookCommandEntry(name: string, command: CliCommand): RunHookBundle {
  return (pendingCache) =>
    runMain(async ([given, ...rest]) => {
      if (given !== name) {
        process.stderr.write(`vouch: this bundle runs only '${name}', not '${given}'\n`);
        return 2;
      }
      const code = await command.run(rest, defaultIo());
      // Only a run that did the command's work leaves a cache: one made by `--help` or a usage error would hold little of the code a hook runs.
      if (pendingCache && (code === 0 || code === 1) && !rest.some((arg) => arg === '-h' || arg === '--help')) await writeCodeCache(pendingCache);
      return code;
    });
}

/** Writes the code cache for the next run (private to the user); a cache that cannot be written only costs that run its compile time. */
async function writeCodeCache(pending: PendingCodeCache): Promise<void> {
  try {
    await fs.mkdir(path.dirname(pending.file), { recursive: true, mode: 0o700 });
    await writeFileAtomic(pending.file, pending.bytes(), { mode: 0o600 });
  } catch {
    // read-only home, full disk: the command's result stands
  }
}

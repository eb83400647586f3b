/**
 * Entries of the two small bundles the git hooks load (scripts/build.mjs): dist/vouch-check.js
 * runs only `vouch check` (the pre-commit hook) and dist/vouch-record-commit.js only `vouch
 * record-commit` (the post-commit hook), so each commit loads the code of one command, not the CLI.
 * dist/cli.js (cliEntry.ts) loads them with their V8 code cache (git/bundleCodeCache.ts) and calls
 * their `runHookBundle`; run directly with node, a bundle runs its command by itself.
 */
import type { CliCommand } from './cli';
import type { PendingCodeCache } from '../git/bundleCodeCache';
import { defaultIo, runMain } from './processIo';

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
      if (pendingCache && (code === 0 || code === 1) && !rest.some((arg) => arg === '-h' || arg === '--help')) await pendingCache.write();
      return code;
    });
}

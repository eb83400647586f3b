/**
 * Entries of the two small bundles the git hooks load (scripts/build.mjs): dist/vouch-check.js
 * runs only `vouch check` (the pre-commit hook) and dist/vouch-record-commit.js only `vouch
 * record-commit` (the post-commit hook), so each commit loads the code of one command, not the CLI.
 * dist/cli.js sends those two commands here.
 */
import type { CliCommand } from './cli';
import { defaultIo, runMain } from './processIo';

export function runHookCommand(name: string, command: CliCommand): void {
  runMain(async ([given, ...rest]) => {
    if (given === name) return command.run(rest, defaultIo());
    process.stderr.write(`vouch: this bundle runs only '${name}', not '${given}'\n`);
    return 2;
  });
}

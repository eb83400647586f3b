/**
 * Entry of dist/vouch-git-hooks.js: only the commands the pre-commit and post-commit hooks run
 * (`check`, `record-commit`), so a commit loads a smaller bundle. dist/cli.js sends them here.
 */
import { checkCommand } from './commands/check';
import { recordCommitCommand } from './commands/recordCommit';
import { defaultIo, runMain } from './processIo';

runMain(async ([name, ...rest]) => {
  if (name === 'check') return checkCommand.run(rest, defaultIo());
  if (name === 'record-commit') return recordCommitCommand.run(rest, defaultIo());
  process.stderr.write(`vouch: '${name}' is not a git hook command\n`);
  return 2;
});

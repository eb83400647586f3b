/** Entry of dist/vouch-record-commit.js: `vouch record-commit`, what the post-commit hook runs (see hookCommandMain.ts). */
import { recordCommitCommand } from './commands/recordCommit';
import { runHookCommand } from './hookCommandMain';

runHookCommand('record-commit', recordCommitCommand);

/** Entry of dist/vouch-record-commit.js: `vouch record-commit`, what the post-commit hook runs (see hookCommandMain.ts). */
import { recordCommitCommand } from './commands/recordCommit';
import { hookCommandEntry } from './hookCommandMain';

export const runHookBundle = hookCommandEntry('record-commit', recordCommitCommand);
if (require.main === module) runHookBundle();

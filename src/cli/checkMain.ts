/** Entry of dist/vouch-check.js: `vouch check`, what the pre-commit hook runs (see hookCommandMain.ts). */
import { checkCommand } from './commands/check';
import { hookCommandEntry } from './hookCommandMain';

export const runHookBundle = hookCommandEntry('check', checkCommand);
if (require.main === module) runHookBundle();

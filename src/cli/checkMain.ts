/** Entry of dist/vouch-check.js: `vouch check`, what the pre-commit hook runs (see hookCommandMain.ts). */
import { checkCommand } from './commands/check';
import { runHookCommand } from './hookCommandMain';

runHookCommand('check', checkCommand);

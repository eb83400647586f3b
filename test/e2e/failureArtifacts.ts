// Mocha root hook (loaded with --require by scripts/editor/run-e2e.mjs): when an e2e test fails,
// every workbench still open keeps a screenshot and the editor's logs (Vouch's own log included)
// in test-artifacts/e2e/, so a failure on a busy machine can be told apart: attribution lost or late.
import type { Context } from 'mocha';
import { openWorkbenches } from './workbench';

/** Lines of Vouch's log added to a failure's message: the end-of-run failure list (which CI keeps) then shows what Vouch did last. */
const LOG_LINES_IN_FAILURE = 12;

export const mochaHooks = {
  async afterEach(this: Context): Promise<void> {
    const test = this.currentTest;
    if (test?.state !== 'failed') return;
    const label = `failed-${test.fullTitle().replace(/\W+/g, '-').slice(0, 120)}`;
    const { logTail } = await import('../../scripts/editor/vouchLog.mjs');
    let index = 0;
    const tails: string[] = [];
    for (const workbench of openWorkbenches) {
      index += 1;
      const saved = await workbench.saveDiagnostics(openWorkbenches.size > 1 ? `${label}-${index}` : label);
      process.stdout.write(`      diagnostics kept: ${saved.map((file) => file.replace(/^.*test-artifacts/, 'test-artifacts')).join(', ')}\n`);
      const vouchLog = saved.filter((file) => file.endsWith('-Vouch.log')).at(-1);
      if (vouchLog) tails.push(`  last lines of Vouch's log (window ${index}):`, ...logTail(vouchLog, LOG_LINES_IN_FAILURE).map((line) => `    ${line}`));
    }
    const error = test.err;
    if (error && tails.length > 0) {
      const original = error.message;
      error.message = `${original}\n${tails.join('\n')}`;
      if (error.stack) error.stack = error.stack.replace(original, error.message);
    }
  },
};

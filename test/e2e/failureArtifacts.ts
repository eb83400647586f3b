// Mocha root hook (loaded with --require by scripts/editor/run-e2e.mjs): when an e2e test fails,
// every workbench still open keeps a screenshot and the editor's logs (Vouch's own log included)
// in test-artifacts/e2e/, so a failure on a busy machine can be told apart: attribution lost or late.
import type { Context } from 'mocha';
import { openWorkbenches } from './workbench';

export const mochaHooks = {
  async afterEach(this: Context): Promise<void> {
    const test = this.currentTest;
    if (test?.state !== 'failed') return;
    const label = `failed-${test.fullTitle().replace(/\W+/g, '-').slice(0, 120)}`;
    let index = 0;
    for (const workbench of openWorkbenches) {
      index += 1;
      const saved = await workbench.saveDiagnostics(openWorkbenches.size > 1 ? `${label}-${index}` : label);
      process.stdout.write(`      diagnostics kept: ${saved.map((file) => file.replace(/^.*test-artifacts/, 'test-artifacts')).join(', ')}\n`);
    }
  },
};

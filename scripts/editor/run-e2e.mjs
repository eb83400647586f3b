// End-to-end tests through the UI (playwright-core + Debian chromium against code-server).
// Screenshots land in test-artifacts/e2e/. Prints "[e2e] N passed, N failed".
import { spawnSync } from 'node:child_process';
import { ensureChromium, ensureEditor } from './setup.mjs';
import { runMocha } from '../mocha-runner.mjs';

const build = spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
if (build.status !== 0) {
  console.log('[e2e] 0 passed, 1 failed (build failed)');
  process.exit(1);
}
try {
  ensureEditor();
  ensureChromium();
} catch (error) {
  console.error(`[e2e] could not prepare the editor: ${error instanceof Error ? error.message : error}`);
  console.log('[e2e] 0 passed, 1 failed');
  process.exit(1);
}
process.exitCode = await runMocha('e2e', ['test/e2e/**/*.e2e.test.ts'], ['--timeout', '180000']);

// End-to-end tests through the UI (playwright-core + Debian chromium against code-server).
// Arguments name test files to run instead of all. Screenshots land in test-artifacts/e2e/; a failed test also keeps the editor's logs there. Prints "[e2e] N passed, N failed".
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { ensureChromium, ensureEditor, repoRoot } from './setup.mjs';
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
// Failure diagnostics of an earlier run would be taken for this run's.
const artifactsDir = path.join(repoRoot, 'test-artifacts', 'e2e');
if (existsSync(artifactsDir)) for (const name of readdirSync(artifactsDir)) if (name.startsWith('failed-')) rmSync(path.join(artifactsDir, name), { force: true });
// `npm run test:e2e -- test/e2e/reviewKeyboard.e2e.test.ts` runs only the files named.
const specs = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['test/e2e/**/*.e2e.test.ts'];
process.exitCode = await runMocha('e2e', specs, ['--timeout', '180000', '--require', 'test/e2e/failureArtifacts.ts']);

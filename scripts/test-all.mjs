// `npm test`: type-check and lint, then the three kinds of tests (unit, editor, e2e), then the
// packaged .vsix installed into a fresh editor. Every kind
// runs even when an earlier one fails, so one run shows everything; the exit code is non-zero if
// anything failed.
import { spawnSync } from 'node:child_process';

const steps = [
  ['typecheck', ['npx', 'tsc', '-p', '.', '--noEmit']],
  ['lint', ['npx', 'eslint', 'src', 'test', 'scripts', 'bench']],
  ['unit', ['node', 'scripts/test-unit.mjs']],
  ['editor', ['node', 'scripts/editor/run-editor-tests.mjs']],
  ['e2e', ['node', 'scripts/editor/run-e2e.mjs']],
  ['vsix', ['node', 'scripts/editor/vsix-smoke.mjs']],
];
const failed = [];
const started = Date.now();
for (const [name, [command, ...args]] of steps) {
  console.log(`\n===== ${name} =====`);
  const result = spawnSync(command, args, { stdio: 'inherit' });
  if (result.status !== 0) failed.push(name);
}
const seconds = Math.round((Date.now() - started) / 1000);
console.log(`\n===== npm test: ${failed.length === 0 ? 'all passed' : `FAILED: ${failed.join(', ')}`} (${seconds} s) =====`);
process.exitCode = failed.length === 0 ? 0 : 1;

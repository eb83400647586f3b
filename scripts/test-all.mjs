// `npm test`: type-check and lint, then the three kinds of tests (unit, editor, e2e), then the
// packaged .vsix installed into a fresh editor. Every kind
// runs even when an earlier one fails, so one run shows everything; the exit code is non-zero if
// anything failed. The failures of every kind are printed again at the very end, because a CI log
// is often read (or kept) only from its tail.
import { spawn } from 'node:child_process';

const steps = [
  ['typecheck', ['npx', 'tsc', '-p', '.', '--noEmit']],
  ['lint', ['npx', 'eslint', 'src', 'test', 'scripts', 'bench']],
  ['unit', ['node', 'scripts/test-unit.mjs']],
  ['editor', ['node', 'scripts/editor/run-editor-tests.mjs']],
  ['e2e', ['node', 'scripts/editor/run-e2e.mjs']],
  ['vsix', ['node', 'scripts/editor/vsix-smoke.mjs']],
];
/**
 * Lines kept per failed step: mocha's failure list (with one stack frame per failure), or the tail of
 * a step that is not mocha. Small, so that the repeat of every failed kind fits in a short CI tail.
 */
const keptLines = 60;
const stackFrame = /^\s+at\s/;
const ansiEscape = /\x1b\[[0-9;]*[A-Za-z]/g;

/** Runs one step with its output passed through, and resolves to its exit code and what to repeat. */
function runStep(command, args) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['inherit', 'pipe', 'pipe'] });
    let tail = [];
    let failureList = null;
    let partial = '';
    const take = (chunk) => {
      partial += chunk.toString().replace(ansiEscape, '');
      const lines = partial.split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (/^\s+\d+ failing\s*$/.test(line)) failureList = [];
        const repeatedFrame = stackFrame.test(line) && stackFrame.test(failureList?.at(-1) ?? '');
        if (failureList !== null && failureList.length < keptLines && !repeatedFrame && line.trim() !== '') failureList.push(line);
        tail.push(line);
        if (tail.length > 2 * keptLines) tail = tail.slice(-keptLines);
      }
    };
    child.stdout.on('data', (chunk) => { process.stdout.write(chunk); take(chunk); });
    child.stderr.on('data', (chunk) => { process.stderr.write(chunk); take(chunk); });
    child.on('error', (error) => resolve({ code: 1, summary: [String(error)] }));
    child.on('close', (code) => {
      if (partial) tail.push(partial);
      resolve({ code: code ?? 1, summary: failureList ?? tail.slice(-40) });
    });
  });
}

const failed = [];
const started = Date.now();
for (const [name, [command, ...args]] of steps) {
  console.log(`\n===== ${name} =====`);
  const result = await runStep(command, args);
  if (result.code !== 0) failed.push({ name, summary: result.summary });
}
for (const { name, summary } of failed) {
  console.log(`\n===== what failed in ${name} (repeated from above) =====`);
  console.log(summary.join('\n'));
}
const seconds = Math.round((Date.now() - started) / 1000);
console.log(`\n===== npm test: ${failed.length === 0 ? 'all passed' : `FAILED: ${failed.map(({ name }) => name).join(', ')}`} (${seconds} s) =====`);
process.exitCode = failed.length === 0 ? 0 : 1;

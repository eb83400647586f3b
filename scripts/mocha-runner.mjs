// Runs mocha in a child process and prints the closing "N passed, N failed" line for a test kind.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** Resolves to the exit code; the summary line is printed here so every kind reports the same way. */
export function runMocha(kind, specs, extraArgs = []) {
  const mochaBin = require.resolve('mocha/bin/mocha.js');
  const args = [mochaBin, '--require', 'tsx/cjs', '--reporter', 'spec', '--reporter-option', 'maxDiffSize=4000', '--timeout', '60000', ...extraArgs, ...specs];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let passed = 0;
    let failed = 0;
    let pending = 0;
    let buffered = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const passing = /^\s+(\d+) passing/.exec(line);
        const failing = /^\s+(\d+) failing/.exec(line);
        const skipped = /^\s+(\d+) pending/.exec(line);
        if (passing) passed = Number(passing[1]);
        if (failing) failed = Number(failing[1]);
        if (skipped) pending = Number(skipped[1]);
      }
    });
    child.on('close', (code) => {
      const failures = code !== 0 && failed === 0 ? 1 : failed;
      console.log(`[${kind}] ${passed} passed, ${failures} failed${pending ? `, ${pending} pending` : ''}`);
      resolve(code === 0 ? 0 : 1);
    });
  });
}

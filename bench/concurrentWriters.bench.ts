// Two editor windows, a terminal and an agent hook recording, reviewing and committing on one
// repository at once for a minute, each its own process (test/support/concurrentWriters.ts):
// counts the records afterwards (nothing lost, nothing duplicated).
import { rmSync } from 'node:fs';
import { createConcurrentRepository, runConcurrentWriters } from '../test/support/concurrentWriters';
import { recordBenchResults } from './results';

const SECONDS = 60;

async function main(): Promise<void> {
  const setup = await createConcurrentRepository('vouch-bench-writers-');
  try {
    const started = performance.now();
    const figures = await runConcurrentWriters(setup, SECONDS);
    const wallMs = Math.round(performance.now() - started);
    console.log(`4 writers for ${SECONDS} s (${wallMs} ms with the last rounds): ${figures.writers.map((writer) => `${writer.name} ${writer.commits} commits`).join(', ')}`);
    console.log(`  commits ${figures.commits}, records ${figures.records}; AI lines committed ${figures.aiLinesCommitted}, recorded ${figures.aiLinesRecorded}`);
    console.log(`  lost ${figures.lost}, duplicated ${figures.duplicated}, recorded in a commit that did not add them ${figures.unexpected}; failed steps ${figures.failures.length}`);
    for (const failure of figures.failures.slice(0, 5)) console.log(`  failure: ${failure}`);
    recordBenchResults('concurrentWriters', { ...figures, failures: figures.failures.slice(0, 5), wallMs });
    if (figures.lost > 0 || figures.duplicated > 0 || figures.unexpected > 0 || figures.failures.length > 0 || figures.records !== figures.commits) process.exitCode = 1;
  } finally {
    rmSync(setup.dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

// 50 clones syncing notes to one bare remote at once, each `vouch sync` in its own process (the
// CLI bundled as shipped): every record of every clone must be on the remote afterwards, none twice,
// and every clone must hold them all after one more sync.
import { rmSync } from 'node:fs';
import { bundleCli } from '../test/support/cliProcess';
import { createSyncOrigin, syncClonesInParallel } from '../test/support/notesSyncClones';
import { recordBenchResults } from './results';

const CLONES = 50;
const RECORDS_PER_CLONE = 2;
const COMMITS = 5;

async function main(): Promise<void> {
  const setup = await createSyncOrigin(COMMITS, 'vouch-bench-sync-');
  try {
    const cli = await bundleCli(setup.dir);
    const figures = await syncClonesInParallel(setup, cli, CLONES, RECORDS_PER_CLONE);
    console.log(`${CLONES} clones x ${RECORDS_PER_CLONE} records on ${COMMITS} commits, vouch sync all at once: ${figures.syncMs} ms`);
    const allPresent = figures.lost === 0 && figures.duplicated === 0 && figures.clonesHoldingAll === CLONES;
    console.log(`  records present on the remote: ${figures.recordsExpected - figures.lost} of ${figures.recordsExpected} expected (lost ${figures.lost}, duplicated ${figures.duplicated}; ${figures.recordsOnRemote} record lines in all)`);
    console.log(`  syncs failed ${figures.failedSyncs}; clones holding all ${figures.recordsExpected} records after one more sync: ${figures.clonesHoldingAll} of ${CLONES}`);
    console.log(`  every record of every clone present: ${allPresent ? 'yes' : 'NO'}`);
    for (const failure of figures.failures.slice(0, 5)) console.log(`  failure: ${failure}`);
    recordBenchResults('notesSync', { ...figures, recordsPresent: figures.recordsExpected - figures.lost, everyRecordPresent: allPresent, failures: figures.failures.slice(0, 5), recordsPerClone: RECORDS_PER_CLONE, commits: COMMITS });
    if (figures.lost > 0 || figures.duplicated > 0 || figures.failedSyncs > 0 || figures.clonesHoldingAll !== CLONES) process.exitCode = 1;
  } finally {
    rmSync(setup.dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

import * as assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { countFault } from '../../support/faultFigures';
import { createConcurrentRepository, runConcurrentWriters, type ConcurrentRepository } from '../../support/concurrentWriters';

describe('concurrent writers on one repository (real processes, real git hooks)', function () {
  // The writers stop starting rounds after 10 s; a busy machine makes each round slow.
  this.timeout(600_000);
  let setup: ConcurrentRepository;

  before(async () => {
    setup = await createConcurrentRepository();
  });
  after(() => rmSync(setup.dir, { recursive: true, force: true }));

  it('two editor windows, a terminal and an agent hook marking, reviewing and committing at once: every committed AI line recorded once, in its commit', async () => {
    const figures = await runConcurrentWriters(setup, 10);
    // One case per commit a writer made while the others wrote; lost counts committed AI lines in no record.
    for (let commit = 0; commit < figures.commits; commit++) countFault('concurrent writers (2 windows, terminal, agent hook)', { survived: figures.failures.length === 0 && figures.duplicated === 0 && figures.unexpected === 0, lost: commit === 0 ? figures.lost : 0 });
    assert.deepEqual(figures.failures, []);
    for (const writer of figures.writers) assert.ok(writer.commits > 0, `${writer.name} committed`);
    assert.deepEqual(
      { lost: figures.lost, duplicated: figures.duplicated, unexpected: figures.unexpected, recorded: figures.aiLinesRecorded, records: figures.records },
      { lost: 0, duplicated: 0, unexpected: 0, recorded: figures.aiLinesCommitted, records: figures.commits },
    );
  });
});

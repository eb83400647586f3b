// How many git processes the commands of Vouch's git hooks start (issue 13: each git start costs a
// commit a few milliseconds of CPU; the hooks together should cost at most 2.5 bare node starts).
// Counted with a `git` wrapper first on PATH: the CLI's GitRunner takes the first git on PATH,
// git's own helpers (e.g. fast-import's unpack-objects) do not pass through it.
import * as assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { findGitExecutable } from '../../../src/git/gitRunner';
import { vouch } from '../../support/cliRun';
import { TestRepo, nextDateEnv } from '../../support/testRepo';

describe('git processes started by the hook commands (check --staged, record-commit)', function () {
  this.timeout(120_000);
  let repo: TestRepo;
  let wrapperDir: string;
  let log: string;
  let savedPath: string | undefined;
  const files = ['a.ts', 'b.ts', 'c.ts'];

  beforeEach(async () => {
    repo = await TestRepo.create();
    for (const file of files) repo.write(file, Array.from({ length: 20 }, (_, i) => `export const human${i} = ${i};\n`).join(''));
    await repo.commitAll('base');
    wrapperDir = mkdtempSync(path.join(tmpdir(), 'vouch-git-count-'));
    log = path.join(wrapperDir, 'calls.log');
    writeFileSync(log, '');
    const wrapper = path.join(wrapperDir, 'git');
    writeFileSync(wrapper, `#!/bin/sh\necho "$*" >> '${log}'\nexec '${findGitExecutable()}' "$@"\n`);
    chmodSync(wrapper, 0o755);
    savedPath = process.env.PATH;
  });
  afterEach(() => {
    process.env.PATH = savedPath;
    repo.cleanup();
    rmSync(wrapperDir, { recursive: true, force: true });
  });

  /** Runs `vouch ...args` with the counting git first on PATH; returns the git calls it made. */
  async function counted(...args: string[]): Promise<string[]> {
    writeFileSync(log, '');
    process.env.PATH = `${wrapperDir}${path.delimiter}${savedPath ?? ''}`;
    try {
      const run = await vouch(repo.dir, ...args);
      assert.equal(run.code, 0, run.stderr);
    } finally {
      process.env.PATH = savedPath;
    }
    return readFileSync(log, 'utf8').split('\n').filter(Boolean);
  }

  async function stageReviewedAi(round: number): Promise<void> {
    for (const file of files) {
      const before = readFileSync(path.join(repo.dir, file), 'utf8');
      const start = before.split('\n').length;
      // Each file its own text (files with equal texts would share one stored blob).
      const name = file.replace('.ts', '');
      repo.write(file, before + Array.from({ length: 5 }, (_, i) => `export function ${name}${round}_${i}(v: number) { return v * ${i}; }\n`).join(''));
      const lines = `${start}-${start + 4}`;
      assert.equal((await vouch(repo.dir, 'mark', file, '--lines', lines, '--tool', 'claude-code')).code, 0);
      assert.equal((await vouch(repo.dir, 'review', file, '--lines', lines, '--intent', 'count', '--scope', 'none')).code, 0);
    }
    await repo.git(['add', '-A']);
  }

  it('a 3-file commit with reviewed AI lines: check --staged and record-commit start few git processes, also once the notes ref exists', async () => {
    for (let round = 0; round < 3; round++) {
      await stageReviewedAi(round);
      const check = await counted('check', '--staged');
      await repo.git(['commit', '-q', '-m', `ai ${round}`], nextDateEnv());
      const head = await repo.text(['rev-parse', 'HEAD']);
      // The post-commit hook names its commit by id (rounds 0 and 1); `vouch record-commit` alone records HEAD (round 2).
      const byId = round < 2;
      const record = byId ? await counted('record-commit', head) : await counted('record-commit');
      const note = await repo.reader().readNote(head);
      assert.equal(note?.records[0].statement.predicate.files.length, 3, `round ${round}: the note holds the three files`);
      if (process.env.VOUCH_SHOW_GIT_CALLS) console.log(`check ${check.length}:\n${check.join("\n")}\nrecord ${record.length}:\n${record.join("\n")}`);
      // Before issue 13's work: check 5, record-commit 24 (first note) and 27 (later notes); then 5 and 12.
      // check: the repository and one `git diff --cached --raw` (the texts are on disk as recorded);
      // record-commit reads no blob either (the committed files are the working-tree texts), and
      // stores none: the working state names each file's committed blob (before: one
      // `hash-object -w` per file, 12 git processes for these three files).
      assert.ok(check.length <= 2, `check --staged started ${check.length} git processes:\n${check.join('\n')}`);
      assert.ok(record.length <= (byId ? 8 : 9), `record-commit (round ${round}) started ${record.length} git processes:\n${record.join('\n')}`);
      assert.equal(record.filter((call) => / cat-file --batch$/.test(call)).length, 0, `no blob read:\n${record.join('\n')}`);
      assert.equal(record.filter((call) => / hash-object /.test(` ${call} `)).length, 0, `no blob stored:\n${record.join('\n')}`);
      // By id: one rev-parse finds the repository and checks the commit; HEAD is resolved under the recorders' lock.
      assert.equal(record.filter((call) => / rev-parse /.test(` ${call} `)).length, byId ? 1 : 2, `rev-parse calls:\n${record.join('\n')}`);
    }
  });
});

// Notes written by earlier Vouch versions (test/fixtures/old-notes), on their commit made again.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { TestRepo } from './testRepo';

/**
 * The commit the notes of test/fixtures/old-notes were written for, made again byte for byte (same
 * files, author, dates and messages), so each old note attaches to it as it did.
 */
const COMMIT = '5f8dac79af51';
const DATES = { GIT_AUTHOR_DATE: '2026-11-27T10:00:00Z', GIT_COMMITTER_DATE: '2026-11-27T10:00:00Z' };

/** A repository with that commit, and the note `<version>.note` of test/fixtures/old-notes on it. */
export async function repoWithOldNote(version: string): Promise<TestRepo> {
  const repo = await TestRepo.create({ user: { name: 'Rita Reviewer', email: 'rita@example.com' } });
  repo.write('base.txt', 'base\n');
  await repo.git(['add', '.']);
  await repo.git(['commit', '-q', '-m', 'base'], DATES);
  repo.write('a.js', 'function a() {\n  return 1;\n}\nconst x = 2;\n');
  repo.write('b.js', 'let b1 = 1;\nlet b2 = 2;\nlet b3 = 33;\n');
  repo.write('c.js', 'let c1 = 1;\nlet c2 = 2;\n');
  await repo.git(['add', 'a.js', 'b.js', 'c.js']);
  await repo.git(['commit', '-q', '-m', 'ai commit'], DATES);
  assert.ok((await repo.text(['rev-parse', 'HEAD'])).startsWith(COMMIT), 'test setup: the fixture commit made again');
  const note = path.join(__dirname, '../fixtures/old-notes', `${version}.note`);
  await repo.git(['notes', '--ref', 'vouch', 'add', '-F', note, 'HEAD']);
  assert.ok(readFileSync(note, 'utf8').length > 0);
  return repo;
}

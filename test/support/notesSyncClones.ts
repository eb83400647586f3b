// A bare remote and clones that record notes and sync them, for the sync tests and the sync
// benchmark: each record is one distinct line, so the records present can be counted exactly.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { hashLines } from '../../src/core/notes/lineRanges';
import { buildNoteRecord } from '../../src/core/notes/noteRecord';
import { silentLogger } from '../../src/core/logger';
import { syncNotes, type SyncReport } from '../../src/git/notes/sync';
import { TestRepo, gitRunner } from './testRepo';
import { runCliProcess } from './cliProcess';

/** A valid Vouch record line on `commit`, made distinct by `salt`. */
export async function recordLine(repo: TestRepo, commit: string, salt: string): Promise<string> {
  const lines = [salt];
  return buildNoteRecord({
    commit,
    tree: await repo.text(['rev-parse', `${commit}^{tree}`]),
    patchId: null,
    files: [{ path: 'a.txt', blob: 'f'.repeat(40), ranges: [{ start: 1, end: 1, sha256: hashLines(lines, 1, 1), origin: { kind: 'chat', tool: 'claude-code' }, confidence: 'high', humanChangedShare: 0, review: null }] }],
  }).line;
}

/** The record lines of the note on `commit` (none when there is no note). */
export async function noteLines(repo: TestRepo, commit: string): Promise<string[]> {
  const result = await repo.git(['notes', '--ref', 'refs/notes/vouch', 'show', commit]).catch(() => ({ stdout: '' }));
  return result.stdout.split('\n').filter(Boolean);
}

/** `vouch sync` of `repo` in this process. */
export async function syncInProcess(repo: TestRepo): Promise<SyncReport> {
  return syncNotes({ git: gitRunner, topLevel: repo.dir, writer: await repo.writer(), logger: silentLogger });
}

export interface SyncOrigin {
  /** Holds origin.git, seed and the clones. */
  readonly dir: string;
  readonly origin: string;
  /** The seed's commits on main, oldest first. */
  readonly commits: readonly string[];
}

/** A bare origin with `commitCount` commits of a.txt on main. */
export async function createSyncOrigin(commitCount: number, prefix = 'vouch-sync-'): Promise<SyncOrigin> {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  const origin = path.join(dir, 'origin.git');
  await TestRepo.create({ bare: true, dir: origin });
  const seed = await TestRepo.create({ dir: path.join(dir, 'seed') });
  const commits: string[] = [];
  let text = '';
  for (let index = 0; index < commitCount; index++) {
    text += `line ${index + 1}\n`;
    seed.write('a.txt', text);
    commits.push(await seed.commitAll(`commit ${index + 1}`));
  }
  await seed.git(['push', '-q', origin, 'main']);
  return { dir, origin, commits };
}

export interface ParallelSyncFigures {
  readonly clones: number;
  readonly recordsExpected: number;
  readonly recordsOnRemote: number;
  readonly lost: number;
  readonly duplicated: number;
  /** Clones that, after one more sync each, hold every record. */
  readonly clonesHoldingAll: number;
  readonly failedSyncs: number;
  readonly syncMs: number;
  readonly failures: readonly string[];
}

/**
 * `clones` clones of `origin` each record `recordsPerClone` lines (spread over the origin's
 * commits), then all run `vouch sync` at once, each in its own process. Counts the records on the
 * remote afterwards, then syncs each clone once more and counts what each holds.
 */
export async function syncClonesInParallel(setup: SyncOrigin, cli: string, clones: number, recordsPerClone = 2): Promise<ParallelSyncFigures> {
  const repos: TestRepo[] = [];
  const expected = new Map<string, Set<string>>(setup.commits.map((commit) => [commit, new Set<string>()]));
  for (let index = 0; index < clones; index++) {
    const clone = await TestRepo.clone(setup.origin, path.join(setup.dir, `clone${index}`));
    const entries: { commit: string; line: string }[] = [];
    for (let record = 0; record < recordsPerClone; record++) {
      const commit = setup.commits[(index + record) % setup.commits.length];
      const line = await recordLine(clone, commit, `clone ${index} record ${record}`);
      entries.push({ commit, line });
      expected.get(commit)?.add(line);
    }
    await (await clone.writer()).append(entries);
    repos.push(clone);
  }
  const started = performance.now();
  const runs = await Promise.all(repos.map((repo) => runCliProcess(cli, repo.dir, ['sync'])));
  const syncMs = Math.round(performance.now() - started);
  const failures = runs.filter((run) => run.code !== 0).map((run) => run.stderr.trim().slice(0, 300));

  const check = await TestRepo.clone(setup.origin, path.join(setup.dir, 'check'));
  await check.git(['fetch', '-q', 'origin', 'refs/notes/vouch:refs/notes/vouch']).catch(() => undefined);
  const counted = await countRecords(check, expected);
  // The remote holds everything now: one more sync each only fast-forwards, so they may all run at once.
  const held = await Promise.all(
    repos.map(async (repo) => {
      await runCliProcess(cli, repo.dir, ['sync']);
      return countRecords(repo, expected);
    }),
  );
  const clonesHoldingAll = held.filter((counts) => counts.lost === 0 && counts.duplicated === 0).length;
  const recordsExpected = [...expected.values()].reduce((sum, lines) => sum + lines.size, 0);
  return { clones, recordsExpected, recordsOnRemote: counted.present, lost: counted.lost, duplicated: counted.duplicated, clonesHoldingAll, failedSyncs: failures.length, syncMs, failures };
}

/** Expected lines missing from `repo`'s notes, and lines present more than once. */
async function countRecords(repo: TestRepo, expected: ReadonlyMap<string, ReadonlySet<string>>): Promise<{ present: number; lost: number; duplicated: number }> {
  let present = 0;
  let lost = 0;
  let duplicated = 0;
  for (const [commit, lines] of expected) {
    const found = await noteLines(repo, commit);
    present += found.length;
    duplicated += found.length - new Set(found).size;
    for (const line of lines) if (!found.includes(line)) lost++;
  }
  return { present, lost, duplicated };
}

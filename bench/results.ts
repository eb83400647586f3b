import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import * as path from 'node:path';

const resultsFile = path.join(__dirname, 'results.json');

/** Merges one benchmark's figures into bench/results.json under `section`, keeping the others. */
export function recordBenchResults(section: string, figures: unknown): void {
  let all: Record<string, unknown> = {};
  if (existsSync(resultsFile)) {
    try {
      all = JSON.parse(readFileSync(resultsFile, 'utf8')) as Record<string, unknown>;
    } catch {
      all = {};
    }
  }
  all[section] = figures;
  // Atomic, as every write of a kept file: temp file, fsync, rename (a killed bench leaves the old figures).
  const temp = `${resultsFile}.tmp`;
  const descriptor = openSync(temp, 'w');
  try {
    writeSync(descriptor, `${JSON.stringify(all, null, 2)}\n`);
    fsyncSync(descriptor);
  } finally {
    closeSync(descriptor);
  }
  renameSync(temp, resultsFile);
}

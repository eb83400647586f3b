import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
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
  const temp = `${resultsFile}.tmp`;
  writeFileSync(temp, `${JSON.stringify(all, null, 2)}\n`);
  renameSync(temp, resultsFile);
}

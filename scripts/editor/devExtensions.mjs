// One folder holding every development extension (Vouch and the test fixtures), because repeated
// extensionDevelopmentPath keys collapse to the last one.
import { mkdirSync, readdirSync, rmSync, symlinkSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from './setup.mjs';

export const fixturesDir = path.join(repoRoot, 'test', 'fixtures', 'extensions');
/** Folders already removed at exit: the e2e run prepares the same folder once per editor it starts. */
const removedAtExit = new Set();

/**
 * Creates a folder under .vscode-test/ with symlinks to the repo (Vouch, unless excluded) and the
 * chosen fixtures; `npm start` and the tests use different folders so they can run side by side.
 */
export function prepareDevExtensions(fixtureNames = listFixtureExtensions(), { includeVouch = true } = {}) {
  // One folder per process, so test runs and the demo can run side by side.
  const dir = path.join(repoRoot, '.vscode-test', `${includeVouch ? 'dev-extensions' : 'demo-dev-extensions'}-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  if (includeVouch) symlinkSync(repoRoot, path.join(dir, 'vouch'), 'dir');
  for (const name of fixtureNames) {
    const source = path.join(fixturesDir, name);
    if (!existsSync(path.join(source, 'package.json'))) throw new Error(`no fixture extension at ${source}`);
    symlinkSync(source, path.join(dir, name), 'dir');
  }
  if (!removedAtExit.has(dir)) {
    removedAtExit.add(dir);
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return dir;
}

export function listFixtureExtensions() {
  if (!existsSync(fixturesDir)) return [];
  return readdirSync(fixturesDir).filter((name) => existsSync(path.join(fixturesDir, name, 'package.json')));
}

// Reads Vouch's own log (its LogOutputChannel file) from an editor's user-data folder, and keeps
// it with the extension host's log when a test fails.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * Waits until Vouch logs its activation line ("Vouch <version> activated in N ms (...)") in the
 * editor whose state folder is `stateDir`, and returns that line: the one of the session after
 * `earlierSessions` sessions that logged theirs (the same state folder opened again).
 * @param {string} stateDir
 * @param {number} [timeoutMs]
 * @param {number} [earlierSessions]
 * @returns {Promise<string>}
 */
export async function waitForActivationLine(stateDir, timeoutMs = 90_000, earlierSessions = 0) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const lines = logFilesNamed(path.join(stateDir, 'ud', 'logs'), new Set(['Vouch.log'])).flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .filter((entry) => / activated in [\d.]+ ms/.test(entry)),
    );
    if (lines.length > earlierSessions) return lines[earlierSessions].replace(/^.*?\] /, '');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`Vouch did not log its activation within ${timeoutMs / 1000} s`);
}

/**
 * The first file named `name` under `dir` (depth first), or undefined.
 * @param {string} dir
 * @param {string} name
 * @returns {string | undefined}
 */
export function findFile(dir, name) {
  if (!existsSync(dir)) return undefined;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isFile() && entry.name === name) return full;
    if (entry.isDirectory()) {
      const found = findFile(full, name);
      if (found) return found;
    }
  }
  return undefined;
}

/** The extension host's own log file names (code-server runs a remote extension host). */
export const EXTENSION_HOST_LOGS = new Set(['exthost.log', 'remoteexthost.log']);

/**
 * Log files with one of `names` under `dir`, depth first in name order (each window session,
 * a reload included, logs into a folder of its own).
 * @param {string} dir
 * @param {ReadonlySet<string>} names
 * @returns {string[]}
 */
export function logFilesNamed(dir, names, found = []) {
  if (!existsSync(dir)) return found;
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) logFilesNamed(full, names, found);
    else if (entry.isFile() && names.has(entry.name)) found.push(full);
  }
  return found;
}

/**
 * Copies Vouch's log and the extension host's log of every window session of the editor whose
 * user-data folder is `userDataDir` into `targetDir`, as `<label>-<n>-<name>`. Returns the copies.
 * @param {string} userDataDir
 * @param {string} targetDir
 * @param {string} label
 * @returns {string[]}
 */
export function copyEditorLogs(userDataDir, targetDir, label) {
  mkdirSync(targetDir, { recursive: true });
  return logFilesNamed(path.join(userDataDir, 'logs'), new Set(['Vouch.log', ...EXTENSION_HOST_LOGS])).map((file, index) => {
    const target = path.join(targetDir, `${label}-${index + 1}-${path.basename(file)}`);
    copyFileSync(file, target);
    return target;
  });
}

/**
 * The last `count` lines of a log file, each without control characters and cut at 240 characters,
 * for a failure report that a short CI log tail keeps (the copies in test-artifacts may not be kept).
 * @param {string} file
 * @param {number} count
 * @returns {string[]}
 */
export function logTail(file, count) {
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .slice(-count)
    .map((line) => {
      const clean = line.replace(/\x1b\[[0-9;]*[A-Za-z]|[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '');
      return clean.length > 240 ? `${clean.slice(0, 240)}…` : clean;
    });
}

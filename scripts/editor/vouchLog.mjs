// Reads Vouch's own log (its LogOutputChannel file) from an editor's user-data folder.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

function findFile(dir, name) {
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

/**
 * Waits until Vouch logs its activation line ("Vouch <version> activated in N ms (...)") in the
 * editor whose state folder is `stateDir`, and returns that line.
 * @param {string} stateDir
 * @param {number} [timeoutMs]
 * @returns {Promise<string>}
 */
export async function waitForActivationLine(stateDir, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const logFile = findFile(path.join(stateDir, 'ud', 'logs'), 'Vouch.log');
    const line = logFile && readFileSync(logFile, 'utf8').split('\n').find((entry) => / activated in [\d.]+ ms/.test(entry));
    if (line) return line.replace(/^.*?\] /, '');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`Vouch did not log its activation within ${timeoutMs / 1000} s`);
}

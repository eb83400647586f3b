// Packages the extension, installs the .vsix into a fresh code-server (as `code --install-extension`
// does) and checks, in the browser, that the installed Vouch activates. Prints "[vsix] N passed, N failed".
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { launchBrowser } from './browser.mjs';
import { installExtension, startCodeServer } from './codeServer.mjs';
import { repoRoot } from './setup.mjs';
import { waitForActivationLine } from './vouchLog.mjs';
import { createDemoRepository } from './workspace.mjs';

const MAX_VSIX_BYTES = 500 * 1024;

async function main() {
  const { version } = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
  const scratch = mkdtempSync(path.join(tmpdir(), 'vouch-vsix-'));
  const vsix = path.join(scratch, `vouch-${version}.vsix`);
  const build = spawnSync(process.execPath, ['scripts/build.mjs', '--production'], { cwd: repoRoot, stdio: 'inherit' });
  const pack = build.status === 0 && spawnSync('npx', ['vsce', 'package', '--no-dependencies', '--out', vsix], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
  // Leave the development build the other tests use.
  spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: repoRoot, stdio: 'inherit' });
  if (!pack || pack.status !== 0 || !existsSync(vsix)) throw new Error('packaging the .vsix failed');
  const size = statSync(vsix).size;
  console.log(`[vsix] ${path.basename(vsix)}: ${(size / 1024).toFixed(1)} KB`);
  if (size > MAX_VSIX_BYTES) throw new Error(`the .vsix is ${size} bytes, over the ${MAX_VSIX_BYTES}-byte limit`);
  const listing = spawnSync('unzip', ['-Z1', vsix], { encoding: 'utf8' });
  if (listing.status === 0) {
    const unexpected = listing.stdout.split('\n').filter((entry) => /^extension\/(src|test|node_modules|scripts|bench|out)\//.test(entry));
    if (unexpected.length) throw new Error(`the .vsix ships files it should not: ${unexpected.slice(0, 5).join(', ')}`);
  }
  const stateDir = path.join(scratch, 'editor');
  installExtension(vsix, stateDir, { log: () => undefined });
  const workspace = createDemoRepository(path.join(scratch, 'workspace'));
  const server = await startCodeServer({ stateDir, log: () => undefined });
  const browser = await launchBrowser({ log: () => undefined });
  try {
    const page = await browser.context.newPage();
    await page.goto(`${server.baseUrl}/?folder=${encodeURIComponent(workspace)}`);
    const line = await waitForActivationLine(stateDir);
    if (!line.includes(`Vouch ${version} activated`)) throw new Error(`an unexpected Vouch activated: ${line}`);
    console.log(`[vsix] installed extension activated: ${line}`);
    return 0;
  } finally {
    await browser.close();
    await server.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().then(
  (code) => {
    console.log('[vsix] 1 passed, 0 failed');
    process.exitCode = code;
  },
  (error) => {
    console.error(`[vsix] ${error instanceof Error ? error.message : error}`);
    console.log('[vsix] 0 passed, 1 failed');
    process.exitCode = 1;
  },
);

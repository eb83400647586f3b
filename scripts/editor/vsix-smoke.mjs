// Packages the extension, installs the .vsix into a fresh code-server (as `code --install-extension`
// does) and checks, in the browser, that the installed Vouch activates, writes its stable `vouch`
// launcher (which then runs the installed CLI) and offers, in a notification, to put it on PATH.
// Prints "[vsix] N passed, N failed".
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import * as path from 'node:path';
import { launchBrowser } from './browser.mjs';
import { installExtension, startCodeServer } from './codeServer.mjs';
import { repoRoot } from './setup.mjs';
import { waitForActivationLine } from './vouchLog.mjs';
import { createDemoRepository } from './workspace.mjs';

// Code (the bundles) plus the walkthrough's three pictures (~210 KB, media/walkthrough/*.png), which
// show the first hour; the extension bundle itself has its own budget (300 KB, DESIGN.md).
const MAX_VSIX_BYTES = 640 * 1024;

/** The launcher the installed extension writes (it reads XDG_DATA_HOME when the extension host has it). */
async function waitForLauncher(stateDir, timeoutMs = 90_000) {
  const candidates = [path.join(stateDir, 'xdg-data', 'vouch', 'bin', 'vouch'), path.join(homedir(), '.local', 'share', 'vouch', 'bin', 'vouch')];
  const installed = path.join(stateDir, 'ext');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const candidate of candidates) {
      if (existsSync(candidate) && readFileSync(candidate, 'utf8').includes(installed)) return candidate;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`the installed extension wrote no launcher pointing into ${installed} within ${timeoutMs / 1000} s (looked at ${candidates.join(', ')})`);
}

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
    const launcher = await waitForLauncher(stateDir);
    const help = spawnSync('sh', [launcher, '--help'], { encoding: 'utf8', timeout: 60_000 });
    if (help.status !== 0 || !/Usage: vouch/.test(help.stdout)) throw new Error(`the launcher ${launcher} did not run the CLI (exit ${help.status}): ${help.stderr || help.stdout}`);
    console.log(`[vsix] the launcher ${launcher} runs the installed CLI`);
    // Offered only while no 'vouch' is on PATH (as on a fresh machine).
    const onPath = spawnSync('sh', ['-c', 'command -v vouch'], { encoding: 'utf8' }).status === 0;
    if (!onPath) {
      await page.waitForSelector('.notification-toast :text("Vouch\'s command line")', { timeout: 90_000 });
      await page.screenshot({ path: path.join(repoRoot, 'test-artifacts', 'vsix-launcher-offer.png') });
      console.log('[vsix] the offer to put it on PATH is shown');
    }
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

// Launches Debian's chromium through playwright-core (never a downloaded browser).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { chromium } from 'playwright-core';
import { ensureChromium } from './setup.mjs';

export async function launchBrowser({ log = (line) => console.log(line), viewport = { width: 1400, height: 900 } } = {}) {
  const executablePath = ensureChromium({ log });
  const profileDir = mkdtempSync(path.join(tmpdir(), 'vouch-chromium-'));
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath,
    headless: true,
    viewport,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
  const close = async () => {
    await context.close().catch(() => undefined);
    rmSync(profileDir, { recursive: true, force: true });
  };
  return { context, close };
}

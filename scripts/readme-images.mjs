// Copies the README's pictures from the last e2e run (test-artifacts/e2e/) into docs/images/, so
// the README shows what the real editor showed. Run `npm run test:e2e` first, then this.
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from './editor/setup.mjs';

/** README picture <- the e2e screenshot it is taken from. */
const PICTURES = {
  'hover-unreviewed.png': 'visibility-hover-unreviewed.png',
  'review-panel.png': 'review-panel.png',
  'review-group.png': 'review-keyboard-group.png',
  'gate-warning.png': 'gate-warning.png',
  'hover-committed.png': 'visibility-hover-committed.png',
};

const from = path.join(repoRoot, 'test-artifacts', 'e2e');
const to = path.join(repoRoot, 'docs', 'images');
mkdirSync(to, { recursive: true });
const missing = [];
for (const [picture, screenshot] of Object.entries(PICTURES)) {
  const source = path.join(from, screenshot);
  if (!existsSync(source)) {
    missing.push(screenshot);
    continue;
  }
  copyFileSync(source, path.join(to, picture));
  console.log(`docs/images/${picture} <- test-artifacts/e2e/${screenshot}`);
}
if (missing.length > 0) {
  console.error(`not found (run npm run test:e2e first): ${missing.join(', ')}`);
  process.exitCode = 1;
}

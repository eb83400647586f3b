// Copies the README's pictures from the last e2e run (test-artifacts/e2e/) into docs/images/, so
// the README shows what the real editor showed, makes the README's animation of a review and cuts
// the walkthrough's pictures from that run's screenshots. Run `npm run test:e2e` first, then this.
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from './editor/setup.mjs';

/** README picture <- the e2e screenshot it is taken from. */
const PICTURES = {
  'hover-unreviewed.png': 'visibility-hover-unreviewed.png',
  'review-panel.png': 'review-panel.png',
  'review-group.png': 'review-keyboard-group.png',
  'gate-warning.png': 'gate-warning.png',
  'hover-committed.png': 'visibility-hover-committed.png',
  'marks-light.png': 'marks-light-editor.png',
  'marks-dark.png': 'marks-dark-editor.png',
  'marks-high-contrast.png': 'marks-high-contrast-editor.png',
};

/**
 * The walkthrough's pictures (media/walkthrough/, shown beside a step's text): the part of an e2e
 * screenshot that matters, cut out so it stays readable in the walkthrough's narrow media column.
 */
export const WALKTHROUGH_PICTURES = {
  'see-mark.png': { screenshot: 'visibility-hover-unreviewed.png', crop: { x: 352, y: 88, width: 830, height: 272 } },
  'review.png': { screenshot: 'review-panel-filled.png', crop: { x: 876, y: 40, width: 524, height: 790 } },
  'committed-mark.png': { screenshot: 'visibility-hover-committed.png', crop: { x: 352, y: 88, width: 830, height: 242 } },
};

/** The README's animation: one review, frame by frame (screenshots of test/e2e/review.e2e.test.ts), with how long each stays (ms). */
export const ANIMATION = {
  file: 'reviewing.gif',
  frames: [
    { screenshot: 'review-ghost-offered.png', delayMs: 1500 },
    { screenshot: 'review-marked.png', delayMs: 2000 },
    { screenshot: 'review-panel.png', delayMs: 2000 },
    { screenshot: 'review-panel-filled.png', delayMs: 2500 },
    { screenshot: 'review-panel-done.png', delayMs: 2000 },
    { screenshot: 'review-editor-after.png', delayMs: 3000 },
  ],
};

/**
 * An animated GIF of same-sized RGBA images (decoded screenshots); each frame gets its own
 * 256-colour palette. The encoder (gifenc, a dev dependency) is loaded only when used.
 * @param {{ width: number, height: number, rgba: Uint8Array, delayMs: number }[]} frames
 * @returns {Promise<Uint8Array>}
 */
export async function encodeAnimation(frames) {
  const { GIFEncoder, quantize, applyPalette } = (await import('gifenc')).default;
  const gif = GIFEncoder();
  const [first] = frames;
  for (const { width, height, rgba, delayMs } of frames) {
    if (width !== first.width || height !== first.height) throw new Error(`frames differ in size: ${width}x${height} after ${first.width}x${first.height}`);
    const palette = quantize(rgba, 256);
    gif.writeFrame(applyPalette(rgba, palette), width, height, { palette, delay: delayMs });
  }
  gif.finish();
  return gif.bytes();
}

/** A PNG file's pixels (pngjs, a dev dependency). */
async function decodePng(file) {
  const { PNG } = (await import('pngjs')).default;
  const image = PNG.sync.read(readFileSync(file));
  return { width: image.width, height: image.height, rgba: image.data };
}

/** A rectangle of a PNG file, as a new PNG file. */
async function cropPng(from, to, { x, y, width, height }) {
  const { PNG } = (await import('pngjs')).default;
  const image = PNG.sync.read(readFileSync(from));
  if (x + width > image.width || y + height > image.height) throw new Error(`${from} (${image.width}x${image.height}) is smaller than the picture cut from it`);
  const picture = new PNG({ width, height });
  PNG.bitblt(image, picture, x, y, width, height, 0, 0);
  writeFileSync(to, PNG.sync.write(picture));
}

async function main() {
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
  for (const [picture, { screenshot, crop }] of Object.entries(WALKTHROUGH_PICTURES)) {
    const source = path.join(from, screenshot);
    if (!existsSync(source)) {
      missing.push(screenshot);
      continue;
    }
    await cropPng(source, path.join(repoRoot, 'media', 'walkthrough', picture), crop);
    console.log(`media/walkthrough/${picture} <- part of test-artifacts/e2e/${screenshot}`);
  }
  const absent = ANIMATION.frames.map(({ screenshot }) => screenshot).filter((screenshot) => !existsSync(path.join(from, screenshot)));
  if (absent.length === 0) {
    const frames = [];
    for (const { screenshot, delayMs } of ANIMATION.frames) frames.push({ ...(await decodePng(path.join(from, screenshot))), delayMs });
    const bytes = await encodeAnimation(frames);
    writeFileSync(path.join(to, ANIMATION.file), bytes);
    console.log(`docs/images/${ANIMATION.file} <- ${ANIMATION.frames.length} screenshots (${Math.round(bytes.length / 1024)} KB)`);
  }
  missing.push(...absent);
  if (missing.length > 0) {
    console.error(`not found (run npm run test:e2e first): ${missing.join(', ')}`);
    process.exitCode = 1;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();

// The README's animation is encoded from e2e screenshots by scripts/readme-images.mjs.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

/** The script is an ES module; this test file is CommonJS. */
const readmeImages = () => import('../../../scripts/readme-images.mjs');

interface GifSummary {
  readonly width: number;
  readonly height: number;
  /** Per frame: its delay (ms) from the graphic control extension before it. */
  readonly delaysMs: number[];
}

/** Walks a GIF's blocks (header, logical screen, extensions, images, trailer) as the GIF89a specification lays them out. */
function readGif(bytes: Uint8Array): GifSummary {
  const text = (from: number, length: number) => String.fromCharCode(...bytes.subarray(from, from + length));
  assert.equal(text(0, 6), 'GIF89a');
  const width = bytes[6]! | (bytes[7]! << 8);
  const height = bytes[8]! | (bytes[9]! << 8);
  const tableSize = (flags: number) => (flags & 0x80 ? 3 * 2 ** ((flags & 0x07) + 1) : 0);
  let at = 13 + tableSize(bytes[10]!);
  const skipSubBlocks = () => {
    while (bytes[at] !== 0) at += bytes[at]! + 1;
    at += 1;
  };
  const delaysMs: number[] = [];
  let pendingDelay = 0;
  for (;;) {
    const introducer = bytes[at];
    if (introducer === 0x3b) break;
    if (introducer === 0x21) {
      if (bytes[at + 1] === 0xf9) pendingDelay = (bytes[at + 4]! | (bytes[at + 5]! << 8)) * 10;
      at += 2;
      skipSubBlocks();
    } else if (introducer === 0x2c) {
      at += 10 + tableSize(bytes[at + 9]!) + 1;
      skipSubBlocks();
      delaysMs.push(pendingDelay);
    } else {
      assert.fail(`unexpected GIF block 0x${introducer?.toString(16)} at ${at}`);
    }
  }
  return { width, height, delaysMs };
}

function solid(width: number, height: number, rgb: [number, number, number], delayMs: number) {
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) rgba.set([...rgb, 255], i * 4);
  return { width, height, rgba, delayMs };
}

/** The encoder is a dev dependency; a node_modules installed before it was added lacks it (npm install brings it). */
function requireEncoder(this: Mocha.Context): void {
  try {
    require.resolve('gifenc');
  } catch {
    this.skip();
  }
}

describe('README animation (scripts/readme-images.mjs)', () => {
  it('encodes each screenshot as one frame of the GIF, with its delay and the screenshots\' size', async function () {
    requireEncoder.call(this);
    const { encodeAnimation } = await readmeImages();
    const frames = [solid(40, 30, [255, 0, 0], 1500), solid(40, 30, [0, 128, 255], 2000), solid(40, 30, [20, 20, 20], 3000)];
    const gif = readGif(await encodeAnimation(frames));
    assert.deepEqual(gif, { width: 40, height: 30, delaysMs: [1500, 2000, 3000] });
  });

  it('refuses screenshots of different sizes', async function () {
    requireEncoder.call(this);
    const { encodeAnimation } = await readmeImages();
    await assert.rejects(encodeAnimation([solid(40, 30, [0, 0, 0], 100), solid(41, 30, [0, 0, 0], 100)]), /frames differ in size/);
  });

  it('names frames that the e2e review test saves', async () => {
    const { ANIMATION } = await readmeImages();
    const e2e = readFileSync(path.resolve(__dirname, '..', '..', 'e2e', 'review.e2e.test.ts'), 'utf8');
    const missing = ANIMATION.frames.map(({ screenshot }) => screenshot.replace(/\.png$/, '')).filter((name) => !e2e.includes(`'${name}'`));
    assert.deepEqual(missing, []);
  });

  it('is in the README as docs/images/reviewing.gif, one frame per screenshot named', async () => {
    const { ANIMATION } = await readmeImages();
    const root = path.resolve(__dirname, '..', '..', '..');
    assert.ok(readFileSync(path.join(root, 'README.md'), 'utf8').includes(`](docs/images/${ANIMATION.file})`));
    const gif = readGif(readFileSync(path.join(root, 'docs', 'images', ANIMATION.file)));
    assert.deepEqual(gif.delaysMs, ANIMATION.frames.map(({ delayMs }) => delayMs));
  });

  it('cuts the walkthrough pictures that its markdown shows, from screenshots the e2e tests save', async () => {
    const { WALKTHROUGH_PICTURES } = await readmeImages();
    const { existsSync, readdirSync } = await import('node:fs');
    const root = path.resolve(__dirname, '..', '..', '..');
    const media = path.join(root, 'media', 'walkthrough');
    const markdown = readdirSync(media).filter((name) => name.endsWith('.md')).map((name) => readFileSync(path.join(media, name), 'utf8')).join('\n');
    const e2e = readdirSync(path.join(root, 'test', 'e2e')).map((name) => readFileSync(path.join(root, 'test', 'e2e', name), 'utf8')).join('\n');
    for (const [picture, { screenshot }] of Object.entries(WALKTHROUGH_PICTURES)) {
      assert.ok(existsSync(path.join(media, picture)), `media/walkthrough/${picture} exists`);
      assert.ok(markdown.includes(`](${picture})`), `a walkthrough step shows ${picture}`);
      assert.ok(e2e.includes(`'${screenshot.replace(/\.png$/, '')}'`), `an e2e test saves ${screenshot}`);
    }
  });
});

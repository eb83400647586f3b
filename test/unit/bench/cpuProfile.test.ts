import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { extensionBundleMatcher, scriptShare, type CpuProfile } from '../../../bench/cpuProfile';

describe('bench cpuProfile: Vouch share of an extension host profile', () => {
  let dir: string;
  let vouchFolder: string;
  let sessionLink: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'vouch-cpuprofile-'));
    vouchFolder = path.join(dir, 'checkout');
    mkdirSync(path.join(vouchFolder, 'dist'), { recursive: true });
    mkdirSync(path.join(dir, 'session', 'extensions'), { recursive: true });
    sessionLink = path.join(dir, 'session', 'extensions', 'vouch');
    symlinkSync(vouchFolder, sessionLink, 'dir');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A profile whose root calls one function of each script url, sampled `ms` each (1 ms samples). */
  function profileOf(frames: readonly { url: string; ms: number }[]): CpuProfile {
    const nodes = [
      { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1, columnNumber: -1 }, children: frames.map((_, index) => index + 2) },
      ...frames.map((frame, index) => ({ id: index + 2, callFrame: { functionName: `f${index}`, url: frame.url, lineNumber: 0, columnNumber: 0 } })),
    ];
    const samples: number[] = [];
    // Each script's samples apart from the others' by an idle sample (the root), so each is its own task.
    frames.forEach((frame, index) => samples.push(...Array.from({ length: frame.ms }, () => index + 2), 1));
    return { nodes, startTime: 0, endTime: samples.length * 1000, samples, timeDeltas: samples.map(() => 1000) };
  }

  it("counts Vouch's bundle by its folder or session link, never another extension's dist/extension.js", () => {
    const isVouch = extensionBundleMatcher(vouchFolder, 'vouch');
    const typescript = '/opt/code-server/lib/vscode/extensions/typescript-language-features/dist/extension.js';
    assert.equal(isVouch(typescript), false);
    assert.equal(isVouch(pathToFileURL(typescript).href), false);
    assert.equal(isVouch(pathToFileURL(path.join(vouchFolder, 'dist', 'extension.js')).href), true);
    assert.equal(isVouch(path.join(sessionLink, 'dist', 'extension.js')), true);
    assert.equal(isVouch('node:internal/main'), false);
    const share = scriptShare(
      profileOf([
        { url: pathToFileURL(typescript).href, ms: 40 },
        { url: pathToFileURL(path.join(sessionLink, 'dist', 'extension.js')).href, ms: 3 },
      ]),
      isVouch,
    );
    assert.equal(share.totalMs, 3);
    assert.equal(share.longestTaskMs, 3);
  });

  it('refuses a profile with no frame of the measured script (a share of zero would read as no cost)', () => {
    assert.throws(() => scriptShare(profileOf([{ url: 'file:///elsewhere/dist/extension.js', ms: 5 }]), extensionBundleMatcher(vouchFolder, 'vouch')), /no frame of the measured script/);
  });
  it("counts the script's samples in the intervals they were taken in (per keystroke), on the profile's clock", () => {
    const vouch = pathToFileURL(path.join(vouchFolder, 'dist', 'extension.js')).href;
    // Vouch 3 ms, idle, another script 2 ms, idle: samples taken at 1001, 1002, ... µs after a start at 1000 µs.
    const profile = { ...profileOf([{ url: vouch, ms: 3 }, { url: '/other/dist/extension.js', ms: 2 }]), startTime: 1000 };
    const share = scriptShare(profile, extensionBundleMatcher(vouchFolder, 'vouch'), undefined, undefined, [1000, 2500, 4500, 9000]);
    // Vouch's samples are taken at 2000, 3000 and 4000 µs, each lasting 1 ms; the other script's are not counted.
    assert.deepEqual(share.msByInterval, [1, 2, 0]);
    assert.equal(share.totalMs, 3);
    assert.deepEqual(scriptShare(profile, extensionBundleMatcher(vouchFolder, 'vouch')).msByInterval, []);
  });

  it('counts a stretched sample (the thread waited for a CPU) at twice the median interval in the capped figures', () => {
    const vouch = pathToFileURL(path.join(vouchFolder, 'dist', 'extension.js')).href;
    const base = profileOf([{ url: vouch, ms: 4 }, { url: '/other/dist/extension.js', ms: 6 }]);
    // Vouch's second sample lasts 9 ms instead of 1 (its length is the delta to the next sample): taken at 1, 2, 11 and 12 ms.
    const timeDeltas = base.timeDeltas.map((delta, index) => (index === 2 ? 9000 : delta));
    const profile = { ...base, timeDeltas, endTime: timeDeltas.reduce((sum, delta) => sum + delta, 0) };
    const share = scriptShare(profile, extensionBundleMatcher(vouchFolder, 'vouch'), undefined, undefined, [0, 3500, 30000]);
    assert.equal(share.sampleCapMs, 2);
    assert.deepEqual(share.msByInterval, [10, 2]);
    assert.deepEqual(share.msByIntervalCapped, [3, 2]);
  });
});

// Reads a V8 CPU profile (the inspector's Profiler.stop result) and tells how much of it was one
// script's work: every sample whose stack holds a frame of that script counts for it, and
// consecutive such samples form one task (an upper bound: two tasks back to back read as one).
import { readFileSync, realpathSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number; readonly columnNumber: number };
  readonly children?: readonly number[];
}

export interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface ScriptShare {
  /** Sampled time with a frame of the script on the stack, in ms. */
  readonly totalMs: number;
  /** The longest run of consecutive samples with a frame of the script on the stack, in ms. */
  readonly longestTaskMs: number;
  /**
   * The same with each sample counted at most `sampleCapMs` (twice the median sampling interval): on
   * a loaded machine one sample can span tens of ms in which the thread waited for a CPU, not ran.
   */
  readonly longestTaskCappedMs: number;
  readonly sampleCapMs: number;
  /** Where the longest run was, by the script's innermost frames (most samples first). */
  readonly longestTaskFrames: readonly string[];
  /** Tasks over `overMs`, in ms, longest first. */
  readonly tasksOver: readonly number[];
  /** The ten longest tasks over `overMs`, each with its script's innermost frames (most samples first). */
  readonly longestTasks: readonly { readonly ms: number; readonly frames: readonly string[] }[];
  /** The script's functions by sampled time with them on top of its own frames (self + what they call outside the script), ms. */
  readonly topFunctions: readonly { readonly name: string; readonly ms: number }[];
  /**
   * With `boundariesUs` (ascending times on the profile's clock, µs): the script's sampled time in
   * each interval between two boundaries, in ms (a sample counts in the interval it was taken in).
   */
  readonly msByInterval: readonly number[];
  /** msByInterval with each sample counted at most `sampleCapMs`: closer to CPU time on a busy machine. */
  readonly msByIntervalCapped: readonly number[];
}

/** Names a frame of the profile (function:line:column of the bundle unless a source map says more). */
export type FrameNamer = (frame: ProfileNode['callFrame']) => string;

const defaultFrameName: FrameNamer = (frame) => `${frame.functionName || '(anonymous)'}:${frame.lineNumber + 1}:${frame.columnNumber + 1}`;

/**
 * Names frames by the source a source map of the bundle gives (file:line and the original name),
 * falling back to the bundle's own position.
 */
export function sourceMapFrameNamer(sourceMap: { findEntry(line: number, column: number): { originalSource?: string; originalLine?: number; name?: string } | object }): FrameNamer {
  return (frame) => {
    const entry = sourceMap.findEntry(frame.lineNumber, frame.columnNumber) as { originalSource?: string; originalLine?: number; name?: string };
    if (!entry.originalSource || entry.originalLine === undefined) return defaultFrameName(frame);
    const source = entry.originalSource.replace(/^.*?\/(src|node_modules)\//, '$1/');
    return `${entry.name ?? (frame.functionName || '(anonymous)')} (${source}:${entry.originalLine + 1})`;
  };
}

export function readCpuProfile(file: string): CpuProfile {
  return JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
}

/** Tells whether a profile frame's script url is the script measured. */
export type ScriptMatcher = (url: string) => boolean;

/** A file path of a frame's url (a file: URL or a plain path), or undefined for node's internals and eval'd code. */
function scriptPath(url: string): string | undefined {
  if (url.startsWith('file://')) return fileURLToPath(url);
  return path.isAbsolute(url) ? url : undefined;
}

/**
 * Vouch's extension bundle of an editor session: `<extension folder>/dist/extension.js`, under the
 * session's extension link (`extensions/<linkName>`) or the folder's real path. Not any url ending
 * in dist/extension.js: most of VS Code's built-in extensions (TypeScript's among them) ship a
 * file of that name, and their work would count as Vouch's.
 */
export function extensionBundleMatcher(extensionFolder: string, linkName: string): ScriptMatcher {
  const bundle = path.join('dist', 'extension.js');
  const exact = new Set([path.join(extensionFolder, bundle), path.join(realpathSync(extensionFolder), bundle)]);
  const linked = `${path.sep}${path.join('extensions', linkName, bundle)}`;
  return (url) => {
    const file = scriptPath(url);
    return file !== undefined && (exact.has(file) || file.endsWith(linked));
  };
}

/** The share of `profile` that ran with a frame of the script `isScript` matches on the stack. */
export function scriptShare(profile: CpuProfile, isScript: ScriptMatcher, overMs = 50, nameOf: FrameNamer = defaultFrameName, boundariesUs: readonly number[] = []): ScriptShare {
  // A matcher that matches nothing would report a share of zero: no figure at all.
  if (!profile.nodes.some((node) => isScript(node.callFrame.url))) throw new Error('the profile holds no frame of the measured script');
  const parent = new Map<number, number>();
  const byId = new Map<number, ProfileNode>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  // For each node: the innermost frame of the script on its stack (itself or an ancestor), if any.
  const innermost = new Map<number, ProfileNode | undefined>();
  const innermostOf = (id: number): ProfileNode | undefined => {
    if (innermost.has(id)) return innermost.get(id);
    const node = byId.get(id);
    let found: ProfileNode | undefined;
    if (node && isScript(node.callFrame.url)) found = node;
    else {
      const up = parent.get(id);
      found = up === undefined ? undefined : innermostOf(up);
    }
    innermost.set(id, found);
    return found;
  };
  // A sample lasts until the next one; the last one gets the profile's end.
  const durations = profile.samples.map((_, index) => (index + 1 < profile.timeDeltas.length ? profile.timeDeltas[index + 1] : 0) / 1000);
  const sortedDurations = durations.filter((ms) => ms > 0).sort((a, b) => a - b);
  const sampleCapMs = 2 * (sortedDurations[Math.floor(sortedDurations.length / 2)] ?? 0);
  let runCappedMs = 0;
  let longestTaskCappedMs = 0;
  const frameName = (node: ProfileNode) => nameOf(node.callFrame);
  let totalMs = 0;
  let runMs = 0;
  let runFrames = new Map<string, number>();
  let longestTaskMs = 0;
  let longestFrames = new Map<string, number>();
  const tasksOver: number[] = [];
  const tasksOverFrames: { ms: number; frames: Map<string, number> }[] = [];
  const byFunction = new Map<string, number>();
  const msByInterval = Array.from({ length: Math.max(0, boundariesUs.length - 1) }, () => 0);
  const msByIntervalCapped = msByInterval.slice();
  let interval = -1;
  // Sample i is taken at startTime + timeDeltas[0] + ... + timeDeltas[i].
  let takenAtUs = profile.startTime;
  const endRun = () => {
    if (runMs > longestTaskMs) {
      longestTaskMs = runMs;
      longestFrames = runFrames;
    }
    if (runMs > overMs) {
      tasksOver.push(runMs);
      tasksOverFrames.push({ ms: runMs, frames: runFrames });
    }
    longestTaskCappedMs = Math.max(longestTaskCappedMs, runCappedMs);
    runMs = 0;
    runCappedMs = 0;
    runFrames = new Map();
  };
  profile.samples.forEach((id, index) => {
    takenAtUs += profile.timeDeltas[index] ?? 0;
    const frame = innermostOf(id);
    if (!frame) {
      endRun();
      return;
    }
    const ms = durations[index];
    while (interval + 1 < boundariesUs.length && boundariesUs[interval + 1] <= takenAtUs) interval++;
    if (interval >= 0 && interval < msByInterval.length) {
      msByInterval[interval] += ms;
      msByIntervalCapped[interval] += Math.min(ms, sampleCapMs);
    }
    totalMs += ms;
    runMs += ms;
    runCappedMs += Math.min(ms, sampleCapMs);
    const name = frameName(frame);
    runFrames.set(name, (runFrames.get(name) ?? 0) + ms);
    byFunction.set(name, (byFunction.get(name) ?? 0) + ms);
  });
  endRun();
  const ranked = (map: Map<string, number>) => [...map.entries()].sort((a, b) => b[1] - a[1]);
  return {
    totalMs: Number(totalMs.toFixed(1)),
    longestTaskMs: Number(longestTaskMs.toFixed(1)),
    longestTaskCappedMs: Number(longestTaskCappedMs.toFixed(1)),
    sampleCapMs: Number(sampleCapMs.toFixed(2)),
    longestTaskFrames: ranked(longestFrames)
      .slice(0, 5)
      .map(([name, ms]) => `${name} ${ms.toFixed(1)} ms`),
    tasksOver: tasksOver.sort((a, b) => b - a).map((ms) => Number(ms.toFixed(1))),
    longestTasks: tasksOverFrames
      .sort((a, b) => b.ms - a.ms)
      .slice(0, 10)
      .map((task) => ({
        ms: Number(task.ms.toFixed(1)),
        frames: ranked(task.frames)
          .slice(0, 3)
          .map(([name, ms]) => `${name} ${ms.toFixed(1)} ms`),
      })),
    topFunctions: ranked(byFunction)
      .slice(0, 15)
      .map(([name, ms]) => ({ name, ms: Number(ms.toFixed(1)) })),
    msByInterval: msByInterval.map((ms) => Number(ms.toFixed(4))),
    msByIntervalCapped: msByIntervalCapped.map((ms) => Number(ms.toFixed(4))),
  };
}

if (require.main === module) {
  const [file, extensionFolder = path.resolve(__dirname, '..'), linkName = 'vouch'] = process.argv.slice(2);
  console.log(JSON.stringify(scriptShare(readCpuProfile(file), extensionBundleMatcher(extensionFolder, linkName)), null, 2));
}

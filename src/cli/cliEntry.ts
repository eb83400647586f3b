/**
 * Entry of dist/cli.js, the `vouch` executable. The commands git hooks run on every commit (check,
 * record-commit) load their own small bundle with its V8 code cache (git/bundleCodeCache.ts); every
 * other command loads dist/vouch-cli.js, with node's compile cache where node has one (22.1+).
 */
import * as path from 'node:path';
import { codeCacheDirectory, loadBundleWithCodeCache } from '../git/bundleCodeCache';
import type { RunHookBundle } from './hookCommandMain';

/** The hook commands' bundles and a hash of each one's text (set by scripts/build.mjs). */
declare const VOUCH_HOOK_BUNDLES: Readonly<Record<string, { readonly file: string; readonly build: string }>>;

const command = process.argv[2];
const hook = command !== undefined && Object.hasOwn(VOUCH_HOOK_BUNDLES, command) ? VOUCH_HOOK_BUNDLES[command] : undefined;
if (hook) {
  const loaded = loadBundleWithCodeCache(path.join(__dirname, hook.file), hook.build, codeCacheDirectory());
  (loaded.exports.runHookBundle as RunHookBundle)(loaded.pendingCache);
} else {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('node:module').enableCompileCache?.();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('./vouch-cli.js');
}

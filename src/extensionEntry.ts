/**
 * The extension's entry (package.json "main": dist/extension-entry.js): loads the extension's
 * bundle, dist/extension.js, with V8's code cache of an earlier start (git/bundleCodeCache.ts), and
 * measures that load (reading, parsing and compiling it, running its top level), so that the
 * activation time Vouch logs is the one VS Code counts: the bundle itself cannot see the compile
 * that happens before its first line runs (about half of it without a cache).
 */
import * as path from 'node:path';
import type * as vscode from 'vscode';
import type * as extension from './extension';
import { codeCacheDirectory, loadBundleWithCodeCache } from './git/bundleCodeCache';

/**
 * The code cache is written this long after activation, once the startup work (restoring marks,
 * the first decorations and listings) has run, so that the next start finds that code compiled too.
 */
const CODE_CACHE_AFTER_MS = 10_000;

let loaded: typeof extension | undefined;

/**
 * The extension host's API object itself, handed to the bundle as its `vscode` module (an `import *`
 * here would hand it esbuild's copy, a getter per API name, on every call the bundle makes).
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const vscodeApi: unknown = require('vscode');

export function activate(context: vscode.ExtensionContext): ReturnType<typeof extension.activate> {
  const started = performance.now();
  // The extension's own storage (removed with it); a user-data folder that is not on this host's disk: the user's cache folder.
  const cacheDirectory = context.globalStorageUri.scheme === 'file' ? context.globalStorageUri.fsPath : codeCacheDirectory();
  const bundle = loadBundleWithCodeCache(path.join(__dirname, 'extension.js'), undefined, cacheDirectory, { vscode: vscodeApi });
  loaded = bundle.exports as unknown as typeof extension;
  const api = loaded.activate(context, { ms: performance.now() - started, codeCache: bundle.pendingCache ? 'compiled' : 'cached' });
  const pending = bundle.pendingCache;
  if (pending) {
    const timer = setTimeout(() => void pending.write(), CODE_CACHE_AFTER_MS);
    context.subscriptions.push({ dispose: () => clearTimeout(timer) });
  }
  return api;
}

export function deactivate(): Promise<void> | undefined {
  return loaded?.deactivate();
}

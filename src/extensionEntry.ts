/**
 * The extension's entry (package.json "main": dist/extension-entry.js): loads the extension's
 * bundle, dist/extension.js, and measures that load (reading, parsing and compiling it, running its
 * top level), so that the activation time Vouch logs is the one VS Code counts: the bundle itself
 * cannot see the compile that happens before its first line runs (about half of it).
 */
import type * as vscode from 'vscode';
import type * as extension from './extension';

let loaded: typeof extension | undefined;

export function activate(context: vscode.ExtensionContext): ReturnType<typeof extension.activate> {
  const started = performance.now();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded = require('./extension.js') as typeof extension;
  return loaded.activate(context, performance.now() - started);
}

export function deactivate(): Promise<void> | undefined {
  return loaded?.deactivate();
}

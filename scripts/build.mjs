// Bundles the extension, the review panel's page and the CLI into dist/ with esbuild.
import * as esbuild from 'esbuild';
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

const { version } = JSON.parse(readFileSync('package.json', 'utf8'));
const production = process.argv.includes('--production');
const common = {
  bundle: true,
  minify: production,
  sourcemap: production ? false : 'linked',
  logLevel: 'warning',
  legalComments: 'none',
};

await Promise.all([
  esbuild.build({
    ...common,
    entryPoints: ['src/extension.ts'],
    outfile: 'dist/extension.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
    // Let activate() report code loading + activate() time, as VS Code's Running Extensions view
    // counts them (the activation benchmark reads the log line).
    banner: { js: 'const __vouchLoadStart = performance.now();' },
    footer: { js: 'const __vouchLoadEnd = performance.now();' },
  }),
  esbuild.build({
    ...common,
    entryPoints: ['src/webview/main.ts'],
    outfile: 'dist/webview.js',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
  }),
  // The CLI: every command in vouch-cli.js; what the git hooks run (check, record-commit) also in
  // the smaller vouch-git-hooks.js, so a commit loads less.
  esbuild.build({
    ...common,
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/vouch-cli.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    define: { VOUCH_VERSION: JSON.stringify(version) },
  }),
  esbuild.build({
    ...common,
    entryPoints: ['src/cli/gitHookMain.ts'],
    outfile: 'dist/vouch-git-hooks.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
  }),
]);
// dist/cli.js, the `vouch` executable: turns on V8's compile cache (Node 22.1+, e.g. VS Code's
// runtime behind the launcher) before loading a bundle, so later starts skip compiling it.
writeFileSync(
  'dist/cli.js',
  `#!/usr/bin/env node
'use strict';
require('node:module').enableCompileCache?.();
const command = process.argv[2];
require(command === 'check' || command === 'record-commit' ? './vouch-git-hooks.js' : './vouch-cli.js');
`,
);
chmodSync('dist/cli.js', 0o755);
rmSync('dist/cli.js.map', { force: true }); // from when dist/cli.js was the whole bundle

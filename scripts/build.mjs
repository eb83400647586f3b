// Bundles the extension, the review panel's page and the CLI into dist/ with esbuild.
import * as esbuild from 'esbuild';
import { createHash } from 'node:crypto';
import { chmodSync, readFileSync, rmSync } from 'node:fs';
import { extensionBuildOptions } from './extensionBuildOptions.mjs';
import { nodeBuiltinsPlugin } from './oneRequirePlugins.mjs';

const { version } = JSON.parse(readFileSync('package.json', 'utf8'));
const production = process.argv.includes('--production');
/** The bundles of the commands git hooks run, by the command each runs. */
const HOOK_COMMANDS = { check: 'vouch-check.js', 'record-commit': 'vouch-record-commit.js' };
const HOOK_BUNDLES = { 'vouch-check.js': 'src/cli/checkMain.ts', 'vouch-record-commit.js': 'src/cli/recordCommitMain.ts' };
const common = {
  bundle: true,
  minify: production,
  sourcemap: production ? false : 'linked',
  logLevel: 'warning',
  legalComments: 'none',
};

await Promise.all([
  esbuild.build(extensionBuildOptions({ production })),
  esbuild.build({
    ...common,
    entryPoints: ['src/webview/main.ts'],
    outfile: 'dist/webview.js',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
  }),
  // The CLI: every command in vouch-cli.js; each command a git hook runs on every commit also in
  // a bundle of its own (vouch-check.js: pre-commit, vouch-record-commit.js: post-commit), so a
  // commit loads only the code of that command.
  esbuild.build({
    ...common,
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/vouch-cli.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    define: { VOUCH_VERSION: JSON.stringify(version) },
    plugins: [nodeBuiltinsPlugin()],
  }),
  ...Object.entries(HOOK_BUNDLES).map(([bundle, entry]) =>
    esbuild.build({
      ...common,
      entryPoints: [entry],
      outfile: `dist/${bundle}`,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      plugins: [nodeBuiltinsPlugin()],
    }),
  ),
]);
// dist/extension-entry.js, the extension's "main" (src/extensionEntry.ts): loads dist/extension.js
// with its V8 code cache and times the load.
await esbuild.build({
  ...common,
  entryPoints: ['src/extensionEntry.ts'],
  outfile: 'dist/extension-entry.js',
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: false,
  external: ['vscode'],
  plugins: [nodeBuiltinsPlugin()],
});
/** A hash of a built bundle's text: names the build its V8 code cache was made from (src/git/bundleCodeCache.ts). */
const buildOf = (file) => createHash('sha256').update(readFileSync(file)).digest('hex').slice(0, 16);
// dist/cli.js, the `vouch` executable (src/cli/cliEntry.ts): loads a hook command's bundle with its
// V8 code cache, named by a hash of the bundle's text, or dist/vouch-cli.js for every other command.
const hookBundles = Object.fromEntries(
  Object.entries(HOOK_COMMANDS).map(([command, file]) => [command, { file, build: buildOf(`dist/${file}`) }]),
);
await esbuild.build({
  ...common,
  entryPoints: ['src/cli/cliEntry.ts'],
  outfile: 'dist/cli.js',
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: false,
  banner: { js: '#!/usr/bin/env node' },
  external: ['./vouch-cli.js'],
  define: { VOUCH_HOOK_BUNDLES: JSON.stringify(hookBundles) },
});
chmodSync('dist/cli.js', 0o755);
// Files of earlier builds: dist/cli.js was once the whole bundle, vouch-git-hooks.js held both hook commands.
for (const stale of ['dist/cli.js.map', 'dist/vouch-git-hooks.js', 'dist/vouch-git-hooks.js.map']) rmSync(stale, { force: true });

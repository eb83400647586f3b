// esbuild's options for dist/extension.js, shared by scripts/build.mjs and the editor-scale bench
// (which rebuilds the production bundle with a source map and must get the same bytes).
import { nodeBuiltinsPlugin, vscodeApiPlugin } from './oneRequirePlugins.mjs';

/**
 * @param {{ production: boolean }} options
 * @returns {import('esbuild').BuildOptions}
 */
export function extensionBuildOptions({ production }) {
  return {
    bundle: true,
    minify: production,
    sourcemap: production ? false : 'linked',
    logLevel: 'warning',
    legalComments: 'none',
    entryPoints: ['src/extension.ts'],
    outfile: 'dist/extension.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
    plugins: [vscodeApiPlugin(), nodeBuiltinsPlugin()],
  };
}

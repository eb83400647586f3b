// Lint rules that hold the layers of DESIGN.md in place (what each folder may import).
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['node:*', 'fs', 'fs/*', 'path', 'child_process', 'os', 'crypto', 'util', 'stream', 'events', 'url', 'net', 'http', 'https', 'zlib', 'worker_threads', 'readline', 'assert'];
const vscodeOnly = { group: ['vscode'], message: "Only src/host (and src/extension.ts) may import 'vscode'." };
const noNode = { group: nodeBuiltins, message: 'This layer is pure: no Node built-ins.' };
const layer = (from, patterns) => ({ group: patterns, message: `${from} may not import this layer (see DESIGN.md).` });

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.vscode-test/**', '.cache/**', 'test-artifacts/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      'no-restricted-syntax': ['error', { selector: 'ExportDefaultDeclaration', message: 'Use named exports.' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Test-fixture extensions are plain CommonJS, as many published extensions are.
    files: ['test/fixtures/**/*.js'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/cli/**'],
    rules: { 'no-console': 'error' },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [vscodeOnly, noNode, layer('core', ['**/git/*', '**/host/*', '**/cli/*', '**/webview/*', '**/shared/*', '**/extension'])] }],
    },
  },
  {
    files: ['src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [vscodeOnly, noNode, layer('shared', ['**/git/*', '**/host/*', '**/cli/*', '**/webview/*', '**/core/*', '**/extension'])] }],
    },
  },
  {
    files: ['src/git/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [vscodeOnly, layer('git', ['**/host/*', '**/cli/*', '**/webview/*', '**/extension'])] }],
    },
  },
  {
    files: ['src/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [vscodeOnly, layer('cli', ['**/host/*', '**/webview/*', '**/extension'])] }],
    },
  },
  {
    files: ['src/webview/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [vscodeOnly, noNode, layer('webview', ['**/git/*', '**/host/*', '**/cli/*', '**/core/*', '**/extension'])] }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-properties': ['error', { property: 'innerHTML', message: 'Set text with textContent.' }, { property: 'outerHTML', message: 'Set text with textContent.' }],
    },
  },
  {
    files: ['src/host/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [layer('host', ['**/cli/*', '**/webview/*', '**/extension'])] }],
    },
  },
  {
    files: ['src/extension.ts', 'src/extensionEntry.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [layer('extension', ['**/cli/*', '**/webview/*'])] }],
    },
  },
);

// Creates small git repositories for tests and for `npm start` (the demo).
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

function git(cwd, args) {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('GIT_')) delete env[key];
  const result = spawnSync('git', ['-c', 'core.hooksPath=/dev/null', ...args], { cwd, env, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

const demoFiles = {
  'README.md': '# Demo shop\n\nA tiny project to try Vouch on. Open `src/cart.ts`, type `function add(` on a new line and press Tab to accept the AI suggestion.\n',
  'src/cart.ts': [
    'export interface Item {',
    '  readonly name: string;',
    '  readonly price: number;',
    '}',
    '',
    'export function total(items: readonly Item[]): number {',
    '  let sum = 0;',
    '  for (const item of items) sum += item.price;',
    '  return sum;',
    '}',
    '',
  ].join('\n'),
  'src/notes.txt': 'Scratch file for typing.\n',
  // The fake assistant is not one Vouch knows; name it, as a team would name an in-house tool.
  '.vscode/settings.json': JSON.stringify({ 'vouch.detection.aiExtensions': { 'vouch-test.fake-ai-provider': 'fake-ai' } }, null, 2) + '\n',
  'package.json': JSON.stringify({ name: 'demo-shop', version: '1.0.0', private: true }, null, 2) + '\n',
};

/** A git repository with a first commit, a configured user, and the demo files. Returns its path. */
export function createDemoRepository(dir, { files = demoFiles, extraFiles = {} } = {}) {
  files = { ...files, ...extraFiles };
  mkdirSync(dir, { recursive: true });
  git(dir, ['init', '-q', '-b', 'main']);
  git(dir, ['config', 'user.name', 'Dana Developer']);
  git(dir, ['config', 'user.email', 'dana@example.com']);
  git(dir, ['config', 'commit.gpgsign', 'false']);
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), content);
  }
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-q', '-m', 'Initial commit']);
  return dir;
}

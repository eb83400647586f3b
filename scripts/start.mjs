// `npm start`: packages Vouch, installs the .vsix into a private code-server (a real VS Code),
// and serves it on 127.0.0.1 with a small demo git repository and a fake AI completion provider,
// so you can try Vouch without installing anything. Ctrl+C stops it.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { installExtension, startCodeServer } from './editor/codeServer.mjs';
import { fixturesDir } from './editor/devExtensions.mjs';
import { repoRoot } from './editor/setup.mjs';
import { createDemoRepository } from './editor/workspace.mjs';

const { version } = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
const vsix = path.join(repoRoot, `vouch-${version}.vsix`);
const demoDir = path.join(repoRoot, '.vscode-test', 'demo');
const workspace = path.join(demoDir, 'demo-shop');

const packaged = spawnSync('npm', ['run', '--silent', 'package'], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
if (packaged.status !== 0 || !existsSync(vsix)) {
  console.error('npm start: packaging the extension failed');
  process.exit(1);
}
mkdirSync(demoDir, { recursive: true });
console.log(`Installing ${path.basename(vsix)} into the demo editor...`);
installExtension(vsix, demoDir);
if (!existsSync(path.join(workspace, '.git'))) createDemoRepository(workspace);
// The demo has no real AI assistant; the test fixture plays one, installed as an ordinary extension.
// (Loading it as a development extension would need the smoke-test driver, which hides every
// notification, so Vouch's summaries and the gate's warning would never show.)
installExtension(packageFixture('fake-ai-provider'), demoDir);
// code-server from npm ships without a TypeScript server; lend it this checkout's, so the demo
// has TypeScript language features instead of an error notification.
const extraSettings = { 'typescript.tsdk': path.join(repoRoot, 'node_modules', 'typescript', 'lib') };
const server = await startCodeServer({ stateDir: demoDir, extraSettings, logFile: path.join(demoDir, 'code-server.log') });
const url = `${server.baseUrl}/?folder=${encodeURIComponent(workspace)}`;
console.log(`\nVouch demo is running (VS Code in your browser, loopback only):\n\n  ${url}\n\nIn src/cart.ts type "function add(" on a new line and press Tab. Ctrl+C stops the editor.`);
/** Packages a fixture extension into a .vsix under the demo folder (from a temporary copy, so the repo stays clean). */
function packageFixture(name) {
  const copyRoot = mkdtempSync(path.join(tmpdir(), 'vouch-demo-fixture-'));
  try {
    const copy = path.join(copyRoot, name);
    cpSync(path.join(fixturesDir, name), copy, { recursive: true });
    const output = path.join(demoDir, `${name}.vsix`);
    const vsce = path.join(repoRoot, 'node_modules', '.bin', 'vsce');
    const result = spawnSync(vsce, ['package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--out', output], {
      cwd: copy,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    if (result.status !== 0 || !existsSync(output)) {
      console.error(`npm start: packaging the ${name} fixture failed`);
      process.exit(1);
    }
    return output;
  } finally {
    rmSync(copyRoot, { recursive: true, force: true });
  }
}

const shutdown = async () => {
  await server.stop();
  process.exit(0);
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);

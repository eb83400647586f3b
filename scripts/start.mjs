// `npm start`: packages Vouch, installs the .vsix into a private code-server (a real VS Code),
// and serves it on 127.0.0.1 with a small demo git repository and a fake AI completion provider,
// so you can try Vouch without installing anything. Ctrl+C stops it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { installExtension, startCodeServer } from './editor/codeServer.mjs';
import { prepareDevExtensions } from './editor/devExtensions.mjs';
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
// The demo has no real AI assistant; the test fixture plays one, loaded as a development extension.
const fixtures = prepareDevExtensions(['fake-ai-provider'], { includeVouch: false });
// code-server from npm ships without a TypeScript server; lend it this checkout's, so the demo
// has TypeScript language features instead of an error notification.
const extraSettings = { 'typescript.tsdk': path.join(repoRoot, 'node_modules', 'typescript', 'lib') };
const server = await startCodeServer({ stateDir: demoDir, smokeTestDriver: true, extraSettings, logFile: path.join(demoDir, 'code-server.log') });
const payload = [['extensionDevelopmentPath', `vscode-remote://127.0.0.1:${server.port}${fixtures}`]];
const url = `${server.baseUrl}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
console.log(`\nVouch demo is running (VS Code in your browser, loopback only):\n\n  ${url}\n\nIn src/cart.ts type "function add(" on a new line and press Tab. Ctrl+C stops the editor.`);
const shutdown = async () => {
  await server.stop();
  process.exit(0);
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);

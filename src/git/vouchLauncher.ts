/**
 * The stable `vouch` launcher: a small script at a fixed place that runs the CLI bundled in the
 * currently installed VS Code extension. The extension rewrites it on every activation, so it
 * follows extension updates; git hooks and agent hooks find `vouch` on PATH or here.
 */
import { UnreadableFileError, readRegularText } from './regularFile';
import { constants as fsConstants, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeFileAtomic } from './atomicWrite';

export interface LauncherEnvironment {
  readonly env: NodeJS.ProcessEnv;
  readonly platform: NodeJS.Platform;
  readonly homedir: string;
}

const defaultEnvironment = (): LauncherEnvironment => ({ env: process.env, platform: process.platform, homedir: os.homedir() });

/** `$XDG_DATA_HOME/vouch/bin` (default ~/.local/share/vouch/bin); on Windows %LOCALAPPDATA%\vouch\bin. */
export function launcherDirectory(environment: LauncherEnvironment = defaultEnvironment()): string {
  const { env, platform, homedir } = environment;
  if (platform === 'win32') return path.win32.join(env.LOCALAPPDATA || path.win32.join(homedir, 'AppData', 'Local'), 'vouch', 'bin');
  const dataHome = env.XDG_DATA_HOME && path.isAbsolute(env.XDG_DATA_HOME) ? env.XDG_DATA_HOME : path.join(homedir, '.local', 'share');
  return path.join(dataHome, 'vouch', 'bin');
}

/** The launcher file: `vouch` (a POSIX sh script) or `vouch.cmd` on Windows. */
export function launcherPath(environment: LauncherEnvironment = defaultEnvironment()): string {
  return path[environment.platform === 'win32' ? 'win32' : 'posix'].join(launcherDirectory(environment), environment.platform === 'win32' ? 'vouch.cmd' : 'vouch');
}

export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * The launcher's text. `runtime` runs `cli`; with `electron` it is VS Code's own executable
 * run as plain node (ELECTRON_RUN_AS_NODE=1), so no separate node install is needed.
 */
export function launcherScript(options: { runtime: string; cli: string; electron: boolean; platform: NodeJS.Platform }): string {
  if (options.platform === 'win32') {
    const quote = (value: string) => `"${value.replace(/"/g, '')}"`;
    return [
      '@echo off',
      'rem Written by the Vouch VS Code extension on each start; it runs the CLI of the installed extension.',
      `if not exist ${quote(options.cli)} (echo vouch: the Vouch extension that wrote this launcher is gone; start VS Code once to update it 1>&2 & exit /b 127)`,
      ...(options.electron ? ['set ELECTRON_RUN_AS_NODE=1'] : []),
      `${quote(options.runtime)} ${quote(options.cli)} %*`,
      '',
    ].join('\r\n');
  }
  return [
    '#!/bin/sh',
    '# Written by the Vouch VS Code extension on each start; it runs the CLI of the installed extension.',
    `cli=${shellQuote(options.cli)}`,
    'if [ ! -f "$cli" ]; then',
    '  echo "vouch: the Vouch extension that wrote this launcher is gone ($cli); start VS Code once to update it" >&2',
    '  exit 127',
    'fi',
    `${options.electron ? 'ELECTRON_RUN_AS_NODE=1 ' : ''}exec ${shellQuote(options.runtime)} "$cli" "$@"`,
    '',
  ].join('\n');
}

/**
 * POSIX sh that sets `vouch` to the command to run: `vouch` from PATH, else the launcher at its
 * stable place (resolved when the hook runs, so it works for every user of a shared config), else
 * empty.
 */
export const RESOLVE_VOUCH_SHELL =
  'vouch="$(command -v vouch 2>/dev/null)"; [ -n "$vouch" ] || vouch="${XDG_DATA_HOME:-$HOME/.local/share}/vouch/bin/vouch"; [ -x "$vouch" ] || vouch=""';

/**
 * Writes the launcher when its text differs (atomically, executable). Returns whether it changed.
 */
export async function writeLauncher(file: string, text: string): Promise<boolean> {
  try {
    if ((await readRegularText(file, { maxBytes: 1024 * 1024 })) === text) return false;
  } catch (error) {
    // Not a regular file (a link, a FIFO): the atomic write below replaces it.
    if (!(error instanceof UnreadableFileError)) throw error;
  }
  await fs.mkdir(path.dirname(file), { recursive: true });
  await writeFileAtomic(file, text, { mode: 0o755 });
  // An existing file keeps its mode; the launcher must be executable whatever it was.
  if (((await fs.stat(file)).mode & 0o111) !== 0o111) await fs.chmod(file, 0o755);
  return true;
}

/** The first executable `name` in the directories of `searchPath`, or undefined. */
export async function findOnPath(name: string, searchPath: string, platform: NodeJS.Platform = process.platform): Promise<string | undefined> {
  for (const directory of searchPath.split(platform === 'win32' ? ';' : ':')) {
    if (!directory || !path.isAbsolute(directory)) continue;
    for (const candidate of platform === 'win32' ? [`${name}.cmd`, `${name}.exe`] : [name]) {
      const file = path.join(directory, candidate);
      try {
        await fs.access(file, fsConstants.X_OK);
        if ((await fs.stat(file)).isFile()) return file;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

/**
 * Where a `vouch` symlink to the launcher can go so that it is on PATH: ~/.local/bin when that
 * directory is on PATH (POSIX only), else undefined (the person adds the launcher's directory).
 */
export function pathLinkLocation(environment: LauncherEnvironment = defaultEnvironment()): string | undefined {
  if (environment.platform === 'win32') return undefined;
  const localBin = path.join(environment.homedir, '.local', 'bin');
  const onPath = (environment.env.PATH ?? '').split(':').some((entry) => path.resolve(entry) === localBin);
  return onPath ? path.join(localBin, 'vouch') : undefined;
}

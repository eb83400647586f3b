/**
 * Which key signs Vouch records: the user's choice only. In order: the `vouch.signing.key`
 * setting, the VOUCH_SIGNING_KEY environment variable, then the user's git signing configuration
 * (`user.signingkey`, `gpg.format`, `gpg.program`, `gpg.ssh.program`) read from the global and
 * system git config. A repository's own config never chooses the key or the program that signs:
 * a cloned repository could otherwise run any program as the signer.
 */
import { existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import * as path from 'node:path';
import type { Logger } from '../../core/logger';
import type { GitRunner } from '../gitRunner';
import { findProgram } from './boundedProcess';

export type SigningFormat = 'ssh' | 'openpgp';

export interface SigningKeyChoice {
  readonly format: SigningFormat;
  /** A key file path, a literal SSH public key (`ssh-ed25519 AAAA...`), or an OpenPGP key id. Never written into a note. */
  readonly key: string;
  /** Absolute path of ssh-keygen or gpg. */
  readonly program: string;
  /** Where the choice came from, for messages. */
  readonly source: string;
}

export interface SigningKeyOptions {
  /** The `vouch.signing.key` setting (editor only). */
  readonly settingKey?: string;
  /** Environment to read VOUCH_SIGNING_KEY, HOME and PATH from (default: this process's). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly envVariable?: string;
}

const CONFIG_KEYS = /^(?:user\.signingkey|gpg\.format|gpg\.program|gpg\.ssh\.program|gpg\.openpgp\.program)$/;
const USER_SCOPES = new Set(['global', 'system']);
const warnedRepositories = new Set<string>();

export function isLiteralSshKey(value: string): boolean {
  return /^(?:key::)?(?:ssh-|ecdsa-|sk-)/.test(value.trim());
}

export function expandHome(value: string, env: Readonly<Record<string, string | undefined>>): string {
  if (value === '~' || value.startsWith('~/')) return path.join(env.HOME ?? homedir(), value.slice(1));
  return value;
}

/** A value written as a file path (a directory part, `~`, `.`, or a `.pub` name), not as an OpenPGP key id. */
function looksLikeKeyFile(value: string): boolean {
  return /[\\/]/.test(value) || value.startsWith('~') || value.startsWith('.') || /\.pub$/i.test(value);
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The signing settings of the user's global and system git config, and which of them the repository's own config tried to set. */
async function readUserGitSigningConfig(git: GitRunner, cwd: string, env: Readonly<Record<string, string | undefined>>): Promise<{ values: Map<string, string>; ignored: string[] }> {
  const passed: Record<string, string> = {};
  for (const name of ['HOME', 'XDG_CONFIG_HOME', 'GIT_CONFIG_GLOBAL', 'GIT_CONFIG_SYSTEM', 'GIT_CONFIG_NOSYSTEM']) {
    const value = env[name];
    if (value !== undefined) passed[name] = value;
  }
  const result = await git.run(['config', '--show-scope', '--get-regexp', '^(user\\.signingkey|gpg\\..*)$'], { cwd, env: passed, okExitCodes: [1] });
  const values = new Map<string, string>();
  const ignored: string[] = [];
  for (const line of result.stdout.split('\n')) {
    const match = /^([a-z]+)\t(\S+)(?: (.*))?$/.exec(line);
    if (!match) continue;
    const [, scope, key, value = ''] = match;
    if (!CONFIG_KEYS.test(key)) continue;
    // Later lines override earlier ones, as in git: system, then global, then the repository's.
    if (USER_SCOPES.has(scope)) values.set(key, value);
    else if (!ignored.includes(key)) ignored.push(key);
  }
  return { values, ignored };
}

/**
 * The key the user chose, or undefined when there is none (records then stay unsigned).
 * Throws when a key is chosen but its signing program cannot be found.
 */
export async function resolveSigningKey(git: GitRunner, cwd: string, logger: Logger, options: SigningKeyOptions = {}): Promise<SigningKeyChoice | undefined> {
  const env = options.env ?? process.env;
  const envVariable = options.envVariable ?? 'VOUCH_SIGNING_KEY';
  const { values, ignored } = await readUserGitSigningConfig(git, cwd, env);
  if (ignored.length > 0 && !warnedRepositories.has(cwd)) {
    warnedRepositories.add(cwd);
    logger.info(`vouch: ignoring ${ignored.join(', ')} from this repository's own git config: only your setting, ${envVariable} or your global git config choose the signing key and program`);
  }
  const sshProgram = () => findProgram(values.get('gpg.ssh.program') || 'ssh-keygen', env.PATH ?? process.env.PATH);
  const gpgProgram = () => findProgram(values.get('gpg.openpgp.program') || values.get('gpg.program') || 'gpg', env.PATH ?? process.env.PATH);
  const explicit = [
    ['the vouch.signing.key setting', options.settingKey],
    [envVariable, env[envVariable]],
  ] as const;
  for (const [source, raw] of explicit) {
    const value = raw?.trim();
    if (!value) continue;
    // A relative key file is relative to where the command runs, not to the directory ssh-keygen signs in.
    const expanded = path.resolve(expandHome(value, env));
    // A path names an SSH key file even when it is missing (then signing says the file is missing);
    // an OpenPGP key id, fingerprint or user id holds no path separator.
    if (isLiteralSshKey(value) || isFile(expanded) || looksLikeKeyFile(value)) {
      return { format: 'ssh', key: isLiteralSshKey(value) ? value : expanded, program: sshProgram(), source };
    }
    return { format: 'openpgp', key: value, program: gpgProgram(), source };
  }
  const configured = values.get('user.signingkey')?.trim();
  if (!configured) return undefined;
  const format = (values.get('gpg.format') || 'openpgp').toLowerCase();
  if (format === 'ssh') {
    return { format: 'ssh', key: isLiteralSshKey(configured) ? configured : path.resolve(expandHome(configured, env)), program: sshProgram(), source: 'your global git config (user.signingkey, gpg.format ssh)' };
  }
  if (format === 'openpgp') return { format: 'openpgp', key: configured, program: gpgProgram(), source: 'your global git config (user.signingkey)' };
  logger.warn(`vouch: gpg.format ${format} is not supported for Vouch records (ssh or openpgp); records stay unsigned`);
  return undefined;
}

/** An agent's key given outright (`vouch mark --sign --key`, VOUCH_AGENT_SIGNING_KEY): ssh-keygen or gpg from PATH; a key file path is relative to `baseDir`. */
export function agentKeyChoice(value: string, source: string, env: Readonly<Record<string, string | undefined>> = process.env, baseDir = process.cwd()): SigningKeyChoice {
  const trimmed = value.trim();
  const expanded = path.resolve(baseDir, expandHome(trimmed, env));
  if (isLiteralSshKey(trimmed) || isFile(expanded) || looksLikeKeyFile(trimmed)) return { format: 'ssh', key: isLiteralSshKey(trimmed) ? trimmed : expanded, program: findProgram('ssh-keygen', env.PATH ?? process.env.PATH), source };
  return { format: 'openpgp', key: trimmed, program: findProgram('gpg', env.PATH ?? process.env.PATH), source };
}

/** True when `file` exists: used to find the .pub beside a private key. */
export function fileExists(file: string): boolean {
  return existsSync(file);
}

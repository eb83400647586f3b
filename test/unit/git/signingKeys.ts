// Real signing keys made inside tests: ssh-keygen key pairs, a test-started ssh-agent, a GPG home.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { findProgram } from '../../../src/git/signing/boundedProcess';
import type { SigningKeyChoice } from '../../../src/git/signing/signingKey';

export const sshKeygen = findProgram('ssh-keygen');

export interface TestSshKey {
  readonly privatePath: string;
  readonly publicPath: string;
  readonly publicLine: string;
  readonly type: string;
}

export class KeyDir {
  readonly dir = mkdtempSync(path.join(tmpdir(), 'vouch-keys-'));
  private agentPid: number | undefined;
  agentSocket: string | undefined;

  sshKey(name: string, type: 'ed25519' | 'ecdsa' | 'ecdsa384' | 'ecdsa521' | 'rsa', passphrase = ''): TestSshKey {
    const privatePath = path.join(this.dir, name);
    const typeArgs = type === 'ecdsa384' ? ['-t', 'ecdsa', '-b', '384'] : type === 'ecdsa521' ? ['-t', 'ecdsa', '-b', '521'] : type === 'rsa' ? ['-t', 'rsa', '-b', '2048'] : ['-t', type];
    execFileSync(sshKeygen, ['-q', ...typeArgs, '-N', passphrase, '-C', `${name}@test`, '-f', privatePath], { stdio: 'ignore' });
    const publicPath = `${privatePath}.pub`;
    return { privatePath, publicPath, publicLine: readFileSync(publicPath, 'utf8').trim(), type };
  }

  /** An empty HOME for this test's processes (inside this folder, so it goes with cleanup). */
  home(): string {
    const home = path.join(this.dir, 'home');
    mkdirSync(home, { recursive: true });
    return home;
  }

  /** An environment with that HOME and nothing of the user's or the system's git config (no agent either). */
  isolatedEnv(): Record<string, string | undefined> {
    return { PATH: process.env.PATH, HOME: this.home(), GIT_CONFIG_NOSYSTEM: '1' };
  }

  choice(key: string): SigningKeyChoice {
    return { format: 'ssh', key, program: sshKeygen, source: 'the test' };
  }

  /** Starts an ssh-agent for this test (killed by cleanup, by its pid) and adds `key` to it. */
  startAgent(...keys: TestSshKey[]): Record<string, string> {
    const output = execFileSync(findProgram('ssh-agent'), ['-s', '-a', path.join(this.dir, 'agent.sock')], { encoding: 'utf8' });
    this.agentSocket = /SSH_AUTH_SOCK=([^;]+);/.exec(output)?.[1];
    this.agentPid = Number(/SSH_AGENT_PID=(\d+);/.exec(output)?.[1]);
    const env = { ...process.env, SSH_AUTH_SOCK: this.agentSocket ?? '' } as Record<string, string>;
    for (const key of keys) execFileSync(findProgram('ssh-add'), ['-q', key.privatePath], { env, stdio: 'ignore' });
    return env;
  }

  /** `principal keytype key` lines with the given options. */
  allowedSigners(entries: readonly { principal: string; key: TestSshKey; options?: string }[]): string {
    return entries.map((entry) => `${entry.principal} ${entry.options ? `${entry.options} ` : ''}${entry.key.publicLine}`).join('\n') + '\n';
  }

  cleanup(): void {
    if (this.agentPid) {
      try {
        process.kill(this.agentPid);
      } catch {
        // already gone
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A GPG home with one unprotected ed25519 signing key; undefined when gpg is not installed. */
export function makeGpgHome(dir: string, uid = 'Ada <ada@example.com>'): { home: string; fingerprint: string; gpg: string } | undefined {
  let gpg: string;
  try {
    gpg = findProgram('gpg');
  } catch {
    return undefined;
  }
  const home = mkdtempSync(path.join(dir, 'gnupg-'));
  return { home, fingerprint: addGpgKey(gpg, home, uid), gpg };
}

/**
 * Makes an ed25519 key for `uid` in the GPG home `home` and returns its fingerprint: a signing key
 * (`usage` 'sign'), or one that can only certify ('cert': gpg refuses to sign with it); protected
 * by `passphrase` when one is given.
 */
export function addGpgKey(gpg: string, home: string, uid: string, options: { readonly passphrase?: string; readonly usage?: 'sign' | 'cert' } = {}): string {
  const env = { ...process.env, GNUPGHOME: home };
  const made = spawnSync(gpg, ['--batch', '--pinentry-mode', 'loopback', '--passphrase', options.passphrase ?? '', '--quick-gen-key', uid, 'ed25519', options.usage ?? 'sign', 'never'], { env, encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`gpg key generation failed: ${made.stderr}`);
  const listed = execFileSync(gpg, ['--batch', '--with-colons', '--list-secret-keys', '--', `=${uid}`], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return /^fpr:::::::::([0-9A-F]+):/m.exec(listed)?.[1] ?? '';
}

/** Stops the gpg-agent that gpg started for the GPG home `home` (the one this test made), if any. */
export function stopGpgAgent(home: string): void {
  try {
    spawnSync(findProgram('gpgconf'), ['--homedir', home, '--kill', 'gpg-agent'], { stdio: 'ignore', timeout: 10_000 });
  } catch {
    // no gpgconf: the agent goes when its home is removed
  }
}

/**
 * Signing the DSSE PAE of a record with the user's key: `ssh-keygen -Y sign -n
 * vouch-attestation-v1` (key files, keys held only in ssh-agent, security keys) or a detached
 * armored `gpg` signature. Each signature entry is `{ keyid: <fingerprint>, sig: <base64 of the
 * exact text the tool wrote> }`. The programs run bounded and without a terminal.
 */
import { writeFileAtomic } from '../atomicWrite';
import { readRegularFileSync } from '../regularFile';
import * as path from 'node:path';
import { bytesToBase64 } from '../../core/notes/canonicalJson';
import type { DsseSignature } from '../../core/notes/noteRecord';
import { VOUCH_SIGNATURE_NAMESPACE } from '../../core/signing/dsse';
import type { PayloadSigner } from '../../core/signing/signedRecord';
import { dearmorSshSignature, parseSshPublicKeyLine, parseSshSignatureBlob, sshFingerprint } from '../../core/signing/sshSignature';
import { BoundedProcessError, runBounded } from './boundedProcess';
import { fileExists, type SigningKeyChoice } from './signingKey';
import { withTempDir } from './tempDir';
import { errorMessage } from '../../core/errorMessage';

/** Signing failed; the message says what to do (and never holds the payload). */
export class SigningError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SigningError';
  }
}

/** A public key line or a signature is a few kilobytes; the bound only keeps a device or FIFO named in the config from hanging or exhausting memory. */
const MAX_KEY_FILE_BYTES = 64 * 1024;
const MAX_SIGNATURE_BYTES = 1024 * 1024;

/** The text of a regular file up to `maxBytes`, else undefined (missing, not regular, too large). */
function readSmallText(file: string, maxBytes: number): string | undefined {
  const read = readRegularFileSync(file, { maxBytes, followSymlink: true });
  return read.kind === 'ok' ? read.bytes.toString('utf8') : undefined;
}

/** A security key may wait for a touch: long enough for a person, short enough never to hang. */
const SIGN_TIMEOUT_MS = 60_000;

function literalKey(key: string): string | undefined {
  const trimmed = key.trim();
  if (trimmed.startsWith('key::')) return trimmed.slice(5).trim();
  return /^(?:ssh-|ecdsa-|sk-)/.test(trimmed) ? trimmed : undefined;
}

/** The `SHA256:...` fingerprint of an SSH key choice without running anything: literal key, .pub file, or the .pub beside a private key. */
export function sshKeyFingerprint(key: string): string | undefined {
  const literal = literalKey(key);
  const candidates = literal ? [literal] : [];
  if (!literal) {
    for (const file of key.endsWith('.pub') ? [key] : [`${key}.pub`, key]) {
      if (!fileExists(file)) continue;
      let text: string | undefined;
      try {
        text = readSmallText(file, MAX_KEY_FILE_BYTES);
      } catch {
        // unreadable: try the next
      }
      if (text !== undefined) candidates.push(text);
    }
  }
  for (const text of candidates) {
    const parsed = parseSshPublicKeyLine(text.split('\n')[0] ?? '');
    if (parsed) return sshFingerprint(parsed.blob);
  }
  return undefined;
}

/**
 * What to do when ssh-keygen -Y sign failed, told from its own messages (OpenSSH 8.x and 9.x), matched
 * whole and with the key's path taken out first: a file named `agent-key` or `passphrase-less` must
 * not decide the advice.
 *   Couldn't load public key <file>: No such file or directory   (also Permission denied, Is a directory)
 *   Load key "<file>": incorrect passphrase supplied to decrypt private key / Enter passphrase:
 *   Couldn't get agent socket                                    (-U, or no agent at all)
 *   Couldn't find key in agent                                   (an agent runs, without this key)
 *   No private key found for public key "<file>"                 (a .pub: no private key beside it, none in an agent)
 */
export function explainSshFailure(stderr: string, choice: Pick<SigningKeyChoice, 'key' | 'source'>, paths: readonly string[] = []): string {
  let text = stderr;
  for (const file of [...new Set([choice.key, ...paths])].filter((item) => item.length > 0).sort((a, b) => b.length - a.length)) text = text.split(file).join('<key>');
  const said = stderr.trim().split('\n').slice(-2).join(' ').slice(0, 300);
  const fileProblem = /^(?:Couldn't load public key|Load key) "?<key>"?: (No such file or directory|Permission denied|Is a directory|Not a directory)\s*$/m.exec(text);
  if (fileProblem) {
    const why = fileProblem[1] === 'No such file or directory' || fileProblem[1] === 'Not a directory' ? 'does not exist' : 'cannot be read';
    return `the SSH key file ${choice.key} (${choice.source}) ${why} (${fileProblem[1]}): set a key file that exists, or the .pub of a key in your ssh-agent`;
  }
  if (/^Load key "?<key>"?: incorrect passphrase supplied to decrypt private key\s*$/m.test(text) || /^Enter passphrase\b/m.test(text)) {
    return `the SSH key (${choice.source}) needs a passphrase and no ssh-agent holds it; Vouch never prompts. Add it to your agent (ssh-add) and commit again`;
  }
  if (/^Couldn't get agent socket\b/m.test(text)) {
    return `the SSH key (${choice.source}) is to be signed by ssh-agent, but no agent is reachable (SSH_AUTH_SOCK): start one and add the key with ssh-add. ssh-keygen said: ${said}`;
  }
  if (/^(?:Couldn't find key in agent|No private key found for public key "?<key>"?)\s*$/m.test(text) || /\bagent refused operation\b/.test(text)) {
    return `the SSH key (${choice.source}) is not in your ssh-agent (SSH_AUTH_SOCK), and no private key file is beside it: add it with ssh-add. ssh-keygen said: ${said}`;
  }
  return `ssh-keygen could not sign with the key from ${choice.source}: ${said}`;
}

export function createSshSigner(choice: SigningKeyChoice, env?: Readonly<Record<string, string | undefined>>): PayloadSigner {
  const fingerprint = sshKeyFingerprint(choice.key);
  return {
    description: fingerprint ?? 'an SSH key',
    sign: (pae) =>
      withTempDir('vouch-sign-', async (dir) => {
        const literal = literalKey(choice.key);
        // Said plainly before ssh-keygen runs: a key file that is not there is missing, whatever its name.
        if (!literal && !fileExists(choice.key)) throw new SigningError(`the SSH key file ${choice.key} (${choice.source}) does not exist: set a key file that exists, or the .pub of a key in your ssh-agent`);
        let keyFile = choice.key;
        if (literal) {
          // A literal public key names a key in ssh-agent (as git does): -U signs with the agent only.
          keyFile = path.join(dir, 'key.pub');
          await writeFileAtomic(keyFile, `${literal}\n`, { mode: 0o600 });
        }
        const message = path.join(dir, 'payload');
        await writeFileAtomic(message, pae, { mode: 0o600 });
        let result;
        try {
          result = await runBounded(choice.program, ['-Y', 'sign', '-n', VOUCH_SIGNATURE_NAMESPACE, '-f', keyFile, ...(literal ? ['-U'] : []), message], { timeoutMs: SIGN_TIMEOUT_MS, env, cwd: dir });
        } catch (error) {
          if (error instanceof BoundedProcessError && error.kind === 'timeout') throw new SigningError(`ssh-keygen did not sign within ${SIGN_TIMEOUT_MS / 1000} s (a security key waiting for a touch?)`);
          throw new SigningError(errorMessage(error));
        }
        if (result.exitCode !== 0) throw new SigningError(explainSshFailure(result.stderr, choice, [keyFile, message, dir]));
        let text: string | undefined;
        try {
          text = readSmallText(`${message}.sig`, MAX_SIGNATURE_BYTES);
        } catch {
          text = undefined;
        }
        if (text === undefined) throw new SigningError('ssh-keygen reported success but wrote no signature');
        const blob = dearmorSshSignature(text);
        if (!blob) throw new SigningError('ssh-keygen wrote something that is not an SSH signature');
        const keyid = sshFingerprint(parseSshSignatureBlob(blob).publicKey);
        return { keyid, sig: bytesToBase64(new TextEncoder().encode(text)) } satisfies DsseSignature;
      }),
  };
}

/** gpg's status lines (`--status-fd`, GnuPG's doc/DETAILS): each one's keyword and arguments. */
function gpgStatusLines(text: string): string[][] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('[GNUPG:] '))
    .map((line) => line.slice('[GNUPG:] '.length).trimEnd().split(' '));
}

/**
 * The libgpg-error codes a gpg signing failure is told by. A status line's error value is the code
 * in its low 16 bits and the component that raised it above (`FAILURE sign 67108949` is gpg-agent's
 * NO_PIN_ENTRY), optionally followed by `_SYMBOL`.
 */
const GPG_ERR = {
  BAD_PASSPHRASE: 11,
  NO_SECKEY: 17,
  UNUSABLE_SECKEY: 54,
  NO_AGENT: 77,
  NO_PIN_ENTRY: 85,
  PIN_ENTRY: 86,
  CERT_REVOKED: 94,
  CERT_EXPIRED: 101,
  AMBIGUOUS_NAME: 107,
  WRONG_KEY_USAGE: 125,
  KEY_EXPIRED: 153,
  NO_PASSPHRASE: 177,
  KEY_DISABLED: 252,
} as const;

function gpgErrorCode(value: string | undefined): number | undefined {
  const match = /^(\d+)(?:_\w+)?$/.exec(value ?? '');
  return match ? Number(match[1]) % 0x10000 : undefined;
}

/** Why gpg would not use the key, from INV_SGNR's reason (DETAILS: 3 wrong key usage, 4 revoked, 5 expired, 13 disabled) or the failure's code. */
function unusableKeyReason(reason: number | undefined, code: number | undefined): string | undefined {
  if (reason === 3 || code === GPG_ERR.WRONG_KEY_USAGE) return 'it has no key that may sign (a key made only to certify or encrypt)';
  if (reason === 4 || code === GPG_ERR.CERT_REVOKED) return 'it is revoked';
  if (reason === 5 || code === GPG_ERR.CERT_EXPIRED || code === GPG_ERR.KEY_EXPIRED) return 'it has expired';
  if (reason === 13 || code === GPG_ERR.KEY_DISABLED) return 'it is disabled';
  if (code === GPG_ERR.UNUSABLE_SECKEY) return 'it has expired, is revoked, or has no key that may sign';
  return undefined;
}

/**
 * What to do when `gpg --detach-sign` failed, told from its machine-readable status lines only
 * (`--status-fd`, GnuPG's doc/DETAILS), never from its messages: those quote the key id or user id
 * and the home directory, which may hold any word ("passphrase", "pinentry"), and are translated.
 *   INV_SGNR <reason> <key>   the key named cannot sign: 1 not found, 2 ambiguous, 3 wrong key usage,
 *                             4 revoked, 5 expired, 9 no secret key or unusable, 13 disabled
 *   FAILURE sign <error>      the error that ended signing: NO_SECKEY, UNUSABLE_SECKEY, NO_AGENT,
 *                             NO_PIN_ENTRY (a passphrase was needed and nobody may be asked) ...
 *   MISSING_PASSPHRASE, BAD_PASSPHRASE
 * Without such a line (another program as gpg.program), gpg's own words are quoted.
 */
export function explainGpgFailure(status: string, stderr: string, choice: Pick<SigningKeyChoice, 'key' | 'source'>): string {
  const lines = gpgStatusLines(status);
  const word = (name: string) => lines.find((fields) => fields[0] === name);
  const failure = lines.find((fields) => fields[0] === 'FAILURE' && fields[1] === 'sign') ?? word('FAILURE');
  const code = gpgErrorCode(failure?.[2]);
  const invalid = word('INV_SGNR');
  const reason = invalid ? Number(invalid[1]) : undefined;
  const said = stderr.split('\n').filter((line) => !line.startsWith('[GNUPG:]')).join(' ').trim().slice(0, 300);
  const passphraseCodes: readonly number[] = [GPG_ERR.NO_PIN_ENTRY, GPG_ERR.PIN_ENTRY, GPG_ERR.NO_PASSPHRASE, GPG_ERR.BAD_PASSPHRASE];
  if ((code !== undefined && passphraseCodes.includes(code)) || word('MISSING_PASSPHRASE') || word('BAD_PASSPHRASE')) {
    return `the OpenPGP key ${choice.key} (${choice.source}) needs a passphrase and gpg-agent does not hold it; Vouch never prompts. Unlock it (e.g. sign something with gpg in a terminal) and commit again`;
  }
  if (code === GPG_ERR.NO_AGENT) {
    return `gpg could not reach gpg-agent, which holds the secret keys (key ${choice.key}, ${choice.source}): start it (gpgconf --launch gpg-agent) and commit again. gpg said: ${said}`;
  }
  if (reason === 2 || code === GPG_ERR.AMBIGUOUS_NAME) {
    return `the OpenPGP key id ${choice.key} (${choice.source}) names more than one key: set the fingerprint of the one to sign with`;
  }
  const unusable = unusableKeyReason(reason, code);
  if (unusable) return `the OpenPGP key ${choice.key} (${choice.source}) cannot sign: ${unusable}. Set a key that can (gpg --list-secret-keys shows them)`;
  if (code === GPG_ERR.NO_SECKEY || (code === undefined && (reason === 1 || reason === 9))) {
    return `gpg has no secret key for ${choice.key} (${choice.source}): set the id or fingerprint of a key gpg --list-secret-keys shows`;
  }
  return `gpg could not sign with ${choice.key} (${choice.source}): ${said}`;
}

export function createGpgSigner(choice: SigningKeyChoice, env?: Readonly<Record<string, string | undefined>>): PayloadSigner {
  return {
    description: `OpenPGP key ${choice.key}`,
    sign: (pae) =>
      withTempDir('vouch-sign-', async (dir) => {
        const message = path.join(dir, 'payload');
        const output = path.join(dir, 'payload.asc');
        await writeFileAtomic(message, pae, { mode: 0o600 });
        let result;
        try {
          // The signature goes to --output, so stdout carries only the status lines, apart from gpg's messages on stderr.
          result = await runBounded(
            choice.program,
            ['--batch', '--no-tty', '--pinentry-mode', 'error', '--status-fd', '1', '--armor', '--detach-sign', '--local-user', choice.key, '--output', output, '--', message],
            { timeoutMs: SIGN_TIMEOUT_MS, env, cwd: dir },
          );
        } catch (error) {
          if (error instanceof BoundedProcessError && error.kind === 'timeout') throw new SigningError(`gpg did not sign within ${SIGN_TIMEOUT_MS / 1000} s`);
          throw new SigningError(errorMessage(error));
        }
        // A gpg.program wrapper made for git, which asks for --status-fd=2, may send them to stderr: both are read (messages never start with the status prefix).
        const status = `${result.stdout.toString('utf8')}\n${result.stderr}`;
        // SIG_CREATED <type> <pk_algo> <hash_algo> <class> <timestamp> <keyfpr>
        const created = gpgStatusLines(status).find((fields) => fields[0] === 'SIG_CREATED' && fields.length >= 7 && /^[0-9A-Fa-f]{16,64}$/.test(fields[6]));
        if (result.exitCode !== 0 || !created) throw new SigningError(explainGpgFailure(status, result.stderr, choice));
        const text = readSmallText(output, MAX_SIGNATURE_BYTES);
        if (text === undefined) throw new SigningError('gpg reported success but wrote no signature');
        return { keyid: created[6].toUpperCase(), sig: bytesToBase64(new TextEncoder().encode(text)) } satisfies DsseSignature;
      }),
  };
}

export function createPayloadSigner(choice: SigningKeyChoice, env?: Readonly<Record<string, string | undefined>>): PayloadSigner {
  return choice.format === 'ssh' ? createSshSigner(choice, env) : createGpgSigner(choice, env);
}

/**
 * Checking a detached OpenPGP signature against the auditor's keyring only: `gpgv` with an empty
 * home directory (nothing from the user's own keyrings or trust database counts), then the
 * signing key's user ids read from the same keyring, so the signature counts only for a principal
 * (email) one of the key's user ids names.
 */
import { mkdirSync } from 'node:fs';
import { writeFileAtomic } from '../atomicWrite';
import * as path from 'node:path';
import { runBounded } from './boundedProcess';
import { withTempDir } from './tempDir';

export type OpenPgpCheck =
  | { readonly status: 'valid'; readonly fingerprint: string; readonly userIds: readonly string[] }
  | { readonly status: 'bad'; readonly fingerprint?: string; readonly reason: string }
  | { readonly status: 'unknown-key'; readonly fingerprint?: string; readonly reason: string };

export interface OpenPgpKeyring {
  /** Absolute path of the keyring in OpenPGP binary form (what gpgv reads). */
  readonly path: string;
  readonly gpgv: string;
  readonly gpg: string;
}

const ARMOR_BEGIN = /^-----BEGIN PGP PUBLIC KEY BLOCK-----\s*$/;
const ARMOR_END = /^-----END PGP PUBLIC KEY BLOCK-----\s*$/;

/**
 * The binary form of an exported keyring: armored blocks (`gpg --export --armor`) are decoded,
 * binary input is kept. Undefined when armored text holds no key block.
 */
export function keyringBytes(file: Buffer): Buffer | undefined {
  const text = file.subarray(0, 64).toString('latin1');
  if (!text.trimStart().startsWith('-----BEGIN')) return file;
  const parts: Buffer[] = [];
  let body: string[] | undefined;
  let inHeaders = false;
  for (const line of file.toString('utf8').split(/\r?\n/)) {
    if (ARMOR_BEGIN.test(line)) {
      body = [];
      inHeaders = true;
    } else if (body && ARMOR_END.test(line)) {
      parts.push(Buffer.from(body.join(''), 'base64'));
      body = undefined;
    } else if (body && inHeaders) {
      // Armor headers ("Comment: ...") end at the first blank line.
      if (line.trim() === '') inHeaders = false;
      else if (!/^[A-Za-z-]+: /.test(line)) {
        inHeaders = false;
        body.push(line.trim());
      }
    } else if (body && !line.startsWith('=')) {
      body.push(line.trim()); // the "=XXXX" line is the armor checksum, not key data
    }
  }
  return parts.length > 0 ? Buffer.concat(parts) : undefined;
}

function statusLines(stdout: Buffer): string[][] {
  return stdout
    .toString('utf8')
    .split('\n')
    .filter((line) => line.startsWith('[GNUPG:] '))
    .map((line) => line.slice('[GNUPG:] '.length).split(' '));
}

/** The user ids of the key with `fingerprint` in the keyring (gpg --with-colons, field 10 of uid lines). */
async function userIdsOf(keyring: OpenPgpKeyring, home: string, fingerprint: string): Promise<string[]> {
  const listed = await runBounded(keyring.gpg, ['--homedir', home, '--batch', '--no-default-keyring', '--keyring', keyring.path, '--with-colons', '--fixed-list-mode', '--list-keys', '--', fingerprint], { timeoutMs: 20_000 });
  if (listed.exitCode !== 0) return [];
  return listed.stdout
    .toString('utf8')
    .split('\n')
    .filter((line) => line.startsWith('uid:'))
    .map((line) => line.split(':')[9] ?? '')
    .map((uid) => uid.replace(/\\x([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16))))
    .filter((uid) => uid !== '');
}

/** Checks `armoredSignature` over `message` with the keys of `keyring` only. */
export async function verifyOpenPgpSignature(keyring: OpenPgpKeyring, armoredSignature: string, message: Uint8Array): Promise<OpenPgpCheck> {
  return withTempDir('vouch-openpgp-', async (dir) => {
    const home = path.join(dir, 'home');
    mkdirSync(home, { mode: 0o700 });
    const signatureFile = path.join(dir, 'record.asc');
    const messageFile = path.join(dir, 'record.pae');
    await writeFileAtomic(signatureFile, armoredSignature, { mode: 0o600 });
    await writeFileAtomic(messageFile, message, { mode: 0o600 });
    const result = await runBounded(keyring.gpgv, ['--homedir', home, '--keyring', keyring.path, '--status-fd', '1', '--', signatureFile, messageFile], { timeoutMs: 20_000 });
    const status = statusLines(result.stdout);
    const word = (name: string) => status.find((fields) => fields[0] === name);
    const validSig = word('VALIDSIG');
    if (result.exitCode === 0 && validSig && word('GOODSIG')) {
      // VALIDSIG <signing key fpr> <date> <timestamp> <expire> <version> <reserved> <pk algo> <hash algo> <class> <primary key fpr>
      const fingerprint = validSig[10] ?? validSig[1];
      return { status: 'valid', fingerprint, userIds: await userIdsOf(keyring, home, fingerprint) };
    }
    const bad = word('BADSIG');
    if (bad) return { status: 'bad', fingerprint: bad[1], reason: 'the OpenPGP signature does not match the record' };
    const expired = word('EXPKEYSIG');
    if (expired) return { status: 'unknown-key', fingerprint: expired[1], reason: 'the OpenPGP key has expired' };
    const revoked = word('REVKEYSIG');
    if (revoked) return { status: 'unknown-key', fingerprint: revoked[1], reason: 'the OpenPGP key is revoked' };
    const missing = word('NO_PUBKEY') ?? word('ERRSIG');
    if (missing) return { status: 'unknown-key', fingerprint: missing[1], reason: 'the signing key is not in the auditor\'s OpenPGP keyring' };
    return { status: 'bad', reason: `gpgv could not check the signature (exit ${result.exitCode})` };
  });
}

/** Whether a user id ("Name <email>" or a bare email) names `principal` (emails compare case-insensitively). */
export function userIdNames(userId: string, principal: string): boolean {
  const email = /<([^<>]+)>\s*$/.exec(userId)?.[1] ?? userId.trim();
  return email.toLowerCase() === principal.trim().toLowerCase();
}

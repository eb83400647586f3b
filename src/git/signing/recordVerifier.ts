/**
 * Whether a record's signature counts for a principal: valid over the record's DSSE PAE, made by
 * a key the auditor's allowed signers file lists for that principal, in the namespace
 * vouch-attestation-v1, within the key's validity window at the given time, over a record whose
 * subject is the commit being verified. Otherwise: unsigned, bad-signature, unknown-signer or
 * wrong-subject. SSH signatures are checked natively; certificates and security keys by
 * `ssh-keygen -Y verify` with the same allowed signers file.
 */
import { writeFileAtomic } from '../atomicWrite';
import * as path from 'node:path';
import type { NoteRecord } from '../../core/notes/noteRecord';
import { checkSigner, type AllowedSignersFile } from '../../core/signing/allowedSigners';
import { decodeBase64EitherAlphabet, VOUCH_SIGNATURE_NAMESPACE } from '../../core/signing/dsse';
import { recordPae } from '../../core/signing/signedRecord';
import { isArmoredSshSignature } from '../../core/signing/sshSignature';
import { runBounded } from './boundedProcess';
import { userIdNames, verifyOpenPgpSignature, type OpenPgpKeyring } from './openpgpVerify';
import { verifySshSignature, type SshVerifyResult } from './sshVerify';
import { withTempDir } from './tempDir';

/** What a signature covers: a record, or an agent's claim (line: its serialised envelope, the cache key). */
export type SignedPayload = Pick<NoteRecord, 'line' | 'envelope' | 'payloadBytes'>;

export type SignatureVerdict = 'valid' | 'unsigned' | 'bad-signature' | 'unknown-signer' | 'wrong-subject';

export interface SignatureFinding {
  readonly verdict: SignatureVerdict;
  /** Fingerprint of the key whose signature decided the verdict, when there is one. */
  readonly keyid?: string;
  readonly detail: string;
}

type CryptoCheck =
  | { readonly kind: 'ssh'; readonly result: SshVerifyResult; readonly armored: string }
  | { readonly kind: 'openpgp'; readonly keyid?: string; readonly armored: string }
  | { readonly kind: 'unreadable'; readonly reason: string };

export interface SignatureVerifierOptions {
  /** The allowed signers file's path, for ssh-keygen (certificates, security keys). */
  readonly allowedSignersPath: string;
  /** Absolute path of ssh-keygen, when installed. */
  readonly sshKeygen?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** No allowed signers file was given: say so in every unknown-signer verdict. */
  readonly trustsNobody?: boolean;
  /** The auditor's OpenPGP keyring (--openpgp-keyring): OpenPGP signatures are checked against it. */
  readonly openpgpKeyring?: OpenPgpKeyring;
}

const MAX_CACHED_RECORDS = 20_000;

/** ssh-keygen's -Overify-time form, in UTC. */
function sshTime(time: number): string {
  return `${new Date(time).toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
}

export class SignatureVerifier {
  private readonly checks = new Map<string, CryptoCheck[]>();

  constructor(
    private readonly allowed: AllowedSignersFile,
    private readonly options: SignatureVerifierOptions,
  ) {}

  /** The signatures of `record` checked over its PAE (once per record line). */
  private cryptoChecks(record: SignedPayload): CryptoCheck[] {
    const cached = this.checks.get(record.line);
    if (cached) return cached;
    let pae: Uint8Array | undefined;
    const checks = record.envelope.signatures.map((signature): CryptoCheck => {
      const bytes = decodeBase64EitherAlphabet(signature.sig);
      if (!bytes) return { kind: 'unreadable', reason: 'the signature is not base64' };
      const text = new TextDecoder().decode(bytes);
      if (isArmoredSshSignature(text)) {
        pae ??= recordPae(record);
        return { kind: 'ssh', armored: text, result: verifySshSignature(text, pae, VOUCH_SIGNATURE_NAMESPACE) };
      }
      if (text.trimStart().startsWith('-----BEGIN PGP SIGNATURE-----')) return { kind: 'openpgp', keyid: signature.keyid, armored: text };
      return { kind: 'unreadable', reason: 'neither an SSH nor an OpenPGP signature' };
    });
    if (this.checks.size >= MAX_CACHED_RECORDS) this.checks.clear();
    this.checks.set(record.line, checks);
    return checks;
  }

  /** Each signature of `record`, checked over its PAE only (no allowed signers): for display. */
  describeSignatures(record: SignedPayload): { readonly keyid?: string; readonly state: 'valid' | 'bad' | 'unchecked'; readonly detail: string }[] {
    return this.cryptoChecks(record).map((check, index) => {
      const keyid = record.envelope.signatures[index]?.keyid;
      if (check.kind === 'ssh') {
        const result = check.result;
        if (result.status === 'valid') return { keyid: result.keyid, state: 'valid', detail: 'SSH signature valid' };
        if (result.status === 'unsupported') return { keyid: result.keyid, state: 'unchecked', detail: `${result.keyType}: checked by ssh-keygen in vouch verify` };
        return { keyid: result.keyid ?? keyid, state: 'bad', detail: result.reason };
      }
      if (check.kind === 'openpgp') return { keyid, state: 'unchecked', detail: 'OpenPGP signature (check it with gpg)' };
      return { keyid, state: 'bad', detail: check.reason };
    });
  }

  /**
   * The verdict for `principal` (a reviewer's or agent's email / principal name) at `time` (ms):
   * `subject` says whether the record's subject is the commit under verification.
   */
  async verdict(record: SignedPayload, principal: string, time: number, subject: { readonly ok: boolean; readonly detail?: string }): Promise<SignatureFinding> {
    const checks = this.cryptoChecks(record);
    if (checks.length === 0) return { verdict: 'unsigned', detail: 'the record has no signature' };
    const sound = checks.filter((check): check is CryptoCheck & { kind: 'ssh' } => check.kind === 'ssh' && check.result.status !== 'bad');
    if (sound.length === 0) {
      const pgpChecks = checks.filter((check): check is CryptoCheck & { kind: 'openpgp' } => check.kind === 'openpgp');
      if (pgpChecks.length > 0 && this.options.openpgpKeyring) return this.openPgpVerdict(record, pgpChecks, this.options.openpgpKeyring, principal, subject);
      const pgp = pgpChecks[0];
      if (pgp) return { verdict: 'unknown-signer', keyid: pgp.keyid, detail: 'an OpenPGP signature: give the auditor\'s keyring with --openpgp-keyring FILE to check it' };
      const first = checks[0];
      const reason = first.kind === 'ssh' && first.result.status === 'bad' ? first.result.reason : first.kind === 'unreadable' ? first.reason : 'unreadable';
      const keyid = first.kind === 'ssh' && first.result.status === 'bad' ? first.result.keyid : undefined;
      return { verdict: 'bad-signature', keyid, detail: reason };
    }
    if (!subject.ok) return { verdict: 'wrong-subject', keyid: sound[0].result.status !== 'bad' ? sound[0].result.keyid : undefined, detail: subject.detail ?? 'the record was signed for another commit' };
    let nearest: SignatureFinding | undefined;
    if (!Number.isFinite(time)) return { verdict: 'unknown-signer', detail: 'the record has no time to check the key validity at' };
    for (const check of sound) {
      const result = check.result;
      if (result.status === 'valid') {
        const allowed = checkSigner(this.allowed, { principal, namespace: VOUCH_SIGNATURE_NAMESPACE, keyBlob: result.publicKey, time });
        if (allowed.ok) return { verdict: 'valid', keyid: result.keyid, detail: `signed by ${principal} (${result.keyid}, allowed signers line ${allowed.signer.line})` };
        nearest ??= { verdict: 'unknown-signer', keyid: result.keyid, detail: `${result.keyid}: ${allowed.detail}` };
      } else if (result.status === 'unsupported') {
        const ok = !this.options.trustsNobody && await this.verifyWithSshKeygen(check.armored, recordPae(record), principal, time);
        if (ok) return { verdict: 'valid', keyid: result.keyid, detail: `signed by ${principal} (${result.keyid}, checked by ssh-keygen)` };
        nearest ??= { verdict: 'unknown-signer', keyid: result.keyid, detail: `${result.keyid} (${result.keyType}): ssh-keygen does not accept it for ${principal}` };
      }
    }
    if (this.options.trustsNobody) return { verdict: 'unknown-signer', keyid: nearest?.keyid, detail: 'no --allowed-signers FILE was given, so no signature counts' };
    return nearest ?? { verdict: 'unknown-signer', detail: `no key allowed for ${principal}` };
  }

  /** OpenPGP signatures, checked with gpgv against the auditor's keyring; the key must name `principal` in a user id. */
  private async openPgpVerdict(
    record: SignedPayload,
    checks: readonly { readonly keyid?: string; readonly armored: string }[],
    keyring: OpenPgpKeyring,
    principal: string,
    subject: { readonly ok: boolean; readonly detail?: string },
  ): Promise<SignatureFinding> {
    let nearest: SignatureFinding | undefined;
    for (const check of checks) {
      const result = await verifyOpenPgpSignature(keyring, check.armored, recordPae(record));
      if (result.status === 'bad') {
        nearest ??= { verdict: 'bad-signature', keyid: result.fingerprint ?? check.keyid, detail: result.reason };
        continue;
      }
      if (result.status === 'unknown-key') {
        nearest ??= { verdict: 'unknown-signer', keyid: result.fingerprint ?? check.keyid, detail: result.reason };
        continue;
      }
      if (!subject.ok) return { verdict: 'wrong-subject', keyid: result.fingerprint, detail: subject.detail ?? 'the record was signed for another commit' };
      if (result.userIds.some((userId) => userIdNames(userId, principal))) {
        return { verdict: 'valid', keyid: result.fingerprint, detail: `signed by ${principal} (OpenPGP ${result.fingerprint}, auditor's keyring)` };
      }
      nearest = { verdict: 'unknown-signer', keyid: result.fingerprint, detail: `OpenPGP key ${result.fingerprint} is not ${principal}'s (its user ids: ${result.userIds.join(', ') || 'none'})` };
    }
    return nearest ?? { verdict: 'unknown-signer', detail: `no OpenPGP key in the keyring for ${principal}` };
  }

  private async verifyWithSshKeygen(armored: string, pae: Uint8Array, principal: string, time: number): Promise<boolean> {
    const sshKeygen = this.options.sshKeygen;
    if (!sshKeygen) return false;
    return withTempDir('vouch-verify-', async (dir) => {
      const signatureFile = path.join(dir, 'record.sig');
      const messageFile = path.join(dir, 'record.pae');
      await writeFileAtomic(signatureFile, armored, { mode: 0o600 });
      await writeFileAtomic(messageFile, pae, { mode: 0o600 });
      // ssh-keygen -Y verify reads the message from stdin: it gets the file, never a terminal.
      const result = await runBounded(
        sshKeygen,
        ['-Y', 'verify', '-f', this.options.allowedSignersPath, '-I', principal, '-n', VOUCH_SIGNATURE_NAMESPACE, '-s', signatureFile, `-Overify-time=${sshTime(time)}`],
        { env: this.options.env, timeoutMs: 20_000, stdinFile: messageFile },
      );
      return result.exitCode === 0;
    });
  }
}

/**
 * Signing records on write. A chosen key that cannot sign (passphrase without an agent, missing
 * program) never loses the record: it is written unsigned and the reason is logged and returned.
 */
import type { Logger } from '../../core/logger';
import type { NoteRecord } from '../../core/notes/noteRecord';
import { recordPae, withSignatures, type PayloadSigner } from '../../core/signing/signedRecord';
import type { GitRunner } from '../gitRunner';
import { createPayloadSigner, sshKeyFingerprint } from './recordSigners';
import { resolveSigningKey, type SigningKeyChoice, type SigningKeyOptions } from './signingKey';
import { errorMessage } from '../../core/errorMessage';

/** Gives the signer the user chose, or undefined (no key: records stay unsigned). Resolved once. */
export type SignerSource = () => Promise<PayloadSigner | undefined>;

export interface SigningOutcome {
  /** The key fingerprint that signed, when signed. */
  readonly signedBy?: string;
  /** Why the record is unsigned, when it is. */
  readonly unsigned?: string;
}

export const NO_KEY_MESSAGE = 'unsigned: no signing key (set VOUCH_SIGNING_KEY, the vouch.signing.key setting, or user.signingkey in your global git config; see README "Signing")';

export function signerSource(git: GitRunner, cwd: string, logger: Logger, options: SigningKeyOptions = {}): SignerSource {
  let resolved: Promise<PayloadSigner | undefined> | undefined;
  return () => {
    resolved ??= resolveSigningKey(git, cwd, logger, options).then((choice) => (choice ? createPayloadSigner(choice, options.env) : undefined));
    return resolved;
  };
}

/** The record signed by the chosen key, or the record as it was with the reason it is unsigned. */
export async function signRecord(record: NoteRecord, source: SignerSource | undefined, logger: Logger): Promise<{ record: NoteRecord; outcome: SigningOutcome }> {
  let signer: PayloadSigner | undefined;
  try {
    signer = await source?.();
  } catch (error) {
    const reason = `unsigned: ${errorMessage(error)}`;
    logger.warn(`vouch: record ${record.recordId.slice(0, 12)} ${reason}`);
    return { record, outcome: { unsigned: reason } };
  }
  if (!signer) return { record, outcome: { unsigned: NO_KEY_MESSAGE } };
  try {
    const signature = await signer.sign(recordPae(record));
    return { record: withSignatures(record, [signature]), outcome: { signedBy: signature.keyid ?? signer.description } };
  } catch (error) {
    const reason = `unsigned: ${errorMessage(error)}`;
    logger.warn(`vouch: record ${record.recordId.slice(0, 12)} written ${reason}`);
    return { record, outcome: { unsigned: reason } };
  }
}

/** The fingerprint a review records for the chosen key (never its path); undefined when unknown. */
export function signingKeyFingerprint(choice: SigningKeyChoice | undefined): string | undefined {
  if (!choice) return undefined;
  if (choice.format === 'ssh') return sshKeyFingerprint(choice.key);
  const hex = choice.key.replace(/\s+/g, '').replace(/^0x/i, '');
  return /^[0-9A-Fa-f]{40}$|^[0-9A-Fa-f]{64}$/.test(hex) ? hex.toUpperCase() : undefined;
}

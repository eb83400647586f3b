/** Attaching DSSE signatures to a note record: the payload never changes, only the envelope's list. */
import { canonicalJson, type JsonValue } from '../notes/canonicalJson';
import type { DsseEnvelope, DsseSignature, NoteRecord } from '../notes/noteRecord';
import { preAuthEncoding } from './dsse';

/** Signs the DSSE PAE of a payload. keyid is the key's fingerprint (`SHA256:...` for SSH, the OpenPGP fingerprint). */
export interface PayloadSigner {
  /** What signs, for messages: the key's fingerprint (never a path). */
  readonly description: string;
  sign(pae: Uint8Array): Promise<DsseSignature>;
}

/** The bytes every signature of a record covers: PAE(payloadType, payload bytes). */
export function recordPae(record: Pick<NoteRecord, 'envelope' | 'payloadBytes'>): Uint8Array {
  return preAuthEncoding(record.envelope.payloadType, record.payloadBytes);
}

/** The record with `signatures` added to its envelope, and its new one-line serialisation. */
export function withSignatures(record: NoteRecord, signatures: readonly DsseSignature[]): NoteRecord {
  const envelope: DsseEnvelope = {
    payload: record.envelope.payload,
    payloadType: record.envelope.payloadType,
    signatures: [...record.envelope.signatures, ...signatures].map((signature) => (signature.keyid !== undefined ? { keyid: signature.keyid, sig: signature.sig } : { sig: signature.sig })),
  };
  return { ...record, envelope, line: canonicalJson(envelope as unknown as JsonValue) };
}

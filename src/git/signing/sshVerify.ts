/**
 * Checking an SSH signature (PROTOCOL.sshsig) natively with node:crypto: ed25519, ECDSA
 * (nistp256/384/521) and RSA (rsa-sha2-256/512). Certificates and security keys (sk-*) are left
 * to `ssh-keygen -Y verify` (status `unsupported`). Tests hold this against ssh-keygen.
 */
import { createHash, createPublicKey, verify, constants as cryptoConstants, type KeyObject } from 'node:crypto';
import {
  SshFormatError,
  SshWireReader,
  dearmorSshSignature,
  parseSshPublicKey,
  parseSshSignatureBlob,
  parseSshSignatureValue,
  sshFingerprint,
  sshSignedData,
  type SshPublicKey,
} from '../../core/signing/sshSignature';
import { errorMessage } from '../../core/errorMessage';

export type SshVerifyResult =
  | { readonly status: 'valid'; readonly publicKey: Uint8Array; readonly keyid: string }
  | { readonly status: 'bad'; readonly reason: string; readonly publicKey?: Uint8Array; readonly keyid?: string }
  /** A certificate or security key: ask ssh-keygen. */
  | { readonly status: 'unsupported'; readonly keyType: string; readonly publicKey: Uint8Array; readonly keyid: string };

const CURVE_SIZES = { nistp256: [32, 'P-256', 'sha256'], nistp384: [48, 'P-384', 'sha384'], nistp521: [66, 'P-521', 'sha512'] } as const;
const MAX_CACHED_KEYS = 1000;
const keyCache = new Map<string, KeyObject>();

function base64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}

function leftPad(bytes: Uint8Array, size: number): Uint8Array {
  if (bytes.length > size) throw new SshFormatError('integer too large');
  const out = new Uint8Array(size);
  out.set(bytes, size - bytes.length);
  return out;
}

function keyObjectOf(blob: Uint8Array, key: SshPublicKey): KeyObject {
  const cacheKey = Buffer.from(blob).toString('base64');
  const cached = keyCache.get(cacheKey);
  if (cached) return cached;
  let object: KeyObject;
  if (key.kind === 'ed25519') {
    object = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: base64Url(key.key) }, format: 'jwk' });
  } else if (key.kind === 'ecdsa') {
    const [size, crv] = CURVE_SIZES[key.curve];
    if (key.point.length !== 1 + 2 * size || key.point[0] !== 4) throw new SshFormatError('not an uncompressed curve point');
    object = createPublicKey({ key: { kty: 'EC', crv, x: base64Url(key.point.subarray(1, 1 + size)), y: base64Url(key.point.subarray(1 + size)) }, format: 'jwk' });
  } else if (key.kind === 'rsa') {
    object = createPublicKey({ key: { kty: 'RSA', n: base64Url(key.n), e: base64Url(key.e) }, format: 'jwk' });
  } else {
    throw new SshFormatError(`unsupported key type ${key.type}`);
  }
  if (keyCache.size >= MAX_CACHED_KEYS) keyCache.clear();
  keyCache.set(cacheKey, object);
  return object;
}

function checkValue(key: SshPublicKey, keyObject: KeyObject, format: string, value: Uint8Array, signed: Uint8Array): boolean {
  if (key.kind === 'ed25519') {
    return format === 'ssh-ed25519' && value.length === 64 && verify(null, signed, keyObject, value);
  }
  if (key.kind === 'ecdsa') {
    if (format !== key.type) return false;
    const [size, , hash] = CURVE_SIZES[key.curve];
    const reader = new SshWireReader(value);
    const r = reader.mpint();
    const s = reader.mpint();
    if (!reader.done) return false;
    const p1363 = new Uint8Array(2 * size);
    p1363.set(leftPad(r, size), 0);
    p1363.set(leftPad(s, size), size);
    return verify(hash, signed, { key: keyObject, dsaEncoding: 'ieee-p1363' }, p1363);
  }
  if (key.kind === 'rsa') {
    // OpenSSH refuses SHA-1 ("ssh-rsa") signatures for SSHSIG.
    const hash = format === 'rsa-sha2-256' ? 'sha256' : format === 'rsa-sha2-512' ? 'sha512' : undefined;
    if (!hash) return false;
    const modulusBytes = key.n.length;
    return verify(hash, signed, { key: keyObject, padding: cryptoConstants.RSA_PKCS1_PADDING }, leftPad(value, modulusBytes));
  }
  return false;
}

/** Checks `armored` (ssh-keygen's output) over `message` for `namespace`. Never throws for bad input. */
export function verifySshSignature(armored: string, message: Uint8Array, namespace: string): SshVerifyResult {
  const blob = dearmorSshSignature(armored);
  if (!blob) return { status: 'bad', reason: 'not an armored SSH signature' };
  let parsed;
  try {
    parsed = parseSshSignatureBlob(blob);
  } catch (error) {
    return { status: 'bad', reason: `malformed SSH signature: ${errorMessage(error)}` };
  }
  const keyid = sshFingerprint(parsed.publicKey);
  const publicKey = parsed.publicKey;
  if (parsed.namespace !== namespace) return { status: 'bad', reason: `signed for the namespace ${JSON.stringify(parsed.namespace.slice(0, 60))}, not ${namespace}`, publicKey, keyid };
  try {
    const key = parseSshPublicKey(publicKey);
    if (key.kind === 'other' || ('application' in key && key.application !== undefined)) return { status: 'unsupported', keyType: key.type, publicKey, keyid };
    const value = parseSshSignatureValue(parsed.signature, key);
    const signed = sshSignedData(namespace, parsed.hashAlgorithm, createHash(parsed.hashAlgorithm).update(message).digest());
    const ok = checkValue(key, keyObjectOf(publicKey, key), value.format, value.bytes, signed);
    return ok ? { status: 'valid', publicKey, keyid } : { status: 'bad', reason: 'the signature does not match the record', publicKey, keyid };
  } catch (error) {
    return { status: 'bad', reason: `malformed SSH signature: ${errorMessage(error)}`, publicKey, keyid };
  }
}

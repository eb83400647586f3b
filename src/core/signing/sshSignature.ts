/**
 * The SSH signature format of OpenSSH's PROTOCOL.sshsig (what `ssh-keygen -Y sign` writes):
 * reading the armored blob, the public key inside it, and building the exact bytes the key
 * signed. Pure byte arithmetic; the signature maths itself lives in src/git/signing.
 */
import { sha256 } from '@noble/hashes/sha2';
import { base64ToBytes, decodeUtf8Strict } from '../notes/canonicalJson';

const MAGIC = [0x53, 0x53, 0x48, 0x53, 0x49, 0x47]; // "SSHSIG"
const ARMOR_BEGIN = '-----BEGIN SSH SIGNATURE-----';
const ARMOR_END = '-----END SSH SIGNATURE-----';
const MAX_ARMOR_CHARS = 64 * 1024;

export class SshFormatError extends Error {}

/** Reads the SSH wire encoding (RFC 4251 section 5): uint32 and length-prefixed strings. */
export class SshWireReader {
  private offset = 0;

  constructor(private readonly bytes: Uint8Array) {}

  uint32(): number {
    if (this.offset + 4 > this.bytes.length) throw new SshFormatError('truncated');
    const b = this.bytes;
    const value = ((b[this.offset] << 24) >>> 0) + (b[this.offset + 1] << 16) + (b[this.offset + 2] << 8) + b[this.offset + 3];
    this.offset += 4;
    return value;
  }

  byte(): number {
    if (this.offset + 1 > this.bytes.length) throw new SshFormatError('truncated');
    return this.bytes[this.offset++];
  }

  string(): Uint8Array {
    const length = this.uint32();
    if (this.offset + length > this.bytes.length) throw new SshFormatError('truncated');
    const value = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return value;
  }

  text(): string {
    try {
      return decodeUtf8Strict(this.string());
    } catch {
      throw new SshFormatError('a name is not UTF-8');
    }
  }

  /** An mpint as unsigned big-endian magnitude (leading zero bytes removed); negatives are refused. */
  mpint(): Uint8Array {
    const value = this.string();
    if (value.length > 0 && value[0] & 0x80) throw new SshFormatError('negative integer');
    let start = 0;
    while (start < value.length && value[start] === 0) start++;
    return value.subarray(start);
  }

  get done(): boolean {
    return this.offset === this.bytes.length;
  }
}

function wireString(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + bytes.length);
  const length = bytes.length;
  out[0] = length >>> 24;
  out[1] = (length >>> 16) & 0xff;
  out[2] = (length >>> 8) & 0xff;
  out[3] = length & 0xff;
  out.set(bytes, 4);
  return out;
}

function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

export type SshPublicKey =
  | { readonly kind: 'ed25519'; readonly type: string; readonly key: Uint8Array; readonly application?: string }
  | { readonly kind: 'ecdsa'; readonly type: string; readonly curve: 'nistp256' | 'nistp384' | 'nistp521'; readonly point: Uint8Array; readonly application?: string }
  | { readonly kind: 'rsa'; readonly type: string; readonly e: Uint8Array; readonly n: Uint8Array }
  /** Certificates and key types verified by ssh-keygen itself, not natively. */
  | { readonly kind: 'other'; readonly type: string };

const CURVES = ['nistp256', 'nistp384', 'nistp521'] as const;

/** Parses an SSH public key blob (the base64 part of an authorized_keys line, decoded). */
export function parseSshPublicKey(blob: Uint8Array): SshPublicKey {
  const reader = new SshWireReader(blob);
  const type = reader.text();
  let key: SshPublicKey;
  if (type === 'ssh-ed25519' || type === 'sk-ssh-ed25519@openssh.com') {
    const raw = reader.string();
    if (raw.length !== 32) throw new SshFormatError('an ed25519 key is 32 bytes');
    key = type === 'ssh-ed25519' ? { kind: 'ed25519', type, key: raw } : { kind: 'ed25519', type, key: raw, application: reader.text() };
  } else if (/^ecdsa-sha2-nistp(256|384|521)$/.test(type) || type === 'sk-ecdsa-sha2-nistp256@openssh.com') {
    const curve = reader.text();
    if (!(CURVES as readonly string[]).includes(curve) || !type.includes(curve)) throw new SshFormatError('the curve does not match the key type');
    const point = reader.string();
    const known = curve as (typeof CURVES)[number];
    key = type.startsWith('sk-') ? { kind: 'ecdsa', type, curve: known, point, application: reader.text() } : { kind: 'ecdsa', type, curve: known, point };
  } else if (type === 'ssh-rsa') {
    const e = reader.mpint();
    const n = reader.mpint();
    key = { kind: 'rsa', type, e, n };
  } else {
    return { kind: 'other', type };
  }
  if (!reader.done) throw new SshFormatError('trailing bytes after the key');
  return key;
}

/** `SHA256:<unpadded base64>` of a key blob, as `ssh-keygen -l` prints it. */
export function sshFingerprint(blob: Uint8Array): string {
  return `SHA256:${bytesToBase64(sha256(blob)).replace(/=+$/, '')}`;
}

export interface SshSignatureBlob {
  readonly publicKey: Uint8Array;
  readonly namespace: string;
  readonly hashAlgorithm: 'sha256' | 'sha512';
  /** The inner signature: string format, string blob (and, for security keys, flags and counter). */
  readonly signature: Uint8Array;
}

/** The binary blob inside `-----BEGIN SSH SIGNATURE-----` armor; undefined when the text is not that. */
export function dearmorSshSignature(text: string): Uint8Array | undefined {
  if (text.length > MAX_ARMOR_CHARS) return undefined;
  const lines = text.replace(/\r\n/g, '\n').trim().split('\n');
  if (lines[0] !== ARMOR_BEGIN || lines[lines.length - 1] !== ARMOR_END) return undefined;
  const body = lines.slice(1, -1).join('');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body) || body.length % 4 !== 0) return undefined;
  try {
    const binary = atob(body);
    const bytes = new Uint8Array(binary.length);
    for (let index = 0; index < binary.length; index++) bytes[index] = binary.charCodeAt(index);
    return bytes;
  } catch {
    return undefined;
  }
}

export function isArmoredSshSignature(text: string): boolean {
  return text.trimStart().startsWith(ARMOR_BEGIN);
}

/** Parses the SSHSIG blob (PROTOCOL.sshsig section 2); throws SshFormatError. */
export function parseSshSignatureBlob(blob: Uint8Array): SshSignatureBlob {
  for (let index = 0; index < MAGIC.length; index++) if (blob[index] !== MAGIC[index]) throw new SshFormatError('not an SSHSIG blob');
  const reader = new SshWireReader(blob.subarray(MAGIC.length));
  const version = reader.uint32();
  if (version !== 1) throw new SshFormatError(`unsupported SSHSIG version ${version}`);
  const publicKey = reader.string();
  const namespace = reader.text();
  reader.string(); // reserved
  const hashAlgorithm = reader.text();
  if (hashAlgorithm !== 'sha256' && hashAlgorithm !== 'sha512') throw new SshFormatError(`unsupported hash algorithm ${hashAlgorithm.slice(0, 20)}`);
  const signature = reader.string();
  if (!reader.done) throw new SshFormatError('trailing bytes after the signature');
  return { publicKey, namespace, hashAlgorithm, signature };
}

/** The bytes the key signs (PROTOCOL.sshsig section 3): magic, namespace, reserved, hash algorithm, H(message). */
export function sshSignedData(namespace: string, hashAlgorithm: string, messageHash: Uint8Array): Uint8Array {
  const encoder = new TextEncoder();
  return concatBytes([
    new Uint8Array(MAGIC),
    wireString(encoder.encode(namespace)),
    wireString(new Uint8Array(0)),
    wireString(encoder.encode(hashAlgorithm)),
    wireString(messageHash),
  ]);
}

export interface SshSignatureValue {
  readonly format: string;
  readonly bytes: Uint8Array;
  /** Security keys (sk-*) add the authenticator flags and a counter. */
  readonly flags?: number;
  readonly counter?: number;
}

export function parseSshSignatureValue(signature: Uint8Array, key: SshPublicKey): SshSignatureValue {
  const reader = new SshWireReader(signature);
  const format = reader.text();
  const bytes = reader.string();
  if (key.kind !== 'rsa' && key.kind !== 'other' && 'application' in key && key.application !== undefined) {
    const flags = reader.byte();
    const counter = reader.uint32();
    if (!reader.done) throw new SshFormatError('trailing bytes after the signature value');
    return { format, bytes, flags, counter };
  }
  if (!reader.done) throw new SshFormatError('trailing bytes after the signature value');
  return { format, bytes };
}

/** `keytype base64 [comment]` (an authorized_keys / .pub line) to its type and blob. */
export function parseSshPublicKeyLine(line: string): { readonly type: string; readonly blob: Uint8Array } | undefined {
  const [type, encoded] = line.trim().split(/\s+/);
  const blob = type && encoded ? base64ToBytes(encoded) : undefined;
  if (!type || !blob) return undefined;
  try {
    if (new SshWireReader(blob).text() !== type) return undefined;
  } catch {
    return undefined;
  }
  return { type, blob };
}

function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let index = 0; index < a.length; index++) if (a[index] !== b[index]) return false;
  return true;
}

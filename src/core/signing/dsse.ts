/**
 * DSSE v1 (github.com/secure-systems-lab/dsse, protocol.md and envelope.md): the
 * pre-authentication encoding every signature covers, and the payload's base64, of which the
 * envelope spec allows either alphabet (standard or URL-safe); padding is accepted with or without.
 */
import { base64ToBytes, utf8Bytes } from '../notes/canonicalJson';

/** Fixed signature namespace of Vouch records and claims (ssh-keygen -Y sign -n ...). */
export const VOUCH_SIGNATURE_NAMESPACE = 'vouch-attestation-v1';

/**
 * PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body, where LEN is the byte
 * length as ASCII decimal without leading zeros and type is UTF-8.
 */
export function preAuthEncoding(payloadType: string, body: Uint8Array): Uint8Array {
  const typeBytes = utf8Bytes(payloadType);
  const head = utf8Bytes(`DSSEv1 ${typeBytes.length} `);
  const middle = utf8Bytes(` ${body.length} `);
  const out = new Uint8Array(head.length + typeBytes.length + middle.length + body.length);
  out.set(head, 0);
  out.set(typeBytes, head.length);
  out.set(middle, head.length + typeBytes.length);
  out.set(body, head.length + typeBytes.length + middle.length);
  return out;
}

const STANDARD_OR_URL_SAFE = /^[A-Za-z0-9+/_-]*={0,2}$/;

/**
 * Decodes base64 in the standard (`+/`) or URL-safe (`-_`) alphabet (RFC 4648 sections 4 and 5),
 * padded or not; a text mixing both alphabets, holding whitespace or misplaced padding is refused.
 */
export function decodeBase64EitherAlphabet(text: string): Uint8Array | undefined {
  if (!STANDARD_OR_URL_SAFE.test(text)) return undefined;
  const standard = /[+/]/.test(text);
  const urlSafe = /[-_]/.test(text);
  if (standard && urlSafe) return undefined;
  const unpadded = text.replace(/=+$/, '');
  const padding = text.length - unpadded.length;
  if (unpadded.length % 4 === 1) return undefined;
  if (padding > 0 && (unpadded.length + padding) % 4 !== 0) return undefined;
  let normalised = urlSafe ? unpadded.replace(/-/g, '+').replace(/_/g, '/') : unpadded;
  while (normalised.length % 4 !== 0) normalised += '=';
  return base64ToBytes(normalised);
}

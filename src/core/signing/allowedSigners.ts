/**
 * git's and OpenSSH's "allowed signers" file (ssh-keygen(1), ALLOWED SIGNERS): which keys may
 * sign for which principals, in which namespaces, and when. The file comes from the auditor,
 * never from the repository under verification.
 */
import { equalBytes, parseSshPublicKeyLine } from './sshSignature';

export interface AllowedSigner {
  /** 1-based line in the file. */
  readonly line: number;
  /** Comma-separated pattern-list of principals (ssh_config(5) PATTERNS). */
  readonly principals: string;
  readonly certAuthority: boolean;
  /** Pattern-list of namespaces; undefined: every namespace. */
  readonly namespaces?: string;
  /** Milliseconds since the epoch; inclusive bounds. */
  readonly validAfter?: number;
  readonly validBefore?: number;
  readonly keyType: string;
  readonly keyBlob: Uint8Array;
}

export interface AllowedSignersFile {
  readonly signers: readonly AllowedSigner[];
  readonly problems: readonly { readonly line: number; readonly reason: string }[];
}

const MAX_FILE_CHARS = 4 * 1024 * 1024;

/** Splits off the first whitespace-delimited token, where double quotes protect spaces. */
function takeToken(text: string): [token: string, rest: string] {
  let inQuotes = false;
  let index = 0;
  for (; index < text.length; index++) {
    const char = text[index];
    if (char === '"') inQuotes = !inQuotes;
    else if (!inQuotes && (char === ' ' || char === '\t')) break;
  }
  return [text.slice(0, index), text.slice(index).trimStart()];
}

function unquote(value: string): string {
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
}

/** YYYYMMDD[Z] or YYYYMMDDHHMM[SS][Z]: local time unless suffixed with Z (ssh-keygen(1)). */
export function parseSignerTime(text: string): number | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})?)?(Z?)$/.exec(text);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map((part) => (part === undefined ? 0 : Number(part)));
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return undefined;
  return match[7] === 'Z' ? Date.UTC(year, month - 1, day, hour, minute, second) : new Date(year, month - 1, day, hour, minute, second).getTime();
}

function splitOptions(text: string): string[] {
  const options: string[] = [];
  let current = '';
  let inQuotes = false;
  for (const char of text) {
    if (char === '"') inQuotes = !inQuotes;
    if (char === ',' && !inQuotes) {
      options.push(current);
      current = '';
    } else current += char;
  }
  options.push(current);
  return options;
}

function isKeyType(token: string): boolean {
  return /^(?:ssh-|ecdsa-|sk-)/.test(token);
}

export function parseAllowedSigners(text: string): AllowedSignersFile {
  if (text.length > MAX_FILE_CHARS) return { signers: [], problems: [{ line: 0, reason: `larger than ${MAX_FILE_CHARS} characters` }] };
  const signers: AllowedSigner[] = [];
  const problems: { line: number; reason: string }[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.replace(/\r$/, '').trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const [principalsToken, afterPrincipals] = takeToken(trimmed);
    const principals = unquote(principalsToken);
    let rest = afterPrincipals;
    let options: string[] = [];
    if (!isKeyType(rest.split(/\s+/)[0] ?? '')) {
      const [optionsToken, afterOptions] = takeToken(rest);
      options = splitOptions(optionsToken);
      rest = afterOptions;
    }
    const key = parseSshPublicKeyLine(rest);
    if (!principals || !key) {
      problems.push({ line, reason: 'expected: principals [options] keytype base64-key' });
      return;
    }
    let certAuthority = false;
    let namespaces: string | undefined;
    let validAfter: number | undefined;
    let validBefore: number | undefined;
    for (const option of options) {
      const at = option.indexOf('=');
      const name = (at < 0 ? option : option.slice(0, at)).toLowerCase();
      const value = at < 0 ? undefined : unquote(option.slice(at + 1));
      if (name === 'cert-authority' && value === undefined) certAuthority = true;
      else if (name === 'namespaces' && value !== undefined) namespaces = value;
      else if ((name === 'valid-after' || name === 'valid-before') && value !== undefined) {
        const time = parseSignerTime(value);
        if (time === undefined) {
          problems.push({ line, reason: `${name}: not a YYYYMMDD[HHMM[SS]][Z] time` });
          return;
        }
        if (name === 'valid-after') validAfter = time;
        else validBefore = time;
      } else {
        problems.push({ line, reason: `unknown option ${JSON.stringify(option.slice(0, 40))}` });
        return;
      }
    }
    signers.push({ line, principals, certAuthority, namespaces, validAfter, validBefore, keyType: key.type, keyBlob: key.blob });
  });
  return { signers, problems };
}

/** ssh_config(5) PATTERNS: `*` any run, `?` one character; the whole text must match. */
export function matchPattern(text: string, pattern: string): boolean {
  // Iterative wildcard match with one backtrack point: linear in practice, no regular expression built from input.
  let t = 0;
  let p = 0;
  let starP = -1;
  let starT = 0;
  while (t < text.length) {
    if (p < pattern.length && (pattern[p] === '?' || pattern[p] === text[t])) {
      t++;
      p++;
    } else if (p < pattern.length && pattern[p] === '*') {
      starP = p++;
      starT = t;
    } else if (starP >= 0) {
      p = starP + 1;
      t = ++starT;
    } else return false;
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
}

/** A comma-separated pattern-list: true when some pattern matches and no negated (`!`) one does. */
export function matchPatternList(text: string, list: string): boolean {
  let positive = false;
  for (const entry of list.split(',')) {
    const negated = entry.startsWith('!');
    const pattern = negated ? entry.slice(1) : entry;
    if (matchPattern(text, pattern)) {
      if (negated) return false;
      positive = true;
    }
  }
  return positive;
}

export type SignerCheck =
  | { readonly ok: true; readonly signer: AllowedSigner }
  /** not-listed: no line lists this key for the principal; namespace / expired / not-yet-valid: a line does, but not for this use. */
  | { readonly ok: false; readonly reason: 'not-listed' | 'namespace' | 'expired' | 'not-yet-valid'; readonly detail: string };

/** Whether `keyBlob` (a plain key, not a certificate) may sign for `principal` in `namespace` at `time` (ms). */
export function checkSigner(file: AllowedSignersFile, input: { readonly principal: string; readonly namespace: string; readonly keyBlob: Uint8Array; readonly time: number }): SignerCheck {
  let nearest: SignerCheck | undefined;
  for (const signer of file.signers) {
    if (signer.certAuthority || !equalBytes(signer.keyBlob, input.keyBlob) || !matchPatternList(input.principal, signer.principals)) continue;
    if (signer.namespaces !== undefined && !matchPatternList(input.namespace, signer.namespaces)) {
      nearest ??= { ok: false, reason: 'namespace', detail: `allowed signers line ${signer.line} does not allow the namespace ${input.namespace}` };
      continue;
    }
    if (signer.validAfter !== undefined && input.time < signer.validAfter) {
      nearest ??= { ok: false, reason: 'not-yet-valid', detail: `allowed signers line ${signer.line}: the key is valid only after ${new Date(signer.validAfter).toISOString()}` };
      continue;
    }
    if (signer.validBefore !== undefined && input.time > signer.validBefore) {
      nearest ??= { ok: false, reason: 'expired', detail: `allowed signers line ${signer.line}: the key was valid only until ${new Date(signer.validBefore).toISOString()}` };
      continue;
    }
    return { ok: true, signer };
  }
  return nearest ?? { ok: false, reason: 'not-listed', detail: `the key is not listed for ${input.principal}` };
}

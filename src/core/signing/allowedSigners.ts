/**
 * git's and OpenSSH's "allowed signers" file (ssh-keygen(1), ALLOWED SIGNERS): which keys may
 * sign for which principals, in which namespaces, and when. The file comes from the auditor,
 * never from the repository under verification.
 *
 * Read as OpenSSH's own parser reads it (sshsig.c parse_principals_key_and_options and
 * sshsigopt_parse, misc.c strdelimw, opt_dequote and parse_absolute_time, authfile.c
 * sshkey_advance_past_options, sshkey.c sshkey_read), so that a verdict here is the one
 * `ssh-keygen -Y verify` gives for the same file. A line OpenSSH cannot parse lists no key and the
 * next lines are still tried; it is kept in `problems` only to tell the auditor. Where exact
 * agreement is impossible (local times, below) the reading is the stricter one.
 */
import { base64ToBytes, decodeUtf8Strict } from '../notes/canonicalJson';
import { equalBytes, SshWireReader } from './sshSignature';

export interface AllowedSigner {
  /** 1-based line in the file. */
  readonly line: number;
  /** Comma-separated pattern-list of principals (ssh_config(5) PATTERNS), quotes removed. */
  readonly principals: string;
  readonly certAuthority: boolean;
  /** Pattern-list of namespaces; undefined: every namespace. */
  readonly namespaces?: string;
  /** Milliseconds since the epoch, always whole seconds; inclusive bounds. */
  readonly validAfter?: number;
  readonly validBefore?: number;
  readonly keyType: string;
  readonly keyBlob: Uint8Array;
}

export interface AllowedSignersFile {
  readonly signers: readonly AllowedSigner[];
  /** Lines that list no key because OpenSSH would not parse them either (reason as ssh-keygen words it). */
  readonly problems: readonly { readonly line: number; readonly reason: string }[];
}

const MAX_FILE_CHARS = 4 * 1024 * 1024;
/** misc.h WHITESPACE: what strdelimw splits on and the leading whitespace sshsig.c skips. */
const LINE_WHITESPACE = ' \t\r\n';
/** match.c keeps each sub-pattern in a 1024-byte buffer and fails the whole list on a longer one. */
const MAX_SUBPATTERN_BYTES = 1023;

const utf8Encoder = new TextEncoder();

function isSpaceOrTab(char: string | undefined): boolean {
  return char === ' ' || char === '\t';
}

/** strncasecmp in the C locale: only ASCII letters fold. */
function startsWithAsciiCaseless(text: string, at: number, word: string): boolean {
  if (text.length - at < word.length) return false;
  for (let index = 0; index < word.length; index++) {
    let code = text.charCodeAt(at + index);
    if (code >= 0x41 && code <= 0x5a) code += 0x20;
    if (code !== word.charCodeAt(index)) return false;
  }
  return true;
}

/**
 * misc.c strdelimw: the first word, ended by whitespace or by the first double-quoted part (its
 * quotes removed, its text kept: `a"b c"` is `ab c`). Undefined where OpenSSH finds no word and a
 * rest after it ("invalid line"): no delimiter at all, or an unclosed quote.
 */
function takeWord(text: string): { word: string; rest: string } | undefined {
  let at = 0;
  while (at < text.length && !LINE_WHITESPACE.includes(text[at]) && text[at] !== '"') at++;
  if (at === text.length) return undefined;
  let word: string;
  let end: number;
  if (text[at] === '"') {
    const close = text.indexOf('"', at + 1);
    if (close < 0) return undefined;
    word = text.slice(0, at) + text.slice(at + 1, close);
    end = close + 1;
  } else {
    word = text.slice(0, at);
    end = at + 1;
  }
  while (end < text.length && LINE_WHITESPACE.includes(text[end])) end++;
  return { word, rest: text.slice(end) };
}

/** b64_pton as OpenSSH uses it: whitespace anywhere is skipped, padding is required, unused bits must be zero. */
function decodeKeyBase64(text: string): Uint8Array | undefined {
  const compact = text.replace(/[ \t\n\v\f\r]/g, '');
  const bytes = base64ToBytes(compact);
  if (!bytes) return undefined;
  const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const padding = compact.endsWith('==') ? 2 : compact.endsWith('=') ? 1 : 0;
  if (padding > 0) {
    const lastValue = BASE64_ALPHABET.indexOf(compact[compact.length - padding - 1]);
    if ((lastValue & (padding === 2 ? 0x0f : 0x03)) !== 0) return undefined;
  }
  return bytes;
}

/**
 * sshkey.c sshkey_read: key type, spaces or tabs, base64 blob (up to the next space or tab), then
 * anything (the comment). The blob must name the same key type (OpenSSH checks its parsed type).
 */
function readKey(text: string): { readonly type: string; readonly blob: Uint8Array } | undefined {
  let at = 0;
  while (at < text.length && !isSpaceOrTab(text[at])) at++;
  if (at === text.length) return undefined;
  const type = text.slice(0, at);
  while (isSpaceOrTab(text[at])) at++;
  if (at === text.length) return undefined;
  let end = at;
  while (end < text.length && !isSpaceOrTab(text[end])) end++;
  const blob = decodeKeyBase64(text.slice(at, end));
  if (!blob) return undefined;
  try {
    if (new SshWireReader(blob).text() !== type) return undefined;
  } catch {
    return undefined;
  }
  return { type, blob };
}

/** authfile.c sshkey_advance_past_options: the index of the first unquoted space or tab; undefined for an unclosed quote. */
function endOfOptions(text: string): number | undefined {
  let quoted = false;
  let at = 0;
  for (; at < text.length && (quoted || !isSpaceOrTab(text[at])); at++) {
    if (text[at] === '\\' && text[at + 1] === '"') at++;
    else if (text[at] === '"') quoted = !quoted;
  }
  return at === text.length && quoted ? undefined : at;
}

/** misc.c opt_dequote: a value must be double-quoted; `\"` inside stands for `"`. */
function dequote(text: string, start: number): { value: string; end: number } | { error: string } {
  if (text[start] !== '"') return { error: 'missing start quote' };
  let at = start + 1;
  let value = '';
  while (at < text.length && text[at] !== '"') {
    if (text[at] === '\\' && text[at + 1] === '"') at++;
    value += text[at++];
  }
  if (at === text.length) return { error: 'missing end quote' };
  return { value, end: at + 1 };
}

function utcFields(year: number, month: number, day: number, hour: number, minute: number, second: number): number {
  // setUTCFullYear: Date.UTC would read years 0-99 as 1900-1999.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  return date.getTime();
}

function localFields(year: number, month: number, day: number, hour: number, minute: number, second: number): number {
  const date = new Date(0);
  date.setFullYear(year, month - 1, day);
  date.setHours(hour, minute, second, 0);
  return date.getTime();
}

/**
 * misc.c parse_absolute_time: YYYYMMDD, YYYYMMDDHHMM or YYYYMMDDHHMMSS, in UTC when suffixed with
 * Z or UTC (any case), else in local time; out-of-range days and seconds roll over as in
 * timegm/mktime (20230231 is March 3rd). Milliseconds, or undefined where OpenSSH refuses the
 * time: also for times up to 1970-01-01T00:00:00Z, which OpenSSH 9.2 refuses and later versions
 * turn into never / always valid.
 *
 * Local time: OpenSSH calls mktime with tm_isdst = 0, so glibc reads the time as the zone's
 * standard time even in summer (checked: TZ=Europe/Berlin, 20240701 is 2024-06-30T23:00Z). Which
 * offset a zone calls standard is not visible from JavaScript (Europe/Dublin's is its summer
 * one), so of the offsets the zone has that year the strictest is taken: the latest instant for
 * valid-after, the earliest for valid-before. That is exact for UTC, for zones without daylight
 * saving and for valid-after in the usual zones; valid-before can end up to an hour early.
 */
export function parseSignerTime(text: string, bound: 'valid-after' | 'valid-before'): number | undefined {
  let length = text.length;
  let utc = false;
  if (length > 1 && startsWithAsciiCaseless(text, length - 1, 'z')) {
    utc = true;
    length -= 1;
  } else if (length > 3 && startsWithAsciiCaseless(text, length - 3, 'utc')) {
    utc = true;
    length -= 3;
  }
  const digits = text.slice(0, length);
  if (!/^(?:\d{8}|\d{12}|\d{14})$/.test(digits)) return undefined;
  const [year, month, day, hour = 0, minute = 0, second = 0] = (digits.match(/^(\d{4})|\d{2}/g) ?? []).map(Number);
  // strptime's ranges (glibc: %S allows 61).
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 61) return undefined;
  let time: number;
  if (utc) time = utcFields(year, month, day, hour, minute, second);
  else {
    const asUtc = utcFields(year, month, day, hour, minute, second);
    const normalizedYear = new Date(asUtc).getUTCFullYear();
    const offsets = [0, 6].map((januaryOrJuly) => {
      const date = new Date(0);
      date.setFullYear(normalizedYear, januaryOrJuly, 1);
      date.setHours(12, 0, 0, 0);
      return date.getTimezoneOffset();
    });
    const candidates = [localFields(year, month, day, hour, minute, second), ...offsets.map((minutesWest) => asUtc + minutesWest * 60_000)];
    time = bound === 'valid-after' ? Math.max(...candidates) : Math.min(...candidates);
    if (Math.min(...candidates) < 1000) return undefined;
  }
  return Number.isFinite(time) && time >= 1000 ? time : undefined;
}

interface SignerOptions {
  readonly certAuthority: boolean;
  readonly namespaces?: string;
  readonly validAfter?: number;
  readonly validBefore?: number;
}

/** sshsig.c sshsigopt_parse, clause by clause: unquoted values, repeated clauses and unknown options make the line unusable. */
function parseOptions(options: string): SignerOptions | { error: string } {
  let certAuthority = false;
  let namespaces: string | undefined;
  let validAfter: number | undefined;
  let validBefore: number | undefined;
  let at = 0;
  while (at < options.length && !isSpaceOrTab(options[at])) {
    if (startsWithAsciiCaseless(options, at, 'cert-authority')) {
      certAuthority = true;
      at += 'cert-authority'.length;
    } else if (startsWithAsciiCaseless(options, at, 'namespaces=')) {
      if (namespaces !== undefined) return { error: 'multiple "namespaces" clauses' };
      const value = dequote(options, at + 'namespaces='.length);
      if ('error' in value) return value;
      namespaces = value.value;
      at = value.end;
    } else {
      const name = startsWithAsciiCaseless(options, at, 'valid-after=') ? 'valid-after' : startsWithAsciiCaseless(options, at, 'valid-before=') ? 'valid-before' : undefined;
      if (name !== undefined) {
        if ((name === 'valid-after' ? validAfter : validBefore) !== undefined) return { error: `multiple "${name}" clauses` };
        const value = dequote(options, at + name.length + 1);
        if ('error' in value) return value;
        const time = parseSignerTime(value.value, name);
        if (time === undefined) return { error: `invalid "${name}" time` };
        if (name === 'valid-after') validAfter = time;
        else validBefore = time;
        at = value.end;
      }
    }
    if (at === options.length || isSpaceOrTab(options[at])) break;
    // Anything but a comma here is an unknown option (also a known one followed by more text).
    if (options[at] !== ',') return { error: 'unknown key option' };
    at++;
    if (at === options.length) return { error: 'unexpected end-of-options' };
  }
  if (validAfter !== undefined && validBefore !== undefined && validBefore <= validAfter) return { error: '"valid-before" time is before "valid-after"' };
  return { certAuthority, namespaces, validAfter, validBefore };
}

/** One line as getline gives it (newline kept); undefined for blank and comment lines. */
function parseLine(raw: string, line: number): AllowedSigner | { error: string } | undefined {
  // OpenSSH reads C strings: a NUL ends the line.
  const nul = raw.indexOf('\0');
  const text = nul < 0 ? raw : raw.slice(0, nul);
  let start = 0;
  while (start < text.length && LINE_WHITESPACE.includes(text[start])) start++;
  if (start === text.length || text[start] === '#') return undefined;
  const principals = takeWord(text.slice(start));
  if (!principals) return { error: 'invalid line' };
  let key = readKey(principals.rest);
  let options: SignerOptions = { certAuthority: false };
  if (!key) {
    const end = endOfOptions(principals.rest);
    if (end === undefined) return { error: 'invalid options' };
    if (end === principals.rest.length) return { error: 'missing key' };
    let keyStart = end + 1;
    while (isSpaceOrTab(principals.rest[keyStart])) keyStart++;
    key = readKey(principals.rest.slice(keyStart));
    if (!key) return { error: 'invalid key' };
    const parsed = parseOptions(principals.rest.slice(0, end));
    if ('error' in parsed) return { error: `bad options: ${parsed.error}` };
    options = parsed;
  }
  return { line, principals: principals.word, ...options, keyType: key.type, keyBlob: key.blob };
}

/**
 * Reads the file as ssh-keygen does. Given bytes, a line that is not UTF-8 is skipped (OpenSSH
 * compares its raw bytes, which a JavaScript string cannot keep: skipping is the stricter reading).
 */
export function parseAllowedSigners(content: string | Uint8Array): AllowedSignersFile {
  if (content.length > MAX_FILE_CHARS) return { signers: [], problems: [{ line: 0, reason: `larger than ${MAX_FILE_CHARS} characters` }] };
  const signers: AllowedSigner[] = [];
  const problems: { line: number; reason: string }[] = [];
  const lines: (string | undefined)[] = typeof content === 'string' ? content.split('\n') : splitUtf8Lines(content);
  lines.forEach((text, index) => {
    const line = index + 1;
    if (text === undefined) {
      problems.push({ line, reason: 'not UTF-8' });
      return;
    }
    const parsed = parseLine(index < lines.length - 1 ? `${text}\n` : text, line);
    if (parsed === undefined) return;
    if ('error' in parsed) problems.push({ line, reason: parsed.error });
    else signers.push(parsed);
  });
  return { signers, problems };
}

function splitUtf8Lines(bytes: Uint8Array): (string | undefined)[] {
  const lines: (string | undefined)[] = [];
  let start = 0;
  for (;;) {
    const end = bytes.indexOf(0x0a, start);
    const slice = bytes.subarray(start, end < 0 ? bytes.length : end);
    try {
      lines.push(decodeUtf8Strict(slice));
    } catch {
      lines.push(undefined);
    }
    if (end < 0) return lines;
    start = end + 1;
  }
}

/** match.c match_pattern on bytes: `*` any run, `?` one byte; the whole text must match. */
function matchBytes(text: Uint8Array, pattern: Uint8Array): boolean {
  // Iterative wildcard match with one backtrack point: linear in practice, no regular expression built from input.
  const STAR = 0x2a;
  const QUESTION = 0x3f;
  let t = 0;
  let p = 0;
  let starP = -1;
  let starT = 0;
  while (t < text.length) {
    if (p < pattern.length && (pattern[p] === QUESTION || pattern[p] === text[t])) {
      t++;
      p++;
    } else if (p < pattern.length && pattern[p] === STAR) {
      starP = p++;
      starT = t;
    } else if (starP >= 0) {
      p = starP + 1;
      t = ++starT;
    } else return false;
  }
  while (p < pattern.length && pattern[p] === STAR) p++;
  return p === pattern.length;
}

/** ssh_config(5) PATTERNS over UTF-8 bytes, as OpenSSH matches them. */
export function matchPattern(text: string, pattern: string): boolean {
  return matchBytes(utf8Encoder.encode(text), utf8Encoder.encode(pattern));
}

/**
 * match.c match_pattern_list: true when some pattern matches and no negated (`!`) one does, and
 * (as OpenSSH fails the list) no pattern is longer than 1022 bytes.
 */
export function matchPatternList(text: string, list: string): boolean {
  const textBytes = utf8Encoder.encode(text);
  let positive = false;
  for (const entry of list.split(',')) {
    const negated = entry.startsWith('!');
    const pattern = utf8Encoder.encode(negated ? entry.slice(1) : entry);
    if (pattern.length >= MAX_SUBPATTERN_BYTES) return false;
    if (matchBytes(textBytes, pattern)) {
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
  // ssh-keygen's verify time is whole seconds: docs/verify-without-vouch.md step 6 cuts the review
  // time to its second (-Overify-time=YYYYMMDDHHMMSSZ), so the milliseconds are dropped here too
  // and both agree at the boundary second. ssh-keygen refuses a verify time of 0 or less.
  const verifyTime = Math.floor(input.time / 1000) * 1000;
  if (!(verifyTime >= 1000)) return { ok: false, reason: 'not-listed', detail: `the time ${input.time} ms is not one ssh-keygen can verify at` };
  let nearest: SignerCheck | undefined;
  for (const signer of file.signers) {
    if (signer.certAuthority || !equalBytes(signer.keyBlob, input.keyBlob) || !matchPatternList(input.principal, signer.principals)) continue;
    if (signer.namespaces !== undefined && !matchPatternList(input.namespace, signer.namespaces)) {
      nearest ??= { ok: false, reason: 'namespace', detail: `allowed signers line ${signer.line} does not allow the namespace ${input.namespace}` };
      continue;
    }
    if (signer.validAfter !== undefined && verifyTime < signer.validAfter) {
      nearest ??= { ok: false, reason: 'not-yet-valid', detail: `allowed signers line ${signer.line}: the key is valid only after ${new Date(signer.validAfter).toISOString()}` };
      continue;
    }
    if (signer.validBefore !== undefined && verifyTime > signer.validBefore) {
      nearest ??= { ok: false, reason: 'expired', detail: `allowed signers line ${signer.line}: the key was valid only until ${new Date(signer.validBefore).toISOString()}` };
      continue;
    }
    return { ok: true, signer };
  }
  return nearest ?? { ok: false, reason: 'not-listed', detail: `the key is not listed for ${input.principal}` };
}

/**
 * The V8 code cache of Vouch's bundles: what V8 compiled while a bundle ran (its top level and
 * every function the run called) is kept, so the next start runs that code without parsing and
 * compiling it again (node's own module.enableCompileCache keeps only the top level, compiled before
 * anything ran, exists only on Node 22.1+ and is process-wide, which an extension host shares).
 * Loaded through loadBundleWithCodeCache: the git hooks' bundles by dist/cli.js, which write the
 * cache once their command is done (cli/hookCommandMain.ts), and the extension's bundle by its
 * entry (extensionEntry.ts), which writes it once the startup work has run; each only when there
 * was none or V8 refused it.
 *
 * The cache is code V8 runs, so it lives only where the user alone writes (never in a repository's
 * git directory, which may come from someone else): for the hooks `$XDG_CACHE_HOME/vouch` (default
 * ~/.cache/vouch), %LOCALAPPDATA%\vouch\cache on Windows; for the extension its global storage
 * folder. Each file starts with a line naming the bundle's build (a hash of its text: set by
 * scripts/build.mjs for the hooks, taken at load for the extension), the node version and V8's, and the SHA-256 of the
 * rest (V8 checks its own version and flags, not the payload, in release builds); a file for another
 * build or runtime, or damaged, is not handed to V8 and is replaced by the next run. The hash is
 * node:crypto's, which the hook bundles load anyway (node:zlib's CRC-32 cost each hook ~5 ms to load).
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { Script } from 'node:vm';
import { createRequire } from 'node:module';
import { promises as fs, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { writeFileAtomic } from './atomicWrite';
import { readRegularFileSync } from './regularFile';

/** Code caches larger than this are not read (the bundles' caches are a few hundred KB to about 1 MB). */
const MAX_CODE_CACHE_BYTES = 16 * 1024 * 1024;
// 3: the wrapper on a line of its own (a cache of another wrapper's text is never handed to V8).
const HEADER_PREFIX = 'vouch-code-cache 3 ';

export interface CodeCacheEnvironment {
  readonly env: NodeJS.ProcessEnv;
  readonly platform: NodeJS.Platform;
  readonly homedir: string;
}

/** `$XDG_CACHE_HOME/vouch` (default ~/.cache/vouch); on Windows %LOCALAPPDATA%\vouch\cache. */
export function codeCacheDirectory(environment: CodeCacheEnvironment = { env: process.env, platform: process.platform, homedir: os.homedir() }): string {
  const { env, platform, homedir } = environment;
  if (platform === 'win32') return path.win32.join(env.LOCALAPPDATA || path.win32.join(homedir, 'AppData', 'Local'), 'vouch', 'cache');
  const cacheHome = env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : path.join(homedir, '.cache');
  return path.join(cacheHome, 'vouch');
}

/** The payload's SHA-256, 64 hex digits. */
const payloadDigest = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');
const DIGEST_CHARS = 64;

/** The start of a cache file's first line: which build of the bundle and which runtime it was made by. */
export function codeCacheHeader(build: string): string {
  return `${HEADER_PREFIX}${build} node-${process.version} v8-${process.versions.v8} ${process.arch} `;
}

/** A cache file's bytes: the header, the payload's SHA-256 (64 hex digits) and a line break, then V8's data. */
export function codeCacheFileBytes(header: string, data: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from(`${header}${payloadDigest(data)}\n`, 'utf8'), data]);
}

/** A code cache to write once the bundle's work is done (there was none, or V8 refused it). */
export interface PendingCodeCache {
  readonly file: string;
  /**
   * Writes V8's cache of everything compiled so far (so call it after the run), private to the
   * user; false when it could not be written, which only costs the next start its compile time.
   */
  readonly write: () => Promise<boolean>;
}

export interface LoadedBundle {
  readonly exports: Record<string, unknown>;
  /** Undefined when V8 took the cache that was there. */
  readonly pendingCache?: PendingCodeCache;
}

/** The cache's bytes for V8, or undefined when there is no usable file for this build and runtime. */
function readCodeCache(file: string, header: string): Buffer | undefined {
  let read;
  try {
    read = readRegularFileSync(file, { maxBytes: MAX_CODE_CACHE_BYTES });
  } catch {
    return undefined; // unreadable (permissions, I/O): compile as without a cache
  }
  if (read.kind !== 'ok') return undefined;
  const headerBytes = Buffer.from(header, 'utf8');
  const dataStart = headerBytes.length + DIGEST_CHARS + 1;
  const { bytes } = read;
  if (bytes.length <= dataStart || bytes[dataStart - 1] !== 0x0a || !bytes.subarray(0, headerBytes.length).equals(headerBytes)) return undefined;
  const data = bytes.subarray(dataStart);
  return bytes.subarray(headerBytes.length, dataStart - 1).toString('latin1') === payloadDigest(data) ? data : undefined;
}

/**
 * Runs the CommonJS bundle `bundleFile` as node would (its `require` resolves from the bundle's
 * folder; `modules` answers for the ids it names, such as the extension host's `vscode`), compiled
 * with the code cache in `cacheDirectory` when there is one for `build` and this runtime. `build`
 * names the bundle's text: a hash made when it was built (the hooks: no hashing on each commit), or,
 * when not given, the SHA-256 of the text read now (a bundle rebuilt in place never takes a cache
 * made for other text, which V8 would run as if it matched: it compares only the text's length).
 */
export function loadBundleWithCodeCache(bundleFile: string, build: string | undefined, cacheDirectory: string, modules: Readonly<Record<string, unknown>> = {}): LoadedBundle {
  const source = readFileSync(bundleFile, 'utf8');
  const file = path.join(cacheDirectory, `${path.basename(bundleFile)}.v8-cache`);
  const header = codeCacheHeader(build ?? createHash('sha256').update(source).digest('hex').slice(0, 16));
  const cachedData = readCodeCache(file, header);
  // The CommonJS wrapper on a line of its own, counted as line 0, so the bundle's lines and columns
  // in stack traces and profiles are the file's (and its source map's).
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {\n${source}\n})`, { filename: bundleFile, lineOffset: -1, ...(cachedData ? { cachedData } : {}) });
  const module = { exports: {} as Record<string, unknown>, filename: bundleFile, id: bundleFile };
  const nodeRequire = createRequire(bundleFile);
  const bundleRequire = Object.assign((id: string): unknown => (Object.hasOwn(modules, id) ? modules[id] : nodeRequire(id)), nodeRequire);
  const wrapper = script.runInThisContext() as (exports: unknown, require: unknown, module: unknown, filename: string, dirname: string) => void;
  wrapper.call(module.exports, module.exports, bundleRequire, module, bundleFile, path.dirname(bundleFile));
  const accepted = cachedData !== undefined && script.cachedDataRejected !== true;
  if (accepted) return { exports: module.exports };
  return { exports: module.exports, pendingCache: { file, write: () => writeCodeCache(file, () => codeCacheFileBytes(header, script.createCachedData())) } };
}

async function writeCodeCache(file: string, bytes: () => Buffer): Promise<boolean> {
  try {
    await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    await writeFileAtomic(file, bytes(), { mode: 0o600 });
    return true;
  } catch {
    return false; // read-only home, full disk: the caller's work stands
  }
}

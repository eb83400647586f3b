import { accessSync, constants as fsConstants } from 'node:fs';
import * as path from 'node:path';
import type { Logger } from '../core/logger';
import { silentLogger } from '../core/logger';
import { startProcessHere, type ProcessInput, type ProcessStarter } from './processStarter';

/** Why a git call failed; callers branch on `kind`, never on message text. */
/** 'not-a-repository' also covers a bare repository (no working tree); 'bad-revision': a revision or range that names no commit. */
export type GitErrorKind = 'git-not-found' | 'not-a-repository' | 'bad-revision' | 'exit-code' | 'timeout' | 'spawn-failed' | 'output-too-large';

export class GitError extends Error {
  constructor(
    readonly kind: GitErrorKind,
    message: string,
    readonly args: readonly string[],
    readonly exitCode: number | null = null,
    readonly stderr = '',
  ) {
    super(message);
    this.name = 'GitError';
  }
}

export interface GitRunOptions {
  /** Working directory: the repository (or a folder inside it). */
  readonly cwd: string;
  /**
   * Bytes written to git's standard input; an async iterable is written a piece at a time as git
   * reads it (a long text never held as one buffer). When it throws, git is killed and run rejects with its error.
   */
  readonly input?: string | Uint8Array | AsyncIterable<string | Uint8Array>;
  /** Extra environment, applied after inherited GIT_* variables are removed (e.g. GIT_INDEX_FILE). */
  readonly env?: Readonly<Record<string, string>>;
  /** Exit codes that are answers rather than failures (e.g. 1 for `notes show` on a commit without a note). */
  readonly okExitCodes?: readonly number[];
  readonly timeoutMs?: number;
  /** Upper bound on stdout, so hostile repositories cannot exhaust memory. */
  readonly maxOutputBytes?: number;
}

export interface GitResult {
  readonly stdout: string;
  readonly stdoutBytes: Buffer;
  readonly stderr: string;
  readonly exitCode: number;
}

const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_MAX_OUTPUT_BYTES = 256 * 1024 * 1024;
const OBJECT_ID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/** Options every git process gets: repository hooks and fsmonitor daemons never run on our behalf. */
const SAFETY_CONFIG = ['-c', 'core.hooksPath=/dev/null', '-c', 'core.fsmonitor=false', '-c', 'core.quotePath=false'];

/** Throws unless `value` is a full hex object id; ids from repositories are hostile input. */
export function assertObjectId(value: string): string {
  if (!OBJECT_ID.test(value)) {
    throw new GitError('exit-code', `not a full object id: ${JSON.stringify(value.slice(0, 80))}`, []);
  }
  return value;
}

export function isObjectId(value: string): boolean {
  return OBJECT_ID.test(value);
}

/** Finds an absolute path to git on PATH, so a relative PATH entry in a workspace cannot shadow it. */
export function findGitExecutable(searchPath = process.env.PATH ?? ''): string {
  for (const dir of searchPath.split(path.delimiter)) {
    if (!dir || !path.isAbsolute(dir)) continue;
    const candidate = path.join(dir, process.platform === 'win32' ? 'git.exe' : 'git');
    try {
      accessSync(candidate, fsConstants.X_OK);
      return candidate;
    } catch {
      // not here; keep looking
    }
  }
  throw new GitError('git-not-found', 'git was not found on PATH', []);
}

function cleanEnvironment(extra: Readonly<Record<string, string>> | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.toUpperCase().startsWith('GIT_')) env[key] = value;
  }
  env.GIT_TERMINAL_PROMPT = '0';
  env.GIT_OPTIONAL_LOCKS = '0';
  return { ...env, ...extra };
}

/**
 * A result whose text is decoded on first use: callers that read only the bytes (blob batches,
 * commit lists) never hold a second, string copy of a large output.
 */
function gitResult(stdoutBytes: Buffer, stderr: string, exitCode: number): GitResult {
  let stdout: string | undefined;
  return {
    get stdout() {
      stdout ??= stdoutBytes.toString('utf8');
      return stdout;
    },
    stdoutBytes,
    stderr,
    exitCode,
  };
}

/** Writes each piece and waits while the pipe is full, then ends the stream (stops early once git closed it). */
async function writePieces(stream: ProcessInput, pieces: AsyncIterable<string | Uint8Array>): Promise<void> {
  for await (const piece of pieces) {
    if (stream.destroyed) return;
    if (stream.write(piece)) continue;
    await new Promise<void>((resolve) => {
      const done = () => {
        stream.off('drain', done);
        stream.off('close', done);
        resolve();
      };
      stream.on('drain', done);
      stream.on('close', done);
    });
  }
  stream.end();
}

/** The one place that spawns git: argument arrays, no shell, hooks off, clean environment, typed errors. */
export class GitRunner {
  /**
   * @param startProcess how git is started: from this thread by default; the extension starts it
   * from a small helper process (HelperProcessStarter), so no spawn forks its large heap.
   */
  constructor(
    readonly gitPath: string = findGitExecutable(),
    private readonly logger: Logger = silentLogger,
    private readonly startProcess: ProcessStarter = startProcessHere,
  ) {
    if (!path.isAbsolute(gitPath)) throw new GitError('git-not-found', `git path must be absolute: ${gitPath}`, []);
  }

  run(args: readonly string[], options: GitRunOptions): Promise<GitResult> {
    const fullArgs = [...SAFETY_CONFIG, ...args];
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const maxOutput = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
    const okExitCodes = options.okExitCodes ?? [];
    const started = Date.now();
    return new Promise<GitResult>((resolve, reject) => {
      const child = this.startProcess(this.gitPath, fullArgs, { cwd: options.cwd, env: cleanEnvironment(options.env) });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let outBytes = 0;
      let failure: Error | undefined;
      const timer = setTimeout(() => {
        failure = new GitError('timeout', `git ${args[0]} timed out after ${timeoutMs} ms`, args);
        child.kill('SIGKILL');
      }, timeoutMs);
      child.stdout.on('data', (chunk: Buffer) => {
        outBytes += chunk.length;
        if (outBytes > maxOutput && !failure) {
          failure = new GitError('output-too-large', `git ${args[0]} produced more than ${maxOutput} bytes`, args);
          child.kill('SIGKILL');
          return;
        }
        out.push(chunk);
      });
      child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
      child.on('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        const kind: GitErrorKind = error.code === 'ENOENT' ? 'git-not-found' : 'spawn-failed';
        reject(new GitError(kind, `could not run git: ${error.message}`, args));
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        const stdoutBytes = Buffer.concat(out);
        const stderr = Buffer.concat(err).toString('utf8');
        const exitCode = code ?? -1;
        if (failure) reject(failure);
        else if (exitCode === 0 || okExitCodes.includes(exitCode)) resolve(gitResult(stdoutBytes, stderr, exitCode));
        else {
          const kind: GitErrorKind = /not a git repository|must be run in a work tree/i.test(stderr) ? 'not-a-repository' : 'exit-code';
          reject(new GitError(kind, `git ${args[0]} failed (${exitCode}): ${stderr.trim().slice(0, 2000)}`, args, exitCode, stderr));
        }
        // Logged after the result is delivered: a logger that throws (the editor's log channel once
        // closed, during shutdown) must never leave the caller waiting forever.
        try {
          this.logger.trace(`git ${args.join(' ')} -> ${code} in ${Date.now() - started} ms`);
        } catch {
          // the log is gone; the result is not
        }
      });
      child.stdin.on('error', () => undefined); // git may exit before reading all input; the exit code tells
      const input = options.input;
      if (input === undefined) child.stdin.end();
      else if (typeof input === 'string' || input instanceof Uint8Array) child.stdin.end(input);
      else {
        writePieces(child.stdin, input).catch((error: unknown) => {
          failure ??= error instanceof Error ? error : new Error(String(error));
          child.kill('SIGKILL');
        });
      }
    });
  }
}

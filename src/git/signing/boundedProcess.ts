/**
 * Runs the signing programs (ssh-keygen, gpg) with the discipline of the git runner: absolute
 * program path, argument arrays, no shell, a time limit, bounded output, and a scrubbed
 * environment. The process gets no terminal (its own session, stdin closed, askpass disabled), so
 * a key that needs a passphrase fails with a message instead of waiting for a prompt nobody sees.
 */
import { spawn } from 'node:child_process';
import { accessSync, closeSync, constants as fsConstants, openSync } from 'node:fs';
import * as path from 'node:path';
import { errorMessage } from '../../core/errorMessage';

export interface BoundedRunOptions {
  readonly timeoutMs?: number;
  readonly maxOutputBytes?: number;
  /** The environment to take the kept variables from (default: this process's). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly cwd?: string;
  /** A file to give the program as standard input (default: none, stdin closed). */
  readonly stdinFile?: string;
}

export interface BoundedResult {
  readonly exitCode: number;
  readonly stdout: Buffer;
  readonly stderr: string;
}

export type BoundedErrorKind = 'not-found' | 'timeout' | 'output-too-large' | 'spawn-failed';

export class BoundedProcessError extends Error {
  constructor(
    readonly kind: BoundedErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'BoundedProcessError';
  }
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024;

/** Variables a signing program may need; everything else (DISPLAY, SSH_ASKPASS, GIT_*, ...) is dropped. */
const KEPT_VARIABLES = ['PATH', 'HOME', 'USER', 'LOGNAME', 'LANG', 'LC_ALL', 'LC_CTYPE', 'TMPDIR', 'SSH_AUTH_SOCK', 'GNUPGHOME', 'XDG_RUNTIME_DIR', 'SYSTEMROOT'];

export function scrubbedEnvironment(source: Readonly<Record<string, string | undefined>>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of KEPT_VARIABLES) if (source[name] !== undefined) env[name] = source[name];
  // OpenSSH: never run an askpass program; gpg: no terminal to ask on.
  env.SSH_ASKPASS_REQUIRE = 'never';
  env.GPG_TTY = '';
  return env;
}

/** An absolute path to `program`: itself when absolute, else the first match on PATH's absolute entries. */
export function findProgram(program: string, searchPath = process.env.PATH ?? ''): string {
  const candidates = path.isAbsolute(program)
    ? [program]
    : program.includes('/') || program.includes('\\')
      ? []
      : searchPath
          .split(path.delimiter)
          .filter((dir) => dir && path.isAbsolute(dir))
          .map((dir) => path.join(dir, process.platform === 'win32' && !program.endsWith('.exe') ? `${program}.exe` : program));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, fsConstants.X_OK);
      return candidate;
    } catch {
      // keep looking
    }
  }
  throw new BoundedProcessError('not-found', `${program} was not found${path.isAbsolute(program) ? '' : ' on PATH'}`);
}

export function runBounded(programPath: string, args: readonly string[], options: BoundedRunOptions = {}): Promise<BoundedResult> {
  if (!path.isAbsolute(programPath)) return Promise.reject(new BoundedProcessError('not-found', `program path must be absolute: ${programPath}`));
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxOutput = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  const name = path.basename(programPath);
  return new Promise<BoundedResult>((resolve, reject) => {
    let stdin: number | 'ignore' = 'ignore';
    try {
      if (options.stdinFile !== undefined) stdin = openSync(options.stdinFile, 'r');
    } catch (error) {
      return reject(new BoundedProcessError('spawn-failed', `cannot open ${options.stdinFile}: ${errorMessage(error)}`));
    }
    const child = spawn(programPath, [...args], {
      cwd: options.cwd,
      env: scrubbedEnvironment(options.env ?? process.env),
      shell: false,
      windowsHide: true,
      // Its own session: no controlling terminal, so /dev/tty cannot be opened for a prompt.
      detached: process.platform !== 'win32',
      stdio: [stdin, 'pipe', 'pipe'],
    });
    if (typeof stdin === 'number') closeSync(stdin);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    let errBytes = 0;
    let failure: BoundedProcessError | undefined;
    const kill = () => {
      try {
        if (child.pid !== undefined && process.platform !== 'win32') process.kill(-child.pid, 'SIGKILL');
        else child.kill('SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    const timer = setTimeout(() => {
      failure = new BoundedProcessError('timeout', `${name} did not finish within ${Math.round(timeoutMs / 1000)} s`);
      kill();
    }, timeoutMs);
    child.stdout?.on('data', (chunk: Buffer) => {
      outBytes += chunk.length;
      if (outBytes > maxOutput) {
        failure ??= new BoundedProcessError('output-too-large', `${name} wrote more than ${maxOutput} bytes`);
        kill();
        return;
      }
      out.push(chunk);
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      errBytes += chunk.length;
      if (errBytes <= 64 * 1024) err.push(chunk);
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new BoundedProcessError(error.code === 'ENOENT' ? 'not-found' : 'spawn-failed', `could not run ${name}: ${error.message}`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (failure) return reject(failure);
      resolve({ exitCode: code ?? -1, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}

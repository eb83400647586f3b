// Running the `vouch` CLI in-process with its output captured, for the CLI and git tests.
import { runCli, type CliIo } from '../../src/cli/cli';

/** What one `vouch` run printed and returned. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `vouch ...argv` in `cwd` in-process and returns its exit code and everything it printed. */
export async function vouch(cwd: string, ...argv: string[]): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { cwd, stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

/** How long a command that must not hang (FIFOs, devices) may take before the test fails: far above a busy machine's run. */
const HANG_LIMIT_MS = 15_000;

/** `vouch ...argv`, which fails the test when it has not returned within HANG_LIMIT_MS (a hang is the fault tested). */
export async function vouchNotHanging(cwd: string, ...argv: string[]): Promise<CliRun> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`vouch ${argv.join(' ')} hung for ${HANG_LIMIT_MS} ms`)), HANG_LIMIT_MS);
  });
  try {
    return await Promise.race([vouch(cwd, ...argv), hung]);
  } finally {
    clearTimeout(timer);
  }
}

/** A CliIo that keeps what was printed in `out` and `err`, for tests that call runCli themselves. */
export interface CapturingIo extends CliIo {
  out: string;
  err: string;
}

export function capture(cwd: string): CapturingIo {
  const io: CapturingIo = {
    out: '',
    err: '',
    cwd,
    stdout: (text) => {
      io.out += text;
    },
    stderr: (text) => {
      io.err += text;
    },
  };
  return io;
}

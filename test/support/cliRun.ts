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

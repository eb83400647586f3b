import type { CliIo } from './cli';
import { errorMessage } from '../core/errorMessage';

/** The process's own standard output, standard error and working directory. */
export function defaultIo(): CliIo {
  return { stdout: closableWriter(process.stdout), stderr: closableWriter(process.stderr), cwd: process.cwd(), stdoutDrained: () => drained(process.stdout) };
}

/** Resolves when the stream holds nothing more to write (at once unless it is full; also when it ends or fails). */
function drained(stream: NodeJS.WriteStream): Promise<void> {
  if (!stream.writableNeedDrain || stream.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      stream.off('error', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
    stream.on('error', done);
  });
}

/**
 * Writes to a stream that the reader may close (`vouch notes show | head -c1`): after EPIPE the
 * rest of the output is dropped and the command ends as usual, with its usual exit code and no
 * stack trace. Other write errors still surface.
 */
export function closableWriter(stream: NodeJS.WritableStream): (text: string) => void {
  let closed = false;
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') closed = true;
    else throw error;
  });
  return (text) => {
    if (!closed) stream.write(text);
  };
}

/** Runs a command line to its exit code; an error that escapes it is printed and exits 2. */
export function runMain(run: (argv: string[]) => Promise<number>, options: { exitWhenDone?: (argv: string[]) => boolean } = {}): void {
  const argv = process.argv.slice(2);
  run(argv).then(
    (code) => {
      process.exitCode = code;
      if (options.exitWhenDone?.(argv)) process.exit(code);
    },
    (error: unknown) => {
      process.stderr.write(`vouch: ${errorMessage(error)}\n`);
      process.exitCode = 2;
    },
  );
}

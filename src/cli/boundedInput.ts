/**
 * Input a command reads from a file the user named in an option (--policy, --allowed-signers,
 * --openpgp-keyring, --pending) or from its standard input: bounded in size (and stdin in time),
 * so a FIFO, a device such as /dev/zero, or a symlink to one (a checked-out pull request can hold
 * one) ends the command promptly with a usage error instead of hanging or exhausting memory.
 */
import { readRegularFile } from '../git/regularFile';
import { errorMessage } from '../core/errorMessage';
import { CliUsageError } from './commandErrors';

/** The bytes of the file `option` names (`given` as typed, `file` resolved); CliUsageError (exit 2) when it is missing, not a regular file or over `maxBytes`. */
export async function readOptionFile(option: string, given: string, file: string, maxBytes: number): Promise<Buffer> {
  let read;
  try {
    read = await readRegularFile(file, { maxBytes, followSymlink: true });
  } catch (error) {
    throw new CliUsageError(`cannot read ${option} ${given}: ${errorMessage(error)}`);
  }
  if (read.kind === 'missing') throw new CliUsageError(`cannot read ${option} ${given}: no such file`);
  if (read.kind !== 'ok') throw new CliUsageError(`cannot read ${option} ${given}: ${read.reason}`);
  return read.bytes;
}

/** Standard input up to `maxBytes`, complete within `timeoutMs`; `what` names it in the errors. */
export function readStdinBounded(maxBytes: number, timeoutMs: number, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (error?: Error) => {
      clearTimeout(timer);
      process.stdin.removeAllListeners('data').removeAllListeners('end').removeAllListeners('error');
      process.stdin.pause();
      if (error) reject(error);
      else resolve(Buffer.concat(chunks).toString('utf8'));
    };
    const timer = setTimeout(() => finish(new Error(`no complete ${what} on stdin within ${timeoutMs / 1000} s`)), timeoutMs);
    process.stdin.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) finish(new Error(`the ${what} is larger than ${maxBytes} bytes`));
      else chunks.push(chunk);
    });
    process.stdin.on('end', () => finish());
    process.stdin.on('error', (error) => finish(error));
  });
}

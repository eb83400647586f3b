import { display } from '../core/text/displayText';
import type { Logger } from '../core/logger';
import type { CliIo } from './cli';

/** The CLI's logger: warnings and errors of the git layer go to stderr; the rest stays quiet. */
export function stderrLogger(io: CliIo): Logger {
  const write = (message: string | Error): void => io.stderr(display`${message instanceof Error ? message.message : message}\n`);
  return { trace: () => undefined, debug: () => undefined, info: () => undefined, warn: write, error: write };
}

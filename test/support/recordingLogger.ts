import type { Logger } from '../../src/core/logger';

/** A Logger that keeps what it is given: every message in `lines`, the warnings also in `warnings`. */
export function recordingLogger(): Logger & { readonly lines: string[]; readonly warnings: string[] } {
  const lines: string[] = [];
  const warnings: string[] = [];
  const push = (message: string | Error) => void lines.push(String(message));
  const warn = (message: string | Error) => {
    push(message);
    warnings.push(String(message));
  };
  return { lines, warnings, trace: push, debug: push, info: push, warn, error: push };
}

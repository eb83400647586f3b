import { escapeDisplay } from './text/displayText';

/**
 * The logging surface every layer may use. VS Code's LogOutputChannel satisfies it structurally,
 * so core and git code log without importing 'vscode'.
 */
export interface Logger {
  trace(message: string, ...args: unknown[]): void;
  debug(message: string, ...args: unknown[]): void;
  info(message: string, ...args: unknown[]): void;
  warn(message: string, ...args: unknown[]): void;
  error(message: string | Error, ...args: unknown[]): void;
}

/** For code paths that have no channel (tests, benchmarks). */
export const silentLogger: Logger = {
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

const LEVELS: ReadonlySet<PropertyKey> = new Set(['trace', 'debug', 'info', 'warn', 'error']);

function escapeMessage(message: unknown): unknown {
  if (typeof message === 'string') return escapeDisplay(message);
  if (message instanceof Error) {
    // Keep the stack readable (one frame a line) while every line of it is escaped.
    const escaped = new Error(escapeDisplay(message.message));
    escaped.name = message.name;
    escaped.stack = message.stack?.split('\n').map(escapeDisplay).join('\n');
    return escaped;
  }
  return message;
}

/**
 * The same logger (or LogOutputChannel) with every message escaped for display first: log lines
 * quote note text, file names and git output, which must not carry escape sequences, bidi
 * overrides or a forged line into the output channel. Everything else is passed through.
 */
export function escapeLogMessages<T extends Logger>(logger: T): T {
  return new Proxy(logger, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      if (LEVELS.has(property)) return (message: unknown, ...args: unknown[]) => (value as (...a: unknown[]) => unknown).call(target, escapeMessage(message), ...args);
      return (value as (...a: unknown[]) => unknown).bind(target);
    },
  });
}

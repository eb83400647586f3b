import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { silentLogger, type Logger } from '../core/logger';

/** What GitRunner uses of a started process: node's ChildProcess has all of it. */
export interface StartedProcess {
  readonly stdout: { on(event: 'data', listener: (chunk: Buffer) => void): unknown };
  readonly stderr: { on(event: 'data', listener: (chunk: Buffer) => void): unknown };
  readonly stdin: ProcessInput;
  on(event: 'error', listener: (error: NodeJS.ErrnoException) => void): unknown;
  on(event: 'close', listener: (code: number | null) => void): unknown;
  kill(signal: NodeJS.Signals): unknown;
}

/** A process's standard input as GitRunner writes it (a subset of node's Writable). */
export interface ProcessInput {
  readonly destroyed?: boolean;
  write(chunk: string | Uint8Array): boolean;
  end(chunk?: string | Uint8Array): unknown;
  on(event: 'drain' | 'close' | 'error', listener: () => void): unknown;
  off(event: 'drain' | 'close', listener: () => void): unknown;
}

export interface ProcessStartOptions {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
}

/** Starts a process with piped standard streams, no shell. */
export type ProcessStarter = (file: string, args: readonly string[], options: ProcessStartOptions) => StartedProcess;

/** Starts the process from the calling thread (the CLI, tests). */
export const startProcessHere: ProcessStarter = (file, args, options) =>
  spawn(file, args, { cwd: options.cwd, env: options.env, shell: false, windowsHide: true, stdio: ['pipe', 'pipe', 'pipe'] });

/**
 * The helper's code (plain JavaScript, run by `node -e`): it spawns each process it is asked for and
 * relays its streams and exit by message. On Linux a spawn forks the calling process, copying the
 * page tables of all its memory: from an extension host of a GB or more that takes tens of ms, and
 * while it runs the kernel holds the memory map, so every thread of that process that faults a page
 * or maps memory waits (a worker thread that spawns still stalls the event loop, ~37 ms per spawn
 * measured). The helper is small, so its forks are cheap and stall no one else.
 */
const HELPER_SOURCE = `
const { spawn } = require('node:child_process');
const children = new Map();
const post = (message) => { if (process.connected) process.send(message); };
process.on('disconnect', () => {
  for (const child of children.values()) child.kill('SIGTERM');
  process.exit(0);
});
process.on('message', (message) => {
  const { id } = message;
  if (message.type === 'start') {
    let child;
    try {
      child = spawn(message.file, message.args, { cwd: message.cwd, env: message.env, shell: false, windowsHide: true, stdio: ['pipe', 'pipe', 'pipe'] });
    } catch (error) {
      post({ type: 'error', id, code: error && error.code, message: String(error && error.message) });
      post({ type: 'close', id, code: null });
      return;
    }
    children.set(id, child);
    child.stdout.on('data', (chunk) => post({ type: 'stdout', id, chunk }));
    child.stderr.on('data', (chunk) => post({ type: 'stderr', id, chunk }));
    child.on('error', (error) => post({ type: 'error', id, code: error.code, message: String(error.message) }));
    child.on('close', (code) => {
      children.delete(id);
      post({ type: 'close', id, code });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.on('close', () => post({ type: 'stdin-close', id }));
    return;
  }
  const child = children.get(id);
  if (!child) return;
  if (message.type === 'stdin') child.stdin.write(typeof message.chunk === 'string' ? message.chunk : Buffer.from(message.chunk.buffer, message.chunk.byteOffset, message.chunk.byteLength), () => post({ type: 'written', id, size: message.size }));
  else if (message.type === 'end') child.stdin.end(message.chunk === undefined || typeof message.chunk === 'string' ? message.chunk : Buffer.from(message.chunk.buffer, message.chunk.byteOffset, message.chunk.byteLength));
  else if (message.type === 'kill') child.kill(message.signal);
});
post({ type: 'ready', id: 0 });
`;

type FromHelper =
  | { readonly type: 'ready'; readonly id: 0 }
  | { readonly type: 'stdout' | 'stderr'; readonly id: number; readonly chunk: Uint8Array }
  | { readonly type: 'error'; readonly id: number; readonly code: string | undefined; readonly message: string }
  | { readonly type: 'close'; readonly id: number; readonly code: number | null }
  | { readonly type: 'stdin-close'; readonly id: number }
  | { readonly type: 'written'; readonly id: number; readonly size: number };

/** A message to the helper (HELPER_SOURCE reads these). */
type ToHelper =
  | { readonly type: 'start'; readonly id: number; readonly file: string; readonly args: readonly string[]; readonly cwd: string; readonly env: NodeJS.ProcessEnv }
  | { readonly type: 'stdin'; readonly id: number; readonly chunk: string | Uint8Array; readonly size: number }
  | { readonly type: 'end'; readonly id: number; readonly chunk: string | Uint8Array | undefined }
  | { readonly type: 'kill'; readonly id: number; readonly signal: NodeJS.Signals };

/** Bytes handed to the helper and not yet taken by the process, above which write() asks the writer to wait for 'drain'. */
const INPUT_HIGH_WATER = 1 << 20;

function sizeOf(chunk: string | Uint8Array): number {
  return typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
}

/** A relayed process's standard input: each write is handed to the helper, which acknowledges it once the process took it. */
class RelayedProcessInput extends EventEmitter implements ProcessInput {
  /** Closed by the process (or it exited): writes are dropped. */
  destroyed = false;
  private inFlight = 0;

  constructor(
    private readonly id: number,
    private readonly send: (message: ToHelper) => void,
  ) {
    super();
  }

  write(chunk: string | Uint8Array): boolean {
    if (this.destroyed) return false;
    const size = sizeOf(chunk);
    this.inFlight += size;
    this.send({ type: 'stdin', id: this.id, chunk, size });
    return this.inFlight < INPUT_HIGH_WATER;
  }

  end(chunk?: string | Uint8Array): void {
    this.send({ type: 'end', id: this.id, chunk });
  }

  written(size: number): void {
    const wasFull = this.inFlight >= INPUT_HIGH_WATER;
    this.inFlight -= size;
    if (wasFull && this.inFlight < INPUT_HIGH_WATER) this.emit('drain');
  }

  closed(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.emit('close');
  }
}

/** A process the helper started, as GitRunner sees it. */
class RelayedProcess extends EventEmitter implements StartedProcess {
  readonly stdout = new EventEmitter();
  readonly stderr = new EventEmitter();
  readonly stdin: RelayedProcessInput;

  constructor(
    private readonly id: number,
    private readonly send: (message: ToHelper) => void,
  ) {
    super();
    this.stdin = new RelayedProcessInput(id, send);
  }

  kill(signal: NodeJS.Signals): boolean {
    this.send({ type: 'kill', id: this.id, signal });
    return true;
  }

  receive(message: FromHelper): void {
    switch (message.type) {
      case 'stdout':
      case 'stderr':
        (message.type === 'stdout' ? this.stdout : this.stderr).emit('data', Buffer.from(message.chunk.buffer, message.chunk.byteOffset, message.chunk.byteLength));
        break;
      case 'written':
        this.stdin.written(message.size);
        break;
      case 'stdin-close':
        this.stdin.closed();
        break;
      case 'error':
        this.emit('error', Object.assign(new Error(message.message), { code: message.code }));
        break;
      case 'close':
        this.stdin.closed();
        this.emit('close', message.code);
        break;
    }
  }
}

/** How long the helper stays after its last process ended (a new helper forks the calling process once more). */
const HELPER_IDLE_MS = 5 * 60_000;

/** How long a helper may take to say it is ready before it is taken as unable to run here. */
const HELPER_START_TIMEOUT_MS = 20_000;

/**
 * The helper's part for one process, played in this process: the processes asked for while a helper
 * was starting that then could not run start from here instead, without their callers noticing.
 */
function relayHere(receive: (message: FromHelper) => void): (message: ToHelper) => void {
  let child: ChildProcess | undefined;
  return (message) => {
    const { id } = message;
    if (message.type === 'start') {
      try {
        child = startProcessHere(message.file, message.args, { cwd: message.cwd, env: message.env }) as ChildProcess;
      } catch (error) {
        const failure = error as NodeJS.ErrnoException;
        receive({ type: 'error', id, code: failure.code, message: String(failure.message) });
        receive({ type: 'close', id, code: null });
        return;
      }
      child.stdout?.on('data', (chunk: Buffer) => receive({ type: 'stdout', id, chunk }));
      child.stderr?.on('data', (chunk: Buffer) => receive({ type: 'stderr', id, chunk }));
      child.on('error', (error: NodeJS.ErrnoException) => receive({ type: 'error', id, code: error.code, message: String(error.message) }));
      child.on('close', (code) => receive({ type: 'close', id, code }));
      child.stdin?.on('error', () => undefined);
      child.stdin?.on('close', () => receive({ type: 'stdin-close', id }));
    } else if (message.type === 'stdin') child?.stdin?.write(message.chunk, () => receive({ type: 'written', id, size: message.size }));
    else if (message.type === 'end') child?.stdin?.end(message.chunk);
    else child?.kill(message.signal);
  };
}

interface Helper {
  /** Spawned in a task of its own, after the start() that needed it: that start returns without forking. */
  process: ChildProcess | undefined;
  ready: boolean;
  readonly started: Promise<boolean>;
  /** The processes asked for before it was ready, by id: each routes its messages to the helper, or here if it cannot run. */
  readonly waiting: Map<number, (to: 'helper' | 'here') => void>;
}

/**
 * Starts processes from one small helper process (HELPER_SOURCE), so that no spawn forks the
 * calling process: the extension host, whose memory may be large. The helper is this runtime run
 * as node (VS Code's own executable with ELECTRON_RUN_AS_NODE, as the CLI launcher runs it),
 * started on first use (in a task of its own: start() itself never forks) and ended after
 * HELPER_IDLE_MS without processes; it never keeps the caller alive by itself, and ends when the
 * caller does (its channel closes). Processes asked for while it starts wait for it; if it exits
 * before it is ready (it cannot run here) or is not ready in HELPER_START_TIMEOUT_MS, they start
 * from the calling thread, as every process does from then on and once the starter is disposed (the
 * last saves on shutdown). If it dies later, the processes it had fail with 'EHELPER' and the next
 * start brings up a new one.
 */
export class HelperProcessStarter {
  private helper: Helper | undefined;
  private readonly processes = new Map<number, RelayedProcess>();
  private nextId = 1;
  private disposed = false;
  /** A helper exited before it was ready: it cannot run here. */
  private broken = false;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;

  private readonly runtime: { readonly path: string; readonly electron: boolean };
  private readonly logger: Logger;

  private readonly startTimeoutMs: number;

  /** `runtime`: what runs the helper as node (default: this process's executable). */
  constructor(options: { readonly runtime?: { readonly path: string; readonly electron: boolean }; readonly logger?: Logger; readonly startTimeoutMs?: number } = {}) {
    this.runtime = options.runtime ?? { path: process.execPath, electron: process.versions.electron !== undefined };
    this.logger = options.logger ?? silentLogger;
    this.startTimeoutMs = options.startTimeoutMs ?? HELPER_START_TIMEOUT_MS;
  }

  readonly start: ProcessStarter = (file, args, options) => {
    if (this.disposed || this.broken) return startProcessHere(file, args, options);
    const helper = this.helperNow();
    const toHelper = (message: ToHelper) => {
      if (helper.process?.connected) helper.process.send(message);
    };
    const id = this.nextId++;
    let route: ((message: ToHelper) => void) | undefined = helper.ready ? toHelper : undefined;
    const queued: ToHelper[] = [];
    const deliver = (message: ToHelper) => (route ? route(message) : queued.push(message));
    const started = new RelayedProcess(id, deliver);
    if (!route) {
      helper.waiting.set(id, (to) => {
        route = to === 'helper' ? toHelper : relayHere((message) => started.receive(message));
        for (const message of queued.splice(0)) route(message);
      });
    }
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    // Referenced only while it has processes, so that it keeps a test alive for them and nothing else.
    if (this.processes.size === 0 && helper.process) holdOpen(helper.process, true);
    this.processes.set(id, started);
    started.on('close', () => {
      this.processes.delete(id);
      if (this.processes.size > 0) return;
      if (helper.process) holdOpen(helper.process, false);
      if (this.disposed) this.endHelper();
      else if (this.helper === helper) this.idleTimer = setTimeout(() => this.processes.size === 0 && this.endHelper(), HELPER_IDLE_MS).unref();
    });
    deliver({ type: 'start', id, file, args: [...args], cwd: options.cwd, env: { ...options.env } });
    return started;
  };

  /** Starts the helper if none runs; resolves true once it is ready, false if it exited before (for tests and diagnostics). */
  helperReady(): Promise<boolean> {
    if (this.disposed || this.broken) return Promise.resolve(false);
    return this.helperNow().started;
  }

  private helperNow(): Helper {
    if (this.helper) return this.helper;
    let settle: (ready: boolean) => void = () => undefined;
    const started = new Promise<boolean>((resolve) => (settle = resolve));
    const helper: Helper = { process: undefined, ready: false, started, waiting: new Map() };
    this.helper = helper;
    const routeWaiting = (to: 'helper' | 'here') => {
      const waiting = [...helper.waiting.values()];
      helper.waiting.clear();
      for (const route of waiting) route(to);
    };
    const lost = (reason: string) => {
      settle(false);
      clearTimeout(readyTimer);
      if (this.helper !== helper) return;
      this.helper = undefined;
      if (!helper.ready) this.broken = true;
      this.log('warn', helper.ready ? `${reason}; the next git starts a new one` : `${reason} before it was ready; git starts from this process from now on`);
      // The processes still waiting for it were never sent: they start here, as if it had never been tried.
      const waitingIds = new Set(helper.waiting.keys());
      routeWaiting('here');
      const orphans = [...this.processes].filter(([id]) => !waitingIds.has(id)).map(([, orphan]) => orphan);
      this.processes.clear();
      for (const orphan of orphans) {
        orphan.receive({ type: 'error', id: 0, code: 'EHELPER', message: reason });
        orphan.receive({ type: 'close', id: 0, code: null });
      }
    };
    const readyTimer = setTimeout(() => {
      if (helper.ready) return;
      helper.process?.kill('SIGKILL');
      lost(`the helper process that starts git was not ready in ${this.startTimeoutMs / 1000} s`);
    }, this.startTimeoutMs);
    readyTimer.unref();
    setImmediate(() => {
      if (this.helper !== helper) return;
      const env: NodeJS.ProcessEnv = { ...process.env, ...(this.runtime.electron ? { ELECTRON_RUN_AS_NODE: '1' } : {}) };
      // The caller's node options (an inspector port, a preloaded module) are not the helper's.
      delete env.NODE_OPTIONS;
      const helperProcess = spawn(this.runtime.path, ['-e', HELPER_SOURCE], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'], serialization: 'advanced', env, windowsHide: true });
      helper.process = helperProcess;
      holdOpen(helperProcess, this.processes.size > 0);
      helperProcess.on('message', (message: FromHelper) => {
        if (message.type !== 'ready') this.processes.get(message.id)?.receive(message);
        else if (this.helper === helper) {
          helper.ready = true;
          clearTimeout(readyTimer);
          settle(true);
          this.log('debug', `git starts from a helper process (pid ${helperProcess.pid ?? '?'})`);
          routeWaiting('helper');
        }
      });
      helperProcess.on('error', (error) => {
        // A message that could not be sent (EPIPE): the helper is dying or its channel broke. It is
        // ended, and its exit says why its processes failed; only a helper that never started is lost here.
        if (helperProcess.pid !== undefined && helperProcess.exitCode === null && helperProcess.signalCode === null) helperProcess.kill('SIGKILL');
        else if (helperProcess.pid === undefined) lost(`the helper process that starts git failed: ${error.message}`);
      });
      helperProcess.on('exit', (code, signal) => lost(`the helper process that starts git exited (${signal ?? code})`));
    });
    return helper;
  }

  /** Logging never fails a process (the editor may have closed the log channel during shutdown). */
  private log(level: 'debug' | 'warn', message: string): void {
    try {
      this.logger[level](message);
    } catch {
      // nowhere to say it
    }
  }

  /** Ends the helper once the processes it started have ended; later processes start from the calling thread. */
  dispose(): void {
    this.disposed = true;
    if (this.processes.size === 0) this.endHelper();
  }

  private endHelper(): void {
    const helper = this.helper;
    this.helper = undefined;
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    // Closing its channel ends it (it kills what it still runs and exits).
    if (helper?.process?.connected) helper.process.disconnect();
    else helper?.process?.kill();
  }
}

/** Whether the helper (its process and its message channel) keeps the caller's event loop alive. */
function holdOpen(helper: ChildProcess, hold: boolean): void {
  if (hold) {
    helper.ref();
    helper.channel?.ref();
  } else {
    helper.unref();
    helper.channel?.unref();
  }
}

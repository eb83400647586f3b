import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { Worker } from 'node:worker_threads';

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
 * The worker's code (plain JavaScript, evaluated by the Worker): it spawns each process it is asked
 * for and relays its streams and exit by message. A fork copies the page tables of the whole
 * process; from the worker it holds the worker's thread, not the extension host's event loop.
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { spawn } = require('node:child_process');
const children = new Map();
const post = (message) => parentPort.postMessage(message);
parentPort.on('message', (message) => {
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
  if (message.type === 'stdin') child.stdin.write(message.chunk, () => post({ type: 'written', id, size: message.size }));
  else if (message.type === 'end') child.stdin.end(message.chunk);
  else if (message.type === 'kill') child.kill(message.signal);
});
`;

type FromWorker =
  | { readonly type: 'stdout' | 'stderr'; readonly id: number; readonly chunk: Uint8Array }
  | { readonly type: 'error'; readonly id: number; readonly code: string | undefined; readonly message: string }
  | { readonly type: 'close'; readonly id: number; readonly code: number | null }
  | { readonly type: 'stdin-close'; readonly id: number }
  | { readonly type: 'written'; readonly id: number; readonly size: number };

/** Bytes handed to the worker and not yet taken by the process, above which write() asks the writer to wait for 'drain'. */
const INPUT_HIGH_WATER = 1 << 20;

function sizeOf(chunk: string | Uint8Array): number {
  return typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
}

/** A worker process's standard input: each write is handed to the worker, which acknowledges it once the process took it. */
class WorkerProcessInput extends EventEmitter implements ProcessInput {
  /** Closed by the process (or it exited): writes are dropped. */
  destroyed = false;
  private inFlight = 0;

  constructor(
    private readonly id: number,
    private readonly send: (message: object) => void,
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

/** A process started by the worker, as GitRunner sees it. */
class WorkerProcess extends EventEmitter implements StartedProcess {
  readonly stdout = new EventEmitter();
  readonly stderr = new EventEmitter();
  readonly stdin: WorkerProcessInput;

  constructor(
    private readonly id: number,
    private readonly send: (message: object) => void,
  ) {
    super();
    this.stdin = new WorkerProcessInput(id, send);
  }

  kill(signal: NodeJS.Signals): boolean {
    this.send({ type: 'kill', id: this.id, signal });
    return true;
  }

  receive(message: FromWorker): void {
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

/**
 * Starts processes from one worker thread: `spawn` forks the calling process, and a fork of an
 * extension host holding thousands of documents (hundreds of MB) held its event loop for 30-100 ms
 * per git call. The worker is started on first use, keeps the process alive only while its processes
 * run, and is started again if it dies (the processes it had fail with 'spawn-failed'). Processes are started from the
 * calling thread once it is disposed (the last saves on shutdown) or when no worker could start.
 */
export class WorkerProcessStarter {
  private worker: Worker | undefined;
  private readonly processes = new Map<number, WorkerProcess>();
  private nextId = 1;
  private disposed = false;
  /** A worker failed before it ever ran: worker threads do not work here. */
  private broken = false;

  readonly start: ProcessStarter = (file, args, options) => {
    if (this.disposed || this.broken) return startProcessHere(file, args, options);
    const worker = this.workerNow();
    const id = this.nextId++;
    const started = new WorkerProcess(id, (message) => worker.postMessage(message));
    // Referenced only while it has processes, so that it keeps a CLI or a test alive for them and nothing else.
    if (this.processes.size === 0) worker.ref();
    this.processes.set(id, started);
    started.on('close', () => {
      this.processes.delete(id);
      if (this.processes.size > 0) return;
      worker.unref();
      if (this.disposed) this.endWorker();
    });
    worker.postMessage({ type: 'start', id, file, args: [...args], cwd: options.cwd, env: { ...options.env } });
    return started;
  };

  private workerNow(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    worker.unref();
    let online = false;
    worker.on('online', () => (online = true));
    worker.on('message', (message: FromWorker) => this.processes.get(message.id)?.receive(message));
    const lost = (reason: string) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      if (!online) this.broken = true;
      const orphans = [...this.processes.values()];
      this.processes.clear();
      for (const orphan of orphans) {
        orphan.receive({ type: 'error', id: 0, code: 'EWORKER', message: reason });
        orphan.receive({ type: 'close', id: 0, code: null });
      }
    };
    worker.on('error', (error) => lost(`the worker that starts git failed: ${error.message}`));
    worker.on('exit', (code) => lost(`the worker that starts git exited (${code})`));
    this.worker = worker;
    return worker;
  }

  /** Ends the worker once the processes it started have ended; later processes start from the calling thread. */
  dispose(): void {
    this.disposed = true;
    if (this.processes.size === 0) this.endWorker();
  }

  private endWorker(): void {
    const worker = this.worker;
    this.worker = undefined;
    void worker?.terminate();
  }
}

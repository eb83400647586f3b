/**
 * The one way the host owns listeners and timers (as VS Code's own git extension does with its
 * `dispose`, `debounce` and `sequentialize` helpers): a collection of disposables, debounced calls
 * and tasks run one at a time. Everything here is itself a disposable for its owner to register.
 */
import type * as vscode from 'vscode';

/** Disposables owned together; anything added after the collection was disposed is disposed at once. */
export class DisposableStore implements vscode.Disposable {
  private readonly items = new Set<vscode.Disposable>();
  private disposed = false;

  constructor(...items: vscode.Disposable[]) {
    this.push(...items);
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  add<T extends vscode.Disposable>(item: T): T {
    if (this.disposed) item.dispose();
    else this.items.add(item);
    return item;
  }

  push(...items: vscode.Disposable[]): void {
    for (const item of items) this.add(item);
  }

  /** Disposes one member now (for listeners that end before their owner). */
  delete(item: vscode.Disposable): void {
    if (this.items.delete(item)) item.dispose();
  }

  dispose(): void {
    this.disposed = true;
    const items = [...this.items];
    this.items.clear();
    disposeAll(items);
  }
}

/** Disposes each item, in order; one that throws does not keep the others from being disposed. */
export function disposeAll(items: Iterable<vscode.Disposable>): void {
  const errors: unknown[] = [];
  for (const item of items) {
    try {
      item.dispose();
    } catch (error) {
      errors.push(error);
    }
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, 'Several disposables failed');
}

/** A disposable that runs `dispose` once. */
export function toDisposable(dispose: () => void): vscode.Disposable {
  let done = false;
  return {
    dispose: () => {
      if (done) return;
      done = true;
      dispose();
    },
  };
}

/**
 * Runs `run` once, `delayMs` after the last `trigger()` (per key: each key has its own timer).
 * `cancel` drops a pending run; disposing cancels all of them.
 */
export class Debouncer<K = void> implements vscode.Disposable {
  private readonly timers = new Map<K, ReturnType<typeof setTimeout>>();

  constructor(
    private readonly delayMs: number,
    private readonly run: (key: K) => void,
  ) {}

  /** Starts the wait again from now (for `delayMs`, or this once for `delayOverrideMs`). */
  trigger(key: K, delayOverrideMs?: number): void {
    const existing = this.timers.get(key);
    if (existing !== undefined) clearTimeout(existing);
    this.timers.set(key, this.start(key, delayOverrideMs ?? this.delayMs));
  }

  /** Starts the wait only when none is running: the run comes after the first trigger's wait (a throttle). */
  triggerOnce(key: K, delayOverrideMs?: number): void {
    if (!this.timers.has(key)) this.timers.set(key, this.start(key, delayOverrideMs ?? this.delayMs));
  }

  isPending(key: K): boolean {
    return this.timers.has(key);
  }

  cancel(key: K): void {
    const timer = this.timers.get(key);
    if (timer === undefined) return;
    clearTimeout(timer);
    this.timers.delete(key);
  }

  dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private start(key: K, delayMs: number): ReturnType<typeof setTimeout> {
    return setTimeout(() => {
      this.timers.delete(key);
      this.run(key);
    }, delayMs);
  }
}

/**
 * Tasks run one at a time, in the order they were queued. A task that fails is reported to
 * `onError` and does not stop the next ones; the promise `queue` returns settles with the task.
 */
export class Sequencer {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly onError: (error: unknown) => void) {}

  queue<T>(task: () => Promise<T>): Promise<T | undefined> {
    const run = this.tail.then(task).catch((error: unknown) => {
      this.onError(error);
      return undefined;
    });
    this.tail = run;
    return run;
  }

  /** Settles when every task queued so far has. */
  idle(): Promise<void> {
    return this.tail.then(() => undefined);
  }
}

/**
 * Settles with true at the first `event` for which `matches` holds (or at once when `alreadyTrue`
 * says so), or with false after `timeoutMs`. The listener and the timer go either way.
 */
export function waitForEvent<T>(event: vscode.Event<T>, matches: (value: T) => boolean, timeoutMs: number, alreadyTrue: () => boolean = () => false): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const done = (result: boolean) => {
      clearTimeout(timer);
      listener.dispose();
      resolve(result);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    const listener = event((value) => {
      if (matches(value)) done(true);
    });
    if (alreadyTrue()) done(true);
  });
}

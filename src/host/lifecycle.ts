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

/** The clock and timers a Debouncer uses (tests pass their own). */
export interface DebounceClock {
  now(): number;
  setTimeout(run: () => void, delayMs: number): unknown;
  clearTimeout(timer: unknown): void;
}

/**
 * Date.now(): typing calls it several times per keystroke, and it costs a fifth of
 * performance.now() in the extension host. It is not monotonic: a Debouncer that finds its
 * deadline further away than its delay (the clock was set back) waits the delay once more, no longer.
 */
const SYSTEM_CLOCK: DebounceClock = {
  now: () => Date.now(),
  setTimeout: (run, delayMs) => setTimeout(run, delayMs),
  clearTimeout: (timer) => clearTimeout(timer as ReturnType<typeof setTimeout>),
};

/**
 * Runs `run` once, `delayMs` after the last `trigger()` (per key: each key has its own timer).
 * `cancel` drops a pending run; disposing cancels all of them.
 * A trigger while a run is pending only moves its deadline later (the timer, when it fires early,
 * waits the rest): typing triggers several of these per keystroke, and a timer cleared and set
 * again each time costs more than the keystroke's own work.
 */
export class Debouncer<K = void> implements vscode.Disposable {
  private readonly pending = new Map<K, { timer: unknown; firesAt: number; dueAt: number; delayMs: number }>();

  constructor(
    private readonly delayMs: number,
    private readonly run: (key: K) => void,
    private readonly clock: DebounceClock = SYSTEM_CLOCK,
  ) {}

  /** Starts the wait again from now (for `delayMs`, or this once for `delayOverrideMs`). */
  trigger(key: K, delayOverrideMs?: number): void {
    const delayMs = delayOverrideMs ?? this.delayMs;
    const dueAt = this.clock.now() + delayMs;
    const entry = this.pending.get(key);
    // The timer fires no later than the new deadline: it will wait the rest then.
    if (entry && entry.firesAt <= dueAt) {
      entry.dueAt = dueAt;
      entry.delayMs = delayMs;
    } else this.start(key, dueAt, delayMs);
  }

  /** Starts the wait only when none is running: the run comes after the first trigger's wait (a throttle). */
  triggerOnce(key: K, delayOverrideMs?: number): void {
    const delayMs = delayOverrideMs ?? this.delayMs;
    if (!this.pending.has(key)) this.start(key, this.clock.now() + delayMs, delayMs);
  }

  isPending(key: K): boolean {
    return this.pending.has(key);
  }

  cancel(key: K): void {
    const entry = this.pending.get(key);
    if (entry === undefined) return;
    this.clock.clearTimeout(entry.timer);
    this.pending.delete(key);
  }

  dispose(): void {
    for (const entry of this.pending.values()) this.clock.clearTimeout(entry.timer);
    this.pending.clear();
  }

  private start(key: K, dueAt: number, delayMs: number): void {
    const existing = this.pending.get(key);
    if (existing) this.clock.clearTimeout(existing.timer);
    const entry = { timer: undefined as unknown, firesAt: dueAt, dueAt, delayMs };
    const fire = () => {
      if (this.pending.get(key) !== entry) return;
      const now = this.clock.now();
      let left = entry.dueAt - now;
      // More than the delay asked for: the clock was set back. The wait starts again from now, once.
      if (left > entry.delayMs) {
        entry.dueAt = now + entry.delayMs;
        left = entry.delayMs;
      }
      // Timers may fire a little early; under a millisecond counts as due.
      if (left >= 1) {
        entry.firesAt = entry.dueAt;
        entry.timer = this.clock.setTimeout(fire, left);
        return;
      }
      this.pending.delete(key);
      this.run(key);
    };
    entry.timer = this.clock.setTimeout(fire, Math.max(0, Math.min(dueAt - this.clock.now(), delayMs)));
    this.pending.set(key, entry);
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

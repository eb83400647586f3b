import assert from 'node:assert/strict';
import fc from 'fast-check';
// lifecycle.ts imports vscode for types only: it runs in plain node.
import { Debouncer, type DebounceClock } from '../../../src/host/lifecycle';

/** A clock whose time moves only when the test says; timers fire in due order, none early. */
class ManualClock implements DebounceClock {
  private time = 0;
  private nextId = 1;
  private readonly timers = new Map<number, { at: number; run: () => void }>();
  setCalls = 0;

  /** What now() adds to the time timers run on: a wall clock set back or forward. */
  wallOffset = 0;

  now(): number {
    return this.time + this.wallOffset;
  }

  setTimeout(run: () => void, delayMs: number): unknown {
    this.setCalls++;
    const id = this.nextId++;
    this.timers.set(id, { at: this.time + delayMs, run });
    return id;
  }

  clearTimeout(timer: unknown): void {
    this.timers.delete(timer as number);
  }

  get liveTimers(): number {
    return this.timers.size;
  }

  /** Moves the time to `until`, firing every timer due by then at its own time. */
  advance(until: number): void {
    for (;;) {
      const due = [...this.timers.entries()].filter(([, timer]) => timer.at <= until).sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.time = Math.max(this.time, due[1].at);
      due[1].run();
    }
    this.time = until;
  }
}

type Step = { readonly kind: 'trigger' | 'triggerOnce'; readonly key: 'a' | 'b'; readonly at: number; readonly delay?: number } | { readonly kind: 'cancel'; readonly key: 'a' | 'b'; readonly at: number };

/** The reference: what a debouncer that restarts a timer at every trigger runs, and when. */
function referenceRuns(steps: readonly Step[], delayMs: number, end: number): string[] {
  const due = new Map<string, number>();
  const runs: string[] = [];
  const fireUntil = (time: number) => {
    for (;;) {
      const next = [...due.entries()].filter(([, at]) => at <= time).sort((a, b) => a[1] - b[1])[0];
      if (!next) return;
      due.delete(next[0]);
      runs.push(`${next[0]}@${next[1]}`);
    }
  };
  for (const step of steps) {
    fireUntil(step.at);
    if (step.kind === 'cancel') due.delete(step.key);
    else if (step.kind === 'trigger' || !due.has(step.key)) due.set(step.key, step.at + (step.delay ?? delayMs));
  }
  fireUntil(end);
  return runs;
}

describe('Debouncer', () => {
  it('runs once, the delay after the last trigger, with one timer for a burst of triggers', () => {
    const clock = new ManualClock();
    const runs: number[] = [];
    const debouncer = new Debouncer(100, () => runs.push(clock.now()), clock);
    for (let time = 0; time <= 900; time += 30) {
      clock.advance(time);
      debouncer.trigger();
    }
    assert.ok(debouncer.isPending());
    clock.advance(999);
    assert.deepEqual(runs, []);
    clock.advance(1_000);
    assert.deepEqual(runs, [1_000]);
    assert.equal(debouncer.isPending(), false);
    // 31 triggers 30 ms apart: a timer per 100 ms waited, not one per trigger.
    assert.ok(clock.setCalls <= 11, `${clock.setCalls} timers set`);
    assert.equal(clock.liveTimers, 0);
  });

  it('runs at most one delay late when the clock is set back while it waits (the system clock is not monotonic)', () => {
    const clock = new ManualClock();
    const runs: number[] = [];
    const debouncer = new Debouncer(100, () => runs.push(clock.now() - clock.wallOffset), clock);
    debouncer.trigger();
    clock.advance(50);
    clock.wallOffset = -3_600_000;
    clock.advance(199);
    assert.deepEqual(runs, []);
    clock.advance(200);
    assert.deepEqual(runs, [200], 'the timer at 100 found the deadline an hour away and waited 100 ms more');
    // A trigger after the change counts from the new time.
    debouncer.trigger();
    clock.advance(300);
    assert.deepEqual(runs, [200, 300]);
    assert.equal(clock.liveTimers, 0);
  });

  it('runs earlier when a trigger asks for a shorter wait, and never after cancel or dispose', () => {
    const clock = new ManualClock();
    const runs: string[] = [];
    const debouncer = new Debouncer<string>(500, (key) => runs.push(`${key}@${clock.now()}`), clock);
    debouncer.trigger('a');
    clock.advance(10);
    debouncer.trigger('a', 20);
    clock.advance(30);
    assert.deepEqual(runs, ['a@30']);
    debouncer.trigger('b');
    clock.advance(100);
    debouncer.cancel('b');
    debouncer.trigger('a');
    debouncer.dispose();
    clock.advance(10_000);
    assert.deepEqual(runs, ['a@30']);
    assert.equal(clock.liveTimers, 0);
  });

  it('runs what a timer restarted at every trigger runs, at the same times (random triggers, overrides, cancels)', () => {
    const step = fc.record({
      kind: fc.constantFrom('trigger', 'trigger', 'triggerOnce', 'cancel'),
      key: fc.constantFrom('a', 'b'),
      gap: fc.integer({ min: 0, max: 150 }),
      delay: fc.option(fc.integer({ min: 0, max: 200 }), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (raw) => {
        let time = 0;
        const steps: Step[] = raw.map((s) => {
          time += s.gap;
          return s.kind === 'cancel' ? { kind: 'cancel', key: s.key as 'a' | 'b', at: time } : { kind: s.kind as 'trigger' | 'triggerOnce', key: s.key as 'a' | 'b', at: time, delay: s.delay };
        });
        const clock = new ManualClock();
        const runs: string[] = [];
        const debouncer = new Debouncer<'a' | 'b'>(100, (key) => runs.push(`${key}@${clock.now()}`), clock);
        for (const s of steps) {
          clock.advance(s.at);
          if (s.kind === 'cancel') debouncer.cancel(s.key);
          else if (s.kind === 'trigger') debouncer.trigger(s.key, s.delay);
          else debouncer.triggerOnce(s.key, s.delay);
        }
        clock.advance(time + 1_000);
        // Keys due at the same moment may run in either order; each key's runs and times must match.
        assert.deepEqual([...runs].sort(), referenceRuns(steps, 100, time + 1_000).sort());
        assert.equal(clock.liveTimers, 0);
      }),
      { numRuns: 500 },
    );
  });
});

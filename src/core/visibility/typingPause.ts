/**
 * When to recompute what a document shows while a person types on its AI lines: once typing
 * pauses for `quietMs`, and at the latest `maxWaitMs` after the first keystroke since the last
 * recomputation (the editor moves the marks with the text meanwhile). Any other change of the
 * document's attribution after the last keystroke (a review, an AI edit, a reload) is shown at once.
 */
export class TypingPauses {
  private readonly runs = new Map<string, { readonly first: number; last: number; generation: number }>();

  constructor(
    private readonly quietMs: number,
    private readonly maxWaitMs: number,
  ) {}

  /** A keystroke at `at` changed the document's attribution to generation `generation`. */
  noteKeystroke(key: string, at: number, generation: number): void {
    const run = this.runs.get(key);
    if (run) {
      run.last = at;
      run.generation = generation;
    } else {
      this.runs.set(key, { first: at, last: at, generation });
    }
  }

  /**
   * How much longer a recomputation of the document should wait at `now` (0: now). `generation`
   * is the document's current attribution generation. A run that is due ends here: the next
   * keystroke starts a new one.
   */
  waitFor(key: string, generation: number, now: number): number {
    const run = this.runs.get(key);
    if (!run) return 0;
    const wait = run.generation === generation ? Math.min(run.last + this.quietMs, run.first + this.maxWaitMs) - now : 0;
    if (wait > 0) return wait;
    this.runs.delete(key);
    return 0;
  }

  forget(key: string): void {
    this.runs.delete(key);
  }
}

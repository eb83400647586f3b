/**
 * When each document was open in the editor, so that a write to its file can be told apart as the
 * editor's own (a save, a reload) even when the document closed, or closed and opened again, before
 * the write was looked at: Ctrl+S then Ctrl+W is one motion, and the write's event and its
 * examination come seconds later on a busy machine. Closed periods are kept for `retainMs`.
 */
export class DocumentOpenHistory {
  /** Per document: when it opened, and when it closed (undefined while open), oldest first. */
  private readonly periods = new Map<string, Array<{ openedAt: number; closedAt: number | undefined }>>();
  /** Each document's last closing time, in the order of those closings. */
  private readonly lastClosed = new Map<string, number>();

  constructor(
    private readonly retainMs: number,
    /** Closed periods kept per document at most (the newest). */
    private readonly maxPeriods = 8,
  ) {}

  opened(key: string, at: number): void {
    const periods = this.periods.get(key) ?? [];
    const last = periods[periods.length - 1];
    if (last && last.closedAt === undefined) return; // already open: the first opening counts
    periods.push({ openedAt: at, closedAt: undefined });
    this.periods.set(key, periods);
  }

  closed(key: string, at: number): void {
    const periods = this.periods.get(key);
    const last = periods?.[periods.length - 1];
    if (!periods || !last || last.closedAt !== undefined) return;
    last.closedAt = Math.max(at, last.openedAt);
    if (periods.length > this.maxPeriods) periods.splice(0, periods.length - this.maxPeriods);
    // Re-inserted: the map's order is the order of last closing, oldest first.
    this.lastClosed.delete(key);
    this.lastClosed.set(key, last.closedAt);
    this.forgetOld(at);
  }

  /** Whether the document was open at `time` (opened at or before it, closed at or after it). */
  wasOpenAt(key: string, time: number): boolean {
    return (this.periods.get(key) ?? []).some((period) => period.openedAt <= time && (period.closedAt === undefined || period.closedAt >= time));
  }

  /** When the document last closed, if it is closed now and that closing is still kept. */
  closedAt(key: string): number | undefined {
    const periods = this.periods.get(key);
    return periods?.[periods.length - 1]?.closedAt;
  }

  /** Drops the periods that closed more than `retainMs` before `now`: only documents whose last closing is that old, oldest first. */
  private forgetOld(now: number): void {
    for (const [key, closedAt] of this.lastClosed) {
      if (closedAt >= now - this.retainMs) break;
      this.lastClosed.delete(key);
      const open = (this.periods.get(key) ?? []).filter((period) => period.closedAt === undefined);
      if (open.length > 0) this.periods.set(key, open);
      else this.periods.delete(key);
    }
  }
}

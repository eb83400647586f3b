/**
 * What a status listing (the files a repository lists as changed or untracked) said in the recent
 * past. A listing published at or after a write may already include that write, so "was this file
 * listed as changed before time t" is answered from the last listing published *before* t, never
 * from the newest one. Only the files whose listing changed are kept (with when), for `retainMs`.
 */
export class ChangeListingHistory {
  private current = new Set<string>();
  private firstPublishedAt: number | undefined;
  private lastPublishedAt = Number.NEGATIVE_INFINITY;
  /** Per file, when it entered or left the listing, oldest first. */
  private readonly changesByKey = new Map<string, Array<{ readonly at: number; readonly listed: boolean }>>();
  /** Every kept change in publishing order, so the oldest are dropped first. */
  private readonly changeOrder: Array<{ readonly at: number; readonly key: string }> = [];
  /** No answer for times at or before this: the changes after them are no longer all kept. */
  private forgottenUpTo = Number.NEGATIVE_INFINITY;

  constructor(private readonly retainMs: number) {}

  /** Takes in the listing published at `at` (times are made non-decreasing). */
  record(at: number, listed: Iterable<string>): void {
    const publishedAt = Math.max(at, this.lastPublishedAt);
    const next = new Set(listed);
    for (const key of next) if (!this.current.has(key)) this.noteChange(publishedAt, key, true);
    for (const key of this.current) if (!next.has(key)) this.noteChange(publishedAt, key, false);
    this.current = next;
    this.firstPublishedAt ??= publishedAt;
    this.lastPublishedAt = publishedAt;
    this.forget(publishedAt - this.retainMs);
  }

  /**
   * Whether the last listing published before `time` held `key`; undefined when no listing was
   * published before it, or when that listing is older than what is kept.
   */
  listedBefore(key: string, time: number): boolean | undefined {
    if (this.firstPublishedAt === undefined || this.firstPublishedAt >= time || time <= this.forgottenUpTo) return undefined;
    const changes = this.changesByKey.get(key);
    // The first change published at or after `time` tells what was listed before it.
    const after = changes?.find((change) => change.at >= time);
    return after ? !after.listed : this.current.has(key);
  }

  private noteChange(at: number, key: string, listed: boolean): void {
    let changes = this.changesByKey.get(key);
    if (!changes) this.changesByKey.set(key, (changes = []));
    changes.push({ at, listed });
    this.changeOrder.push({ at, key });
  }

  private forget(before: number): void {
    let dropped = 0;
    while (dropped < this.changeOrder.length && this.changeOrder[dropped].at < before) {
      const { at, key } = this.changeOrder[dropped];
      const changes = this.changesByKey.get(key);
      changes?.shift();
      if (changes?.length === 0) this.changesByKey.delete(key);
      this.forgottenUpTo = Math.max(this.forgottenUpTo, at);
      dropped++;
    }
    if (dropped > 0) this.changeOrder.splice(0, dropped);
  }
}

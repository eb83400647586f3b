/**
 * The text each closed file had when Vouch last looked at it after an outside write, so that the
 * next write by another program is compared with that text rather than with the index (which would
 * count a person's earlier, smaller change as the program's). Bounded in entries and characters:
 * the least recently remembered go first, and a file that is forgotten only falls back to what
 * Vouch knew before (its working state, or the index when git listed it clean).
 */
export class LastSeenTexts {
  /** Insertion order is recency: `remember` re-inserts. */
  private readonly texts = new Map<string, string>();
  private totalChars = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly maxChars: number,
  ) {}

  /** Removes and returns the file's text: a caller that cannot tell what the file holds now leaves it forgotten. */
  take(key: string): string | undefined {
    const text = this.texts.get(key);
    if (text !== undefined) this.forget(key);
    return text;
  }

  remember(key: string, text: string): void {
    this.forget(key);
    if (text.length > this.maxChars || this.maxEntries <= 0) return;
    this.texts.set(key, text);
    this.totalChars += text.length;
    for (const [oldest, oldText] of this.texts) {
      if (this.texts.size <= this.maxEntries && this.totalChars <= this.maxChars) break;
      this.texts.delete(oldest);
      this.totalChars -= oldText.length;
    }
  }

  forget(key: string): void {
    const text = this.texts.get(key);
    if (text === undefined) return;
    this.texts.delete(key);
    this.totalChars -= text.length;
  }

  get size(): number {
    return this.texts.size;
  }

  get chars(): number {
    return this.totalChars;
  }
}

/**
 * The ordered, non-overlapping spans of one document, stored for per-keystroke speed.
 *
 * Spans live in chunks of at most MAX_CHUNK entries. Inside a chunk each span is stored as
 * (gap before it, its length, its record), so an edit only rewrites the gap of the span after it
 * instead of shifting every later span. Each chunk's extent (sum of gaps and lengths, i.e. the end
 * of its last span minus the end of the previous chunk's last span) is kept in a Fenwick tree, so
 * finding the chunk that holds an offset and shifting all later chunks cost O(log chunks); the
 * scan inside one chunk is bounded by MAX_CHUNK. Cost per edit therefore grows with log(spans),
 * never linearly.
 */

/** Everything a span carries except its position. Immutable: history keeps references to it. */
export interface SpanRecord {
  readonly id: string;
  readonly origin: import('../attribution').Origin;
  readonly confidence: import('../attribution').Confidence;
  readonly insertedAt: number;
  readonly insertedTextHash: string;
  readonly insertedLength: number;
  readonly humanChangedChars: number;
  readonly review?: import('../attribution').Review;
}

/** A span at absolute offsets [start, end). */
export interface Piece {
  readonly start: number;
  readonly end: number;
  readonly rec: SpanRecord;
}

interface Chunk {
  gaps: number[];
  lens: number[];
  recs: SpanRecord[];
}

const MAX_CHUNK = 64;
const MIN_CHUNK = 12;
const BULK_CHUNK = 40;

export const NO_PIECES: readonly Piece[] = Object.freeze([]) as readonly Piece[];

export class SpanSequence {
  private chunks: Chunk[] = [];
  private extents: number[] = [];
  /** 1-based Fenwick tree over `extents`. */
  private fenwick = new Float64Array(1);
  private fenwickTop = 1;
  private total = 0;
  count = 0;

  // The region found by the last collectTouching, consumed by replaceCollected.
  private cursorChunk = 0;
  private cursorIndex = 0;
  private cursorPrevEnd = 0;
  private cursorCount = 0;
  private cursorNextStart = -1;

  // The chunk of the last lookup and its absolute base offset: typing stays in one chunk, so most
  // lookups skip the Fenwick descent. fenwickAdd keeps the base exact; rebuilds invalidate it.
  private hotChunk = -1;
  private hotBase = 0;
  // Within the hot chunk, the index of the last lookup and the end of the span before it (relative
  // to hotBase): the next keystroke lands at or after it, so the scan resumes there. Edits only
  // rewrite entries at or after the cursor, which keeps this exact; other changes reset it to 0.
  private hotIndex = 0;
  private hotIndexPrevEnd = 0;

  /** Builds from pieces already validated as sorted and non-overlapping. */
  static fromPieces(pieces: readonly Piece[]): SpanSequence {
    const sequence = new SpanSequence();
    let prevEnd = 0;
    for (let at = 0; at < pieces.length; at += BULK_CHUNK) {
      const chunk: Chunk = { gaps: [], lens: [], recs: [] };
      const chunkStart = prevEnd;
      for (let i = at; i < Math.min(pieces.length, at + BULK_CHUNK); i++) {
        const piece = pieces[i];
        chunk.gaps.push(piece.start - prevEnd);
        chunk.lens.push(piece.end - piece.start);
        chunk.recs.push(piece.rec);
        prevEnd = piece.end;
      }
      sequence.chunks.push(chunk);
      sequence.extents.push(prevEnd - chunkStart);
    }
    sequence.count = pieces.length;
    sequence.rebuildFenwick();
    return sequence;
  }

  /** End offset of the last span (0 when empty). */
  get end(): number {
    return this.total;
  }

  /**
   * Collects the spans that intersect or touch the closed range [start, end] (in order) and
   * remembers where they are for replaceCollected; undefined when there are none.
   */
  collectTouching(start: number, end: number): Piece[] | undefined {
    return this.collect(start, end + 1);
  }

  /**
   * Collects the spans sharing at least one character with [start, end), or, when start === end,
   * the span holding characters on both sides of start (spans that merely touch are left out),
   * and remembers where they are for replaceCollected.
   */
  collectOverlapping(start: number, end: number): Piece[] | undefined {
    return this.collect(start + 1, end);
  }

  /**
   * Selects, for replaceCollected, the `count` consecutive spans starting with the first whose end
   * is at least `from` (the caller knows them already, so nothing is collected).
   */
  selectRun(from: number, count: number): void {
    this.locate(from);
    let chunkIndex = this.cursorChunk;
    let index = this.cursorIndex;
    let pos = this.cursorPrevEnd;
    let remaining = count;
    this.cursorCount = count;
    this.cursorNextStart = -1;
    while (chunkIndex < this.chunks.length) {
      const chunk = this.chunks[chunkIndex];
      const n = chunk.gaps.length;
      for (; index < n; index++) {
        const spanStart = pos + chunk.gaps[index];
        if (remaining === 0) {
          this.cursorNextStart = spanStart;
          return;
        }
        pos = spanStart + chunk.lens[index];
        remaining--;
      }
      chunkIndex++;
      index = 0;
    }
    if (remaining !== 0) throw new Error(`SpanSequence.selectRun: only ${count - remaining} of ${count} spans after offset ${from}`);
  }

  /** Collects the spans from the first whose end is >= `from` up to the last starting before `stopAt`. */
  private collect(from: number, stopAt: number): Piece[] | undefined {
    let out: Piece[] | undefined;
    this.locate(from);
    let chunkIndex = this.cursorChunk;
    let index = this.cursorIndex;
    let pos = this.cursorPrevEnd;
    let count = 0;
    this.cursorNextStart = -1;
    while (chunkIndex < this.chunks.length) {
      const chunk = this.chunks[chunkIndex];
      const gaps = chunk.gaps;
      const lens = chunk.lens;
      const n = gaps.length;
      for (; index < n; index++) {
        const spanStart = pos + gaps[index];
        if (spanStart >= stopAt) {
          this.cursorNextStart = spanStart;
          this.cursorCount = count;
          return out;
        }
        pos = spanStart + lens[index];
        const piece = { start: spanStart, end: pos, rec: chunk.recs[index] };
        // A literal sizes the array exactly; the first push into [] would reserve 16 slots.
        if (out === undefined) out = [piece];
        else out.push(piece);
        count++;
      }
      chunkIndex++;
      index = 0;
    }
    this.cursorCount = count;
    return out;
  }

  /**
   * Replaces the spans found by the last collectTouching with `pieces` (absolute offsets after the
   * edit, sorted, inside the hole the removed spans and the edit leave) and shifts every later
   * span by `delta`.
   */
  replaceCollected(pieces: readonly Piece[], delta: number): void {
    const chunkIndex = this.cursorChunk;
    const removeCount = this.cursorCount;
    if (removeCount === 0 && pieces.length === 0) {
      // The hot path: an edit in text no span touches only moves the next span.
      if (this.cursorNextStart >= 0 && delta !== 0) {
        this.chunks[chunkIndex].gaps[this.cursorIndex] += delta;
        this.extents[chunkIndex] += delta;
        this.fenwickAdd(chunkIndex, delta);
        this.total += delta;
      }
      return;
    }
    if (this.replaceWithinChunk(pieces, delta)) return;
    // Entries before the cursor may move between chunks below; restart scans at the chunk start.
    this.hotIndex = 0;
    this.hotIndexPrevEnd = 0;
    if (this.chunks.length === 0) {
      this.chunks.push({ gaps: [], lens: [], recs: [] });
      this.extents.push(0);
      this.rebuildFenwick();
    }
    const index = this.cursorIndex;
    let lastTouched = chunkIndex;
    // Remove the collected spans (they may continue into later chunks).
    let remaining = removeCount;
    const first = this.chunks[chunkIndex];
    const takeFirst = Math.min(remaining, first.gaps.length - index);
    remaining -= takeFirst;
    let next = chunkIndex + 1;
    while (remaining > 0) {
      const chunk = this.chunks[next];
      const take = Math.min(remaining, chunk.gaps.length);
      chunk.gaps.splice(0, take);
      chunk.lens.splice(0, take);
      chunk.recs.splice(0, take);
      remaining -= take;
      lastTouched = next;
      next++;
    }
    // Insert the new pieces where the removed ones were.
    const gaps: number[] = new Array<number>(pieces.length);
    const lens: number[] = new Array<number>(pieces.length);
    const recs: SpanRecord[] = new Array<SpanRecord>(pieces.length);
    let prevEnd = this.cursorPrevEnd;
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i];
      gaps[i] = piece.start - prevEnd;
      lens[i] = piece.end - piece.start;
      recs[i] = piece.rec;
      prevEnd = piece.end;
    }
    if (takeFirst === 0 && pieces.length === 1) {
      first.gaps.splice(index, 0, gaps[0]);
      first.lens.splice(index, 0, lens[0]);
      first.recs.splice(index, 0, recs[0]);
    } else if (pieces.length > 1024) {
      // Spreading huge arrays into splice would overflow the argument limit; rebalance re-cuts this chunk.
      first.gaps = first.gaps.slice(0, index).concat(gaps, first.gaps.slice(index + takeFirst));
      first.lens = first.lens.slice(0, index).concat(lens, first.lens.slice(index + takeFirst));
      first.recs = first.recs.slice(0, index).concat(recs, first.recs.slice(index + takeFirst));
    } else {
      first.gaps.splice(index, takeFirst, ...gaps);
      first.lens.splice(index, takeFirst, ...lens);
      first.recs.splice(index, takeFirst, ...recs);
    }
    this.count += pieces.length - removeCount;
    // The span after the region keeps its absolute offset plus delta.
    if (this.cursorNextStart >= 0) {
      let nextChunk = chunkIndex;
      let nextIndex = index + pieces.length;
      while (nextIndex >= this.chunks[nextChunk].gaps.length) {
        nextChunk++;
        nextIndex = 0;
      }
      this.chunks[nextChunk].gaps[nextIndex] = this.cursorNextStart + delta - prevEnd;
      if (nextChunk > lastTouched) lastTouched = nextChunk;
    }
    let structureChanged = false;
    for (let c = chunkIndex; c <= lastTouched; c++) {
      const chunk = this.chunks[c];
      let extent = 0;
      for (let i = 0; i < chunk.gaps.length; i++) extent += chunk.gaps[i] + chunk.lens[i];
      const change = extent - this.extents[c];
      if (change !== 0) {
        this.extents[c] = extent;
        this.total += change;
        this.fenwickAdd(c, change);
      }
      if (chunk.gaps.length > MAX_CHUNK || chunk.gaps.length < MIN_CHUNK) structureChanged = true;
    }
    if (structureChanged) this.rebalance(chunkIndex, lastTouched);
  }

  /**
   * The common case of replaceCollected: the removed spans and the span after them all sit in one
   * chunk, so entries are overwritten in place and the chunk's extent simply moves by `delta`.
   */
  private replaceWithinChunk(pieces: readonly Piece[], delta: number): boolean {
    const chunkIndex = this.cursorChunk;
    const chunk = this.chunks[chunkIndex];
    if (chunk === undefined) return false;
    const index = this.cursorIndex;
    const removeCount = this.cursorCount;
    const count = pieces.length;
    const gaps = chunk.gaps;
    const lens = chunk.lens;
    const recs = chunk.recs;
    // The span after the region must be in this chunk too, and the chunk must stay within bounds.
    if (this.cursorNextStart < 0 || index + removeCount >= gaps.length) return false;
    const size = gaps.length - removeCount + count;
    if (size > MAX_CHUNK || size < MIN_CHUNK) return false;
    const common = Math.min(removeCount, count);
    let prevEnd = this.cursorPrevEnd;
    for (let i = 0; i < common; i++) {
      const piece = pieces[i];
      gaps[index + i] = piece.start - prevEnd;
      lens[index + i] = piece.end - piece.start;
      recs[index + i] = piece.rec;
      prevEnd = piece.end;
    }
    // Entries move by hand: splice allocates an array for the removed items on every call.
    if (count > removeCount) {
      const extra = count - removeCount;
      const oldLength = gaps.length;
      const from = index + removeCount;
      // Grow by `extra` (placeholders, overwritten below; the chunk is not empty here).
      for (let i = 0; i < extra; i++) {
        gaps.push(0);
        lens.push(0);
        recs.push(recs[0]);
      }
      for (let i = oldLength - 1; i >= from; i--) {
        gaps[i + extra] = gaps[i];
        lens[i + extra] = lens[i];
        recs[i + extra] = recs[i];
      }
      for (let i = common; i < count; i++) {
        const piece = pieces[i];
        gaps[index + i] = piece.start - prevEnd;
        lens[index + i] = piece.end - piece.start;
        recs[index + i] = piece.rec;
        prevEnd = piece.end;
      }
    } else if (removeCount > count) {
      const fewer = removeCount - count;
      const newLength = gaps.length - fewer;
      for (let i = index + count; i < newLength; i++) {
        gaps[i] = gaps[i + fewer];
        lens[i] = lens[i + fewer];
        recs[i] = recs[i + fewer];
      }
      gaps.length = newLength;
      lens.length = newLength;
      recs.length = newLength;
    }
    gaps[index + count] = this.cursorNextStart + delta - prevEnd;
    this.count += count - removeCount;
    if (delta !== 0) {
      this.extents[chunkIndex] += delta;
      this.fenwickAdd(chunkIndex, delta);
      this.total += delta;
    }
    return true;
  }

  /** Calls `visit` for every span in order; stops when it returns false. */
  forEach(visit: (start: number, end: number, rec: SpanRecord) => boolean | void): void {
    let pos = 0;
    for (const chunk of this.chunks) {
      for (let i = 0; i < chunk.gaps.length; i++) {
        const start = pos + chunk.gaps[i];
        pos = start + chunk.lens[i];
        if (visit(start, pos, chunk.recs[i]) === false) return;
      }
    }
  }

  /** Visits spans in order starting with the first whose end is at least `offset`. */
  forEachFrom(offset: number, visit: (start: number, end: number, rec: SpanRecord) => boolean | void): void {
    this.locate(offset);
    let pos = this.cursorPrevEnd;
    let index = this.cursorIndex;
    for (let c = this.cursorChunk; c < this.chunks.length; c++) {
      const chunk = this.chunks[c];
      for (; index < chunk.gaps.length; index++) {
        const start = pos + chunk.gaps[index];
        pos = start + chunk.lens[index];
        if (visit(start, pos, chunk.recs[index]) === false) return;
      }
      index = 0;
    }
  }

  /** Replaces the record of the span with this id; a linear scan (reviews are rare, edits are not). */
  replaceRecord(id: string, update: (rec: SpanRecord) => SpanRecord): boolean {
    for (const chunk of this.chunks) {
      const recs = chunk.recs;
      for (let i = 0; i < recs.length; i++) {
        if (recs[i].id === id) {
          recs[i] = update(recs[i]);
          return true;
        }
      }
    }
    return false;
  }

  /** Sets the cursor at the first span whose end is >= offset (or after the last span). */
  private locate(offset: number): void {
    const chunkCount = this.chunks.length;
    if (chunkCount === 0) {
      this.cursorChunk = 0;
      this.cursorIndex = 0;
      this.cursorPrevEnd = 0;
      return;
    }
    if (offset > this.total) {
      this.cursorChunk = chunkCount - 1;
      this.cursorIndex = this.chunks[chunkCount - 1].gaps.length;
      this.cursorPrevEnd = this.total;
      return;
    }
    let position: number;
    let pos: number;
    let index = 0;
    const hot = this.hotChunk;
    if (hot >= 0 && this.hotBase < offset && offset <= this.hotBase + this.extents[hot]) {
      position = hot;
      pos = this.hotBase;
      if (offset > pos + this.hotIndexPrevEnd) {
        index = this.hotIndex;
        pos += this.hotIndexPrevEnd;
      }
    } else {
      // Fenwick descent: largest prefix of chunks whose extent sum is < offset.
      const tree = this.fenwick;
      position = 0;
      let remaining = offset;
      for (let step = this.fenwickTop; step > 0; step >>= 1) {
        const next = position + step;
        if (next <= chunkCount && tree[next] < remaining) {
          position = next;
          remaining -= tree[next];
        }
      }
      pos = offset - remaining;
      this.hotChunk = position;
      this.hotBase = pos;
    }
    const chunk = this.chunks[position];
    const gaps = chunk.gaps;
    const lens = chunk.lens;
    for (; index < gaps.length; index++) {
      const end = pos + gaps[index] + lens[index];
      if (end >= offset) break;
      pos = end;
    }
    this.hotIndex = index;
    this.hotIndexPrevEnd = pos - this.hotBase;
    this.cursorChunk = position;
    this.cursorIndex = index;
    this.cursorPrevEnd = pos;
  }

  private fenwickAdd(chunkIndex: number, change: number): void {
    if (chunkIndex < this.hotChunk) this.hotBase += change;
    const tree = this.fenwick;
    const size = this.chunks.length;
    for (let i = chunkIndex + 1; i <= size; i += i & -i) tree[i] += change;
  }

  private rebuildFenwick(): void {
    this.hotChunk = -1;
    this.hotIndex = 0;
    this.hotIndexPrevEnd = 0;
    const size = this.chunks.length;
    if (this.fenwick.length < size + 1 || this.fenwick.length > 4 * (size + 1)) {
      this.fenwick = new Float64Array(Math.max(16, size * 2 + 1));
    } else {
      this.fenwick.fill(0);
    }
    const tree = this.fenwick;
    let total = 0;
    for (let i = 1; i <= size; i++) {
      tree[i] += this.extents[i - 1];
      total += this.extents[i - 1];
      const parent = i + (i & -i);
      if (parent <= size) tree[parent] += tree[i];
    }
    let top = 1;
    while (top * 2 <= size) top *= 2;
    this.fenwickTop = top;
    this.total = total;
  }

  /** Splits oversized and merges undersized chunks in [from, to], then rebuilds the index. */
  private rebalance(from: number, to: number): void {
    const rebuilt: Chunk[] = [];
    const rebuiltExtents: number[] = [];
    const lo = Math.max(0, from - 1);
    const hi = Math.min(this.chunks.length - 1, to + 1);
    // Gather the spans of the neighbourhood and cut them into evenly filled chunks.
    const gaps: number[] = [];
    const lens: number[] = [];
    const recs: SpanRecord[] = [];
    for (let c = lo; c <= hi; c++) {
      const chunk = this.chunks[c];
      for (let i = 0; i < chunk.gaps.length; i++) {
        gaps.push(chunk.gaps[i]);
        lens.push(chunk.lens[i]);
        recs.push(chunk.recs[i]);
      }
    }
    const pieces = Math.max(1, Math.ceil(gaps.length / ((MAX_CHUNK + MIN_CHUNK) / 2)));
    const per = Math.ceil(gaps.length / pieces);
    for (let at = 0; at < gaps.length || rebuilt.length === 0; at += per) {
      const chunk: Chunk = { gaps: gaps.slice(at, at + per), lens: lens.slice(at, at + per), recs: recs.slice(at, at + per) };
      let extent = 0;
      for (let i = 0; i < chunk.gaps.length; i++) extent += chunk.gaps[i] + chunk.lens[i];
      rebuilt.push(chunk);
      rebuiltExtents.push(extent);
      if (gaps.length === 0) break;
    }
    if (gaps.length === 0 && this.chunks.length > hi - lo + 1) {
      // Drop the empty neighbourhood entirely; its (zero) extent moves nowhere.
      this.chunks.splice(lo, hi - lo + 1);
      this.extents.splice(lo, hi - lo + 1);
    } else {
      this.chunks.splice(lo, hi - lo + 1, ...rebuilt);
      this.extents.splice(lo, hi - lo + 1, ...rebuiltExtents);
    }
    this.rebuildFenwick();
  }
}

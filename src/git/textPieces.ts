import { createHash } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { textSlices } from './blame/nativeSha256';

/**
 * A text handed over a piece at a time (an editor document read by ranges): a 50 MB document is
 * hashed and written to git piece by piece, with turns of the event loop between pieces, and never
 * taken or encoded whole on the event path.
 */
export interface TextPieces {
  readonly length: number;
  /**
   * The same key means the same text (an editor document's uri and version): its hash and blob are
   * remembered by the key, so saving new spans over unchanged text reads nothing.
   */
  readonly key?: string;
  /** The pieces in order, never splitting a surrogate pair; throws TextChangedError when the text changed since. */
  pieces(): AsyncIterable<string>;
  /** The whole text (for the rare merge with another writer's state); remembered once read. */
  whole(): Promise<string>;
}

/** The text a TextPieces stands for changed while it was read: the reader tries again later. */
export class TextChangedError extends Error {
  constructor(what: string) {
    super(`${what} changed while it was read`);
    this.name = 'TextChangedError';
  }
}

/** A string as TextPieces (slices of it). */
export function stringPieces(text: string): TextPieces {
  return {
    length: text.length,
    async *pieces() {
      for (const slice of textSlices(text)) {
        yield slice;
        await nextTurn();
      }
    },
    whole: () => Promise.resolve(text),
  };
}

/**
 * The UTF-8 bytes of `text` for git's stdin, a piece at a time, and the text's sha256 (hex) once
 * they have all been read.
 */
export function hashingUtf8Pieces(text: TextPieces): { bytes: AsyncIterable<Buffer>; sha256: () => string } {
  const hash = createHash('sha256');
  let digest: string | undefined;
  return {
    bytes: (async function* () {
      for await (const piece of text.pieces()) {
        // Encoded once, for the hash and for git.
        const bytes = Buffer.from(piece, 'utf8');
        hash.update(bytes);
        yield bytes;
      }
      digest = hash.digest('hex');
    })(),
    sha256: () => {
      if (digest === undefined) throw new Error('the text was not read to its end');
      return digest;
    },
  };
}

/** The sha256 (hex) of a text given in pieces. */
export async function sha256OfPieces(text: TextPieces): Promise<string> {
  const hash = createHash('sha256');
  for await (const piece of text.pieces()) hash.update(piece, 'utf8');
  return hash.digest('hex');
}

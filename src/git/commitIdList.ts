/**
 * Commit ids of a range as git printed them (`git rev-list`: one id and a newline each), kept as
 * those bytes rather than one string per id: 100,000 commits take 4 MB of one buffer instead of
 * 100,000 heap objects that the garbage collector must copy and keep. Ids are validated once, here.
 */
import { GitError } from './gitRunner';

const NEWLINE = 10;

function isLowerHex(byte: number): boolean {
  return (byte >= 48 && byte <= 57) || (byte >= 97 && byte <= 102);
}

export class CommitIdList implements Iterable<string> {
  private constructor(
    private readonly bytes: Buffer,
    /** Bytes per id including its newline: 41 (SHA-1) or 65 (SHA-256). */
    private readonly width: number,
    /** `at(0)` is the last id git printed (rev-list prints newest first; verify goes oldest first). */
    private readonly reversed: boolean,
  ) {}

  /** The ids of `git rev-list` output; throws a GitError on anything but full lowercase hex ids of one length. */
  static fromRevList(bytes: Buffer, options: { readonly reverse: boolean }): CommitIdList {
    if (bytes.length === 0) return new CommitIdList(bytes, 41, options.reverse);
    const width = bytes.indexOf(NEWLINE) + 1;
    if ((width !== 41 && width !== 65) || bytes.length % width !== 0) throw new GitError('exit-code', 'git rev-list printed something other than object ids', ['rev-list']);
    for (let offset = 0; offset < bytes.length; offset += width) {
      for (let index = offset; index < offset + width - 1; index++) {
        if (!isLowerHex(bytes[index])) throw new GitError('exit-code', 'git rev-list printed something other than object ids', ['rev-list']);
      }
      if (bytes[offset + width - 1] !== NEWLINE) throw new GitError('exit-code', 'git rev-list printed ids of different lengths', ['rev-list']);
    }
    return new CommitIdList(bytes, width, options.reverse);
  }

  static of(ids: readonly string[]): CommitIdList {
    return CommitIdList.fromRevList(Buffer.from(ids.map((id) => `${id}\n`).join(''), 'latin1'), { reverse: false });
  }

  get length(): number {
    return this.bytes.length / this.width;
  }

  at(index: number): string | undefined {
    if (!Number.isInteger(index) || index < 0 || index >= this.length) return undefined;
    const line = this.reversed ? this.length - 1 - index : index;
    return this.bytes.toString('latin1', line * this.width, (line + 1) * this.width - 1);
  }

  *[Symbol.iterator](): Iterator<string> {
    for (let index = 0; index < this.length; index++) yield this.at(index) as string;
  }
}

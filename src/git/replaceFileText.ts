/**
 * Replaces the text of a user's file that Vouch edits outside the editor (a rejected AI block
 * removed by `vouch review --reject`, or by the review panel for a file in no editor): only when
 * the file still holds exactly the text the decision was made on, keeping its byte-order mark,
 * through the atomic write (a kill leaves the old or the new file, never an empty one).
 */
import type { TextReplacement } from '../core/attribution';
import { writeFileAtomic } from './atomicWrite';
import { readRegularFile } from './regularFile';

/** Files larger than this are not edited (the same bound as a document Vouch reads). */
const MAX_EDITED_FILE_BYTES = 50 * 1024 * 1024;

/** `text` with the removals (offsets into `text`) taken out. */
export function applyRemovals(text: string, removals: readonly TextReplacement[]): string {
  let result = text;
  for (const removal of [...removals].sort((a, b) => b.offset - a.offset)) {
    result = result.slice(0, removal.offset) + result.slice(removal.offset + removal.deletedLength);
  }
  return result;
}

/** Writes `text` over `file` when it holds `expected` now (a leading BOM kept); false, and nothing written, otherwise. */
export async function replaceTextIfUnchanged(file: string, expected: string, text: string): Promise<boolean> {
  const read = await readRegularFile(file, { maxBytes: MAX_EDITED_FILE_BYTES, followSymlink: true });
  if (read.kind !== 'ok') return false;
  const raw = read.bytes;
  const bom = raw[0] === 0xef && raw[1] === 0xbb && raw[2] === 0xbf;
  const onDisk = raw.toString('utf8');
  if ((bom ? onDisk.slice(1) : onDisk) !== expected) return false;
  await writeFileAtomic(file, (bom ? '\ufeff' : '') + text, { followSymlink: true });
  return true;
}

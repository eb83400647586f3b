/**
 * The AI blocks of a file as it is on disk now, from its stored attribution: the one way the CLI
 * (`vouch status`, `vouch check`) and the editor (review panel, status bar) build the blocks of a
 * file that no editor has open. The stored spans are carried onto the disk text (re-anchored when
 * the file changed since), then the core block builder gives every block with its state.
 */
import type { AttributedSpan } from '../../core/attribution';
import { buildFileBlocks, type ReviewBlock } from '../../core/review/reviewModel';
import { readWorkingTreeText } from '../repository';
import type { WorkingStateStore } from '../workingStateStore';
import type { WorkingStateDocument } from '../../core/workingState/stateFile';

export interface WorkingFileBlocks {
  /** False when the file is gone from disk (then there are no blocks). */
  readonly exists: boolean;
  /** Every AI block with its state, by line; filter with blockNeedsReview for the ones waiting for a person. */
  readonly blocks: readonly ReviewBlock[];
  /** The spans on the disk text that the blocks name. */
  readonly spans: readonly AttributedSpan[];
  /** The disk text the blocks were built from ('' when the file is gone). */
  readonly text: string;
}

/**
 * The blocks of `repoPath` on disk, or undefined when it has no stored AI spans. `displayPath`
 * (default: the repository path) is what blocks show and what their ids are made of; `loaded` is
 * its state when the caller has just read it (loadAll), so its file is not read again.
 */
export async function workingFileBlocks(store: WorkingStateStore, repoPath: string, displayPath: string = repoPath, loaded?: WorkingStateDocument): Promise<WorkingFileBlocks | undefined> {
  const text = await readWorkingTreeText(store.repository, repoPath);
  if (text === undefined) {
    const document = loaded?.path === repoPath ? loaded : await store.load(repoPath);
    return document && document.spans.length > 0 ? { exists: false, blocks: [], spans: [], text: '' } : undefined;
  }
  const current = await store.loadForText(repoPath, text, loaded ? { loaded } : {});
  if (!current || current.spans.length === 0) return undefined;
  return { exists: true, blocks: buildFileBlocks({ path: displayPath, text, spans: current.spans }), spans: current.spans, text };
}

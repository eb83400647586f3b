import { readRegularFile } from '../../git/regularFile';
import type { AttributedSpan } from '../../core/attribution';
import { sha256Hex } from '../../core/textHash';
import { parseWorkingStateDocument, type WorkingStateDocument } from '../../core/workingState/stateFile';
import type { RepositoryRegistry } from '../repositoryRegistry';

/** Stored state files larger than this are not peeked at (the store sets such files aside itself). */
const MAX_PEEK_BYTES = 32 * 1024 * 1024;

/**
 * Reads a file's stored working state WITHOUT going through WorkingStateStore.load, which records
 * what it read as known: the AttributionService's next save would then take another writer's
 * spans (a `vouch mark`) as already merged and write over them.
 */
export async function peekStoredState(states: RepositoryRegistry, fsPath: string): Promise<WorkingStateDocument | undefined> {
  const located = await states.storeOf(fsPath);
  if (!located) return undefined;
  const stored = await peekStateFile(located.store.stateFileFor(located.repoPath));
  return stored?.path === located.repoPath ? stored : undefined;
}

/** Reads one state file the same way (a watcher named it); undefined when it is missing, too big or not valid. */
export async function peekStateFile(stateFile: string): Promise<WorkingStateDocument | undefined> {
  let text: string;
  try {
    const read = await readRegularFile(stateFile, { maxBytes: MAX_PEEK_BYTES });
    if (read.kind !== 'ok') return undefined;
    text = read.bytes.toString('utf8');
  } catch {
    return undefined;
  }
  const parsed = parseWorkingStateDocument(text);
  return parsed.kind === 'ok' ? parsed.document : undefined;
}

/** The stored spans when they describe exactly `text` (so their offsets are offsets into it). */
export function spansForExactText(stored: WorkingStateDocument | undefined, text: string): readonly AttributedSpan[] | undefined {
  return stored && stored.textSha256 === sha256Hex(text) ? stored.spans : undefined;
}

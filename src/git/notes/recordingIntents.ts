/**
 * Makes recording a commit idempotent across a crash. Recording is two steps that cannot be one
 * atomic write: the record goes into the notes journal (durable), then the characters it records
 * leave the working state. A run killed between them would leave those characters pending, and a
 * later run would record them again, in the same commit or in a later one that did not write them.
 *
 * So before the journal write, a small intent file names the commit, the record line's hash and
 * the committed blob of each file. The next recording of this working tree first settles every
 * intent left behind: when its record reached the journal or the note, the pending spans are
 * mapped into those blobs again and what the record holds leaves the pending state; when it did
 * not, nothing was recorded and the spans simply stay pending. Then the intent is removed. A line
 * of a commit is recorded once, in that commit's record.
 */
import { mkdirSync, readdirSync, unlinkSync } from 'node:fs';
import { nativeSha256Hex } from '../blame/nativeSha256';
import * as path from 'node:path';
import type { Logger } from '../../core/logger';
import { mapAttributionToBlob } from '../../core/notes/lineRanges';
import { MAX_NOTE_BYTES } from '../../core/notes/noteRecord';
import { writeFileAtomic } from '../atomicWrite';
import { isObjectId, type GitRunner } from '../gitRunner';
import { MAX_DOCUMENT_BYTES } from '../repository';
import { readRegularFileSync } from '../regularFile';
import { readBlobs } from '../blobReads';
import type { NotesWriter } from './notesWriter';
import { NotesReader } from './notesReader';
import type { CommittedFilePieces, PendingSpanProvider } from './pendingSpans';

interface RecordingIntent {
  readonly topLevel: string;
  readonly commit: string;
  /** sha256 of the journaled record line. */
  readonly lineSha256: string;
  /** The committed blob of every file whose spans the record takes out of the pending state. */
  readonly files: readonly { readonly path: string; readonly blob: string }[];
}

const INTENT_SUFFIX = '.intent';
const MAX_INTENT_BYTES = 4 * 1024 * 1024;

function intentDirectory(writer: NotesWriter): string {
  return path.join(writer.commonDir, 'vouch', 'recording');
}

/** The hash an intent names a record line by. */
export const recordLineSha256 = nativeSha256Hex;

const sha256 = recordLineSha256;

/** Writes the intent (crash-safe) before the record is journaled; returns the file to remove once the spans are cleared. */
export async function writeRecordingIntent(writer: NotesWriter, intent: RecordingIntent): Promise<string> {
  const directory = intentDirectory(writer);
  mkdirSync(directory, { recursive: true });
  const file = path.join(directory, `${intent.commit}.${sha256(`${intent.topLevel}\0${intent.lineSha256}`).slice(0, 32)}${INTENT_SUFFIX}`);
  await writeFileAtomic(file, `${JSON.stringify(intent)}\n`, { mode: 0o600 });
  return file;
}

export function removeRecordingIntent(file: string): void {
  try {
    unlinkSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

function parseIntent(bytes: Buffer): RecordingIntent | undefined {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
  const intent = value as Partial<RecordingIntent> | null;
  if (typeof intent !== 'object' || intent === null) return undefined;
  if (typeof intent.topLevel !== 'string' || typeof intent.commit !== 'string' || !isObjectId(intent.commit)) return undefined;
  if (typeof intent.lineSha256 !== 'string' || !/^[0-9a-f]{64}$/.test(intent.lineSha256) || !Array.isArray(intent.files)) return undefined;
  if (!intent.files.every((file) => typeof file?.path === 'string' && typeof file.blob === 'string' && isObjectId(file.blob))) return undefined;
  return intent as RecordingIntent;
}

/**
 * Settles the intents a killed run of this working tree left behind (see the file comment). No git
 * process runs when there are none.
 */
export async function settleRecordingIntents(
  deps: { readonly git: GitRunner; readonly topLevel: string; readonly writer: NotesWriter; readonly logger: Logger },
  provider: PendingSpanProvider,
): Promise<void> {
  const directory = intentDirectory(deps.writer);
  let names: string[];
  try {
    names = readdirSync(directory).filter((name) => name.endsWith(INTENT_SUFFIX));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  for (const name of names.sort()) {
    const file = path.join(directory, name);
    const read = readRegularFileSync(file, { maxBytes: MAX_INTENT_BYTES });
    const intent = read.kind === 'ok' ? parseIntent(read.bytes) : undefined;
    if (!intent) {
      if (read.kind !== 'missing') deps.logger.warn(`vouch: removed unreadable recording intent ${name}`);
      removeRecordingIntent(file);
      continue;
    }
    if (intent.topLevel !== deps.topLevel) continue; // another worktree's: its own runs settle it
    if (await isRecorded(deps, intent)) await clearRecorded(deps, provider, intent);
    removeRecordingIntent(file);
  }
}

/** Whether the intent's record line is in the journal or in the commit's note. */
async function isRecorded(deps: { readonly git: GitRunner; readonly topLevel: string; readonly writer: NotesWriter; readonly logger: Logger }, intent: RecordingIntent): Promise<boolean> {
  if (deps.writer.journal.list().some((entry) => entry.commit === intent.commit && sha256(entry.line) === intent.lineSha256)) return true;
  const note = await new NotesReader(deps.git, deps.topLevel, deps.logger).readNote(intent.commit);
  return (note?.records ?? []).some((record) => sha256(record.line) === intent.lineSha256);
}

/** Maps the pending spans into the committed blobs again; what reached them is what the record holds, and leaves the pending state. */
async function clearRecorded(deps: { readonly git: GitRunner; readonly topLevel: string }, provider: PendingSpanProvider, intent: RecordingIntent): Promise<void> {
  const blobOf = new Map(intent.files.map((file) => [file.path, file.blob]));
  const pending = await provider.pendingFiles(deps.topLevel, [...blobOf.keys()]);
  const texts = await readBlobs(deps.git, deps.topLevel, [...blobOf.values()], Math.max(MAX_DOCUMENT_BYTES, MAX_NOTE_BYTES));
  const committed: CommittedFilePieces[] = [];
  for (const file of pending) {
    const text = texts.get(blobOf.get(file.path) as string)?.text;
    if (text === undefined) continue;
    const mapped = mapAttributionToBlob(file.workingText, file.spans, text);
    if (mapped && mapped.committedPieces.length > 0) committed.push({ path: file.path, pieces: mapped.committedPieces });
  }
  if (committed.length > 0) await provider.markCommitted(deps.topLevel, committed);
}

/** The carry chains of a repository's notes (core/notes/carryChain.ts), read with git. */
import { CarryChains } from '../../core/notes/carryChain';
import type { ParsedNote } from '../../core/notes/noteParser';
import { patchIdOfCommit } from '../commitDiffs';
import type { GitRunner } from '../gitRunner';

export function carryChainsOf(git: GitRunner, topLevel: string, reader: { readNote(commit: string): Promise<ParsedNote | undefined> }): CarryChains {
  return new CarryChains({ readNote: (commit) => reader.readNote(commit), patchIdOf: (commit) => patchIdOfCommit(git, topLevel, commit) });
}

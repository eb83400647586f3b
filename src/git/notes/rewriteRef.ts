/**
 * `notes.rewriteRef` makes git copy notes to the rewritten commits of amend and rebase. Vouch
 * only configures it with the user's consent (asked by the editor, or a setting).
 */
import { NOTES_REF } from '../../core/notes/noteRecord';
import type { GitRunner } from '../gitRunner';

/** git's notes.rewriteRef values are glob patterns (e.g. `refs/notes/*`). */
function globMatches(pattern: string, ref: string): boolean {
  const expression = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${expression}$`).test(ref);
}

async function rewriteRefValues(git: GitRunner, cwd: string): Promise<string[]> {
  const result = await git.run(['config', '--get-all', 'notes.rewriteRef'], { cwd, okExitCodes: [1] });
  return result.stdout.split('\n').filter(Boolean);
}

/** True when amend and rebase will carry `ref`'s notes (any config level, glob values included). */
export async function isRewriteRefConfigured(git: GitRunner, cwd: string, ref: string = NOTES_REF): Promise<boolean> {
  const values = await rewriteRefValues(git, cwd);
  if (!values.some((value) => globMatches(value, ref))) return false;
  for (const key of ['notes.rewrite.amend', 'notes.rewrite.rebase']) {
    const result = await git.run(['config', '--type=bool', '--get', key], { cwd, okExitCodes: [1] });
    if (result.stdout.trim() === 'false') return false;
  }
  return true;
}

/** Adds `ref` to the repository's notes.rewriteRef (local config), unless it is already covered. */
export async function configureRewriteRef(git: GitRunner, cwd: string, ref: string = NOTES_REF): Promise<boolean> {
  const values = await rewriteRefValues(git, cwd);
  if (values.some((value) => globMatches(value, ref))) return false;
  await git.run(['config', '--local', '--add', 'notes.rewriteRef', ref], { cwd });
  return true;
}

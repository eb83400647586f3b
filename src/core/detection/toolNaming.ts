/**
 * Which AI tool an edit is recorded with. A provenance record states a tool only when the signal
 * names it; otherwise it says `unknown-ai` and keeps the tools that could have done it as
 * candidates (a hint for people, not a claim).
 */
import { UNKNOWN_AI_TOOL } from '../attribution';

export interface ToolNaming {
  readonly tool: string;
  readonly candidates?: readonly string[];
}

/** Sorted, without repeats or empty names. */
function distinct(names: readonly string[]): string[] {
  return [...new Set(names.filter((name) => name.length > 0))].sort();
}

/**
 * For signals that know the kind of tool but not which one (Vouch's accept keybinding runs whatever
 * inline provider shows ghost text): exactly one candidate names it; several or none give `unknown-ai`.
 */
export function nameIfOnlyCandidate(candidates: readonly string[]): ToolNaming {
  const names = distinct(candidates);
  if (names.length === 1) return { tool: names[0] };
  return unknownTool(names);
}

/** For signals that name no tool at all (an edit to a hidden file, a save without participants). */
export function unknownTool(candidates: readonly string[]): ToolNaming {
  const names = distinct(candidates);
  return names.length > 0 ? { tool: UNKNOWN_AI_TOOL, candidates: names } : { tool: UNKNOWN_AI_TOOL };
}

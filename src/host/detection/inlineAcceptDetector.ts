import * as vscode from 'vscode';
import type { OriginKind } from '../../core/attribution';
import type { AttributionService } from '../attributionService';
import { nameIfOnlyCandidate } from '../../core/detection/toolNaming';
import type { AiToolCatalog } from './aiTools';

/** Vouch's accept commands and the built-in command each one runs. */
const ACCEPT_COMMANDS: ReadonlyArray<{ readonly id: string; readonly builtIn: string; readonly defaultKind: OriginKind }> = [
  { id: 'vouch.acceptInlineSuggestion', builtIn: 'editor.action.inlineSuggest.commit', defaultKind: 'inline' },
  { id: 'vouch.acceptInlineSuggestionNextWord', builtIn: 'editor.action.inlineSuggest.acceptNextWord', defaultKind: 'inline-partial' },
  { id: 'vouch.acceptInlineSuggestionNextLine', builtIn: 'editor.action.inlineSuggest.acceptNextLine', defaultKind: 'inline-partial' },
];

interface AcceptArguments {
  readonly kind?: OriginKind;
}

function kindFrom(args: unknown, fallback: OriginKind): OriginKind {
  const kind = (args as AcceptArguments | undefined)?.kind;
  return kind === 'inline' || kind === 'inline-partial' || kind === 'next-edit' ? kind : fallback;
}

/**
 * Catches inline completions from any provider (Copilot, Codeium, ...): Vouch's keybindings for
 * Tab / accept-word / accept-line carry the built-in when-clauses and run these commands, which run
 * the built-in accept inside an AI edit window. Next-edit suggestions may change another part of
 * the file or another file, so their window covers every document. The accept does not say whose
 * suggestion it was: the tool is named only when exactly one AI extension is active.
 */
export function registerInlineAcceptDetector(service: AttributionService, tools: AiToolCatalog, isEnabled: () => boolean): vscode.Disposable {
  const registrations = ACCEPT_COMMANDS.map(({ id, builtIn, defaultKind }) =>
    vscode.commands.registerCommand(id, async (args?: unknown) => {
      if (!isEnabled()) return vscode.commands.executeCommand(builtIn);
      const kind = kindFrom(args, defaultKind);
      const editor = vscode.window.activeTextEditor;
      const scope = kind === 'next-edit' ? undefined : editor?.document.uri;
      return service.runAsAi(scope, { kind, ...nameIfOnlyCandidate(tools.activeTools()) }, 'high', () => vscode.commands.executeCommand(builtIn));
    }),
  );
  return vscode.Disposable.from(...registrations);
}

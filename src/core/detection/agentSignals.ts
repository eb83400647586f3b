/**
 * Recognising chat and agent editing from what VS Code shows: the URIs of chat-editing documents
 * and the diff tabs agent extensions open. Pure string rules; the host feeds them URIs and labels.
 */

/**
 * URI schemes of the documents VS Code's chat editing keeps for a file it is changing (VS Code
 * 1.139: `Schemas.chatEditingModel` and `Schemas.chatEditingSnapshotScheme`). Their path is the
 * edited file's path; their query is JSON that names the chat session.
 */
export const CHAT_EDITING_SCHEMES: readonly string[] = ['chat-editing-text-model', 'chat-editing-snapshot-text-model'];

const MAX_SESSION_LENGTH = 200;

/**
 * The chat session id in a chat-editing URI query: `{"kind":"doc","documentId":..,"chatSessionResource":..}`
 * (text model) or `{"session":..,"requestId":..,"undoStop":..}` (snapshot); older builds used
 * `chatSessionId`. Undefined when the query is not JSON or names no session.
 */
export function chatSessionFromQuery(query: string): string | undefined {
  if (!query.startsWith('{') || query.length > 10_000) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(query);
  } catch {
    return undefined;
  }
  if (!parsed || typeof parsed !== 'object') return undefined;
  const record = parsed as Record<string, unknown>;
  for (const key of ['chatSessionResource', 'chatSessionId', 'session', 'sessionId']) {
    const value = record[key];
    if (typeof value === 'string' && value.length > 0) return cleanSession(value);
    // Some builds serialise the session resource as a URI object.
    if (value && typeof value === 'object') {
      const uri = value as Record<string, unknown>;
      if (typeof uri.scheme === 'string' && typeof uri.path === 'string') return cleanSession(`${uri.scheme}://${typeof uri.authority === 'string' ? uri.authority : ''}${uri.path}`);
    }
  }
  return undefined;
}

function cleanSession(value: string): string {
  // Session ids end up in notes: one line, bounded, no control characters.
  return value.replace(/[\u0000-\u001f\u007f]/g, '').slice(0, MAX_SESSION_LENGTH);
}

/** What a diff tab shows: its label and the schemes of its two sides. */
export interface DiffTabFacts {
  readonly label: string;
  readonly originalScheme: string;
  readonly modifiedScheme: string;
}

/**
 * Agent extensions that show their proposed edits in a diff editor, with the marks their diff
 * tabs carry (the left side's URI scheme, words of the tab label). Lower-case.
 */
const AGENT_DIFF_HINTS: ReadonlyArray<{ readonly tool: string; readonly schemes: readonly string[]; readonly labelWords: readonly string[] }> = [
  { tool: 'cline', schemes: ['cline-diff'], labelWords: ["cline's changes", 'cline'] },
  { tool: 'roo-code', schemes: ['roo-diff', 'roo-cline-diff'], labelWords: ["roo's changes", 'roo code'] },
  { tool: 'kilo-code', schemes: ['kilo-diff', 'kilocode-diff'], labelWords: ["kilo's changes", 'kilo code'] },
  { tool: 'claude-code', schemes: ['_claude_vscode_fs_left', 'claude-code-diff'], labelWords: ['[claude code]', 'claude code'] },
  { tool: 'continue', schemes: ['continue-diff'], labelWords: ['continue diff'] },
];

/** The agent behind a diff tab, or undefined for an ordinary diff (git, compare files). */
export function agentOfDiffTab(tab: DiffTabFacts): string | undefined {
  const label = tab.label.toLowerCase();
  const schemes = [tab.originalScheme.toLowerCase(), tab.modifiedScheme.toLowerCase()];
  for (const hint of AGENT_DIFF_HINTS) {
    if (hint.schemes.some((scheme) => schemes.includes(scheme))) return hint.tool;
    if (hint.labelWords.some((word) => label.includes(word))) return hint.tool;
  }
  return undefined;
}

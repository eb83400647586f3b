import * as vscode from 'vscode';

/** Extensions known to insert AI code, by id (lower case), with the tool name Vouch records. */
const KNOWN_AI_EXTENSIONS: Readonly<Record<string, string>> = {
  'github.copilot': 'github-copilot',
  'github.copilot-chat': 'github-copilot',
  'codeium.codeium': 'codeium',
  'codeium.windsurf': 'windsurf',
  'tabnine.tabnine-vscode': 'tabnine',
  'continue.continue': 'continue',
  'supermaven.supermaven': 'supermaven',
  'amazonwebservices.amazon-q-vscode': 'amazon-q',
  'sourcegraph.cody-ai': 'cody',
  'saoudrizwan.claude-dev': 'cline',
  'rooveterinaryinc.roo-cline': 'roo-code',
  'anthropic.claude-code': 'claude-code',
  'google.geminicodeassist': 'gemini-code-assist',
  'openai.chatgpt': 'openai-codex',
  'blackboxapp.blackbox': 'blackbox',
};

export const UNKNOWN_AI_TOOL = 'unknown-ai';

/** Known AI extensions plus the ones the user names in `vouch.detection.aiExtensions` ({ id: toolName }). */
function aiExtensionTable(): Map<string, string> {
  const table = new Map(Object.entries(KNOWN_AI_EXTENSIONS));
  const extra = vscode.workspace.getConfiguration('vouch').get<Record<string, unknown>>('detection.aiExtensions') ?? {};
  for (const [id, tool] of Object.entries(extra)) {
    if (typeof tool === 'string' && tool.trim()) table.set(id.toLowerCase(), tool.trim());
  }
  return table;
}

/**
 * Names the tool behind an inline completion. The accept path knows it was an inline completion,
 * not whose: one active known AI extension names it; several are listed; none gives `unknown-ai`.
 */
export function activeAiToolName(): string {
  const table = aiExtensionTable();
  const tools = new Set<string>();
  for (const extension of vscode.extensions.all) {
    const tool = table.get(extension.id.toLowerCase());
    if (tool && extension.isActive) tools.add(tool);
  }
  if (tools.size === 0) return UNKNOWN_AI_TOOL;
  return [...tools].sort().join('+');
}

/** The tool name of a known extension id (agent diff tabs, explicit reports), if known. */
export function toolNameOfExtension(extensionId: string): string | undefined {
  return aiExtensionTable().get(extensionId.toLowerCase());
}

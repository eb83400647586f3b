import * as vscode from 'vscode';
import type { DetectionSettings } from '../settings';

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

/**
 * The active AI extensions, by the tool names Vouch records: the known ones plus those the user
 * names in `vouch.detection.aiExtensions`. Read when an AI signal needs a name (an accept, a
 * chat edit, a heuristic verdict), never per keystroke.
 */
export class AiToolCatalog {
  constructor(private readonly settings: () => DetectionSettings) {}

  private toolOf(extensionId: string): string | undefined {
    const id = extensionId.toLowerCase();
    return this.settings().aiExtensions.get(id) ?? KNOWN_AI_EXTENSIONS[id];
  }

  /** Tools of every active AI extension. */
  activeTools(): string[] {
    const tools = new Set<string>();
    for (const extension of vscode.extensions.all) {
      const tool = this.toolOf(extension.id);
      if (tool && extension.isActive) tools.add(tool);
    }
    return [...tools].sort();
  }

  /** Tools of the active AI extensions that contribute chat participants (the ones VS Code's chat editing runs for). */
  activeChatTools(): string[] {
    const tools = new Set<string>();
    for (const extension of vscode.extensions.all) {
      const tool = this.toolOf(extension.id);
      if (!tool || !extension.isActive) continue;
      const participants = (extension.packageJSON as { contributes?: { chatParticipants?: unknown } } | undefined)?.contributes?.chatParticipants;
      if (Array.isArray(participants) && participants.length > 0) tools.add(tool);
    }
    return [...tools].sort();
  }
}

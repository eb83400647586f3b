import * as vscode from 'vscode';

export type GateMode = 'off' | 'warn' | 'block';
export type GutterMode = 'off' | 'uncommitted' | 'all';
export type AskMode = 'ask' | 'always' | 'never';

/** Typed, live view of the `vouch.*` settings. Read values through it, never by string elsewhere. */
export class VouchSettings implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.emitter.event;
  private readonly listener = vscode.workspace.onDidChangeConfiguration((event) => {
    if (event.affectsConfiguration('vouch')) this.emitter.fire();
  });

  private get config(): vscode.WorkspaceConfiguration {
    return vscode.workspace.getConfiguration('vouch');
  }

  get detection(): {
    inlineCompletions: boolean;
    chatEdits: boolean;
    agentDiffTabs: boolean;
    hiddenEditorEdits: boolean;
    savesWithoutParticipants: boolean;
    externalWrites: boolean;
    minimumHeuristicChars: number;
  } {
    const config = this.config;
    return {
      inlineCompletions: config.get<boolean>('detection.inlineCompletions', true),
      chatEdits: config.get<boolean>('detection.chatEdits', true),
      agentDiffTabs: config.get<boolean>('detection.agentDiffTabs', true),
      hiddenEditorEdits: config.get<boolean>('detection.hiddenEditorEdits', true),
      savesWithoutParticipants: config.get<boolean>('detection.savesWithoutParticipants', true),
      externalWrites: config.get<boolean>('detection.externalWrites', true),
      minimumHeuristicChars: Math.max(1, config.get<number>('detection.minimumHeuristicChars', 40)),
    };
  }

  get gutterMode(): GutterMode {
    const mode = this.config.get<string>('gutter.mode', 'all');
    return mode === 'off' || mode === 'uncommitted' ? mode : 'all';
  }

  get gate(): GateMode {
    const mode = this.config.get<string>('gate', 'warn');
    return mode === 'off' || mode === 'block' ? mode : 'warn';
  }

  get notes(): { configureRewriteRef: AskMode; syncAfterPushPull: AskMode } {
    const config = this.config;
    const askMode = (key: string): AskMode => {
      const mode = config.get<string>(key, 'ask');
      return mode === 'always' || mode === 'never' ? mode : 'ask';
    };
    return { configureRewriteRef: askMode('notes.configureRewriteRef'), syncAfterPushPull: askMode('notes.syncAfterPushPull') };
  }

  /** Remembers an "Always"/"Never" answer to a notes prompt for every workspace. */
  async setNotesMode(key: 'configureRewriteRef' | 'syncAfterPushPull', mode: AskMode): Promise<void> {
    await this.config.update(`notes.${key}`, mode, vscode.ConfigurationTarget.Global);
  }

  dispose(): void {
    this.listener.dispose();
    this.emitter.dispose();
  }
}

import * as vscode from 'vscode';

export type GateMode = 'off' | 'warn' | 'block';
export type GutterMode = 'off' | 'uncommitted' | 'all';

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

  get detection(): { inlineCompletions: boolean; chatEdits: boolean; externalWrites: boolean; minimumHeuristicChars: number } {
    const config = this.config;
    return {
      inlineCompletions: config.get<boolean>('detection.inlineCompletions', true),
      chatEdits: config.get<boolean>('detection.chatEdits', true),
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

  dispose(): void {
    this.listener.dispose();
    this.emitter.dispose();
  }
}

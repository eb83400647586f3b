import * as vscode from 'vscode';
import { DEFAULT_BLAME_MAX_BYTES } from '../git/blame/blameOverlay';

export type GateMode = 'off' | 'warn' | 'block';
export type GutterMode = 'off' | 'uncommitted' | 'all';
export type AskMode = 'ask' | 'always' | 'never';
export type StatusBarVisibility = 'auto' | 'always' | 'never';

export interface DetectionSettings {
  readonly inlineCompletions: boolean;
  readonly chatEdits: boolean;
  readonly agentDiffTabs: boolean;
  readonly hiddenEditorEdits: boolean;
  readonly savesWithoutParticipants: boolean;
  readonly externalWrites: boolean;
  readonly minimumHeuristicChars: number;
  /** `vouch.detection.aiExtensions`: more AI extensions by id (lower case) with the tool name to record. */
  readonly aiExtensions: ReadonlyMap<string, string>;
}

/** Every `vouch.*` setting, typed and checked. */
export interface VouchSettingValues {
  readonly detection: DetectionSettings;
  readonly gutterMode: GutterMode;
  /** `vouch.gutter.showAccepted`: false hides the marks of accepted AI lines. */
  readonly gutterShowAccepted: boolean;
  /** `vouch.currentLine.annotation`: the GitLens-like note at the end of the cursor's AI line. */
  readonly currentLineAnnotation: boolean;
  /** `vouch.codeLens.enabled`: "N AI blocks unreviewed · Review" at the top of a file. */
  readonly codeLens: boolean;
  readonly gate: GateMode;
  readonly notes: { readonly configureRewriteRef: AskMode; readonly syncAfterPushPull: AskMode; readonly reconcileAfterPull: boolean };
  readonly statusBarVisibility: StatusBarVisibility;
  readonly blameMaxFileBytes: number;
}

function readSettings(config: vscode.WorkspaceConfiguration): VouchSettingValues {
  /** The setting's value when it is one of `allowed`, else `fallback` (its default). */
  const choice = <T extends string>(key: string, allowed: readonly T[], fallback: T): T => {
    const value = config.get<unknown>(key, fallback);
    return allowed.find((option) => option === value) ?? fallback;
  };
  const askMode = (key: string): AskMode => choice<AskMode>(key, ['ask', 'always', 'never'], 'ask');
  const blameMax = config.get<number>('blame.maxFileBytes', DEFAULT_BLAME_MAX_BYTES);
  const minimumChars = config.get<number>('detection.minimumHeuristicChars', 40);
  const aiExtensions = new Map<string, string>();
  const extra = config.get<unknown>('detection.aiExtensions');
  if (extra && typeof extra === 'object' && !Array.isArray(extra)) {
    for (const [id, tool] of Object.entries(extra as Record<string, unknown>)) {
      if (typeof tool === 'string' && tool.trim()) aiExtensions.set(id.toLowerCase(), tool.trim());
    }
  }
  return {
    detection: {
      inlineCompletions: config.get<boolean>('detection.inlineCompletions', true),
      chatEdits: config.get<boolean>('detection.chatEdits', true),
      agentDiffTabs: config.get<boolean>('detection.agentDiffTabs', true),
      hiddenEditorEdits: config.get<boolean>('detection.hiddenEditorEdits', true),
      savesWithoutParticipants: config.get<boolean>('detection.savesWithoutParticipants', true),
      externalWrites: config.get<boolean>('detection.externalWrites', true),
      minimumHeuristicChars: Number.isFinite(minimumChars) ? Math.max(1, minimumChars) : 40,
      aiExtensions,
    },
    gutterMode: choice<GutterMode>('gutter.mode', ['off', 'uncommitted', 'all'], 'all'),
    gutterShowAccepted: config.get<boolean>('gutter.showAccepted', true) !== false,
    currentLineAnnotation: config.get<boolean>('currentLine.annotation', true) !== false,
    codeLens: config.get<boolean>('codeLens.enabled', true) !== false,
    gate: choice<GateMode>('gate', ['off', 'warn', 'block'], 'warn'),
    notes: {
      configureRewriteRef: askMode('notes.configureRewriteRef'),
      syncAfterPushPull: askMode('notes.syncAfterPushPull'),
      reconcileAfterPull: config.get<boolean>('notes.reconcileAfterPull', false),
    },
    statusBarVisibility: choice<StatusBarVisibility>('statusBar.visibility', ['auto', 'always', 'never'], 'auto'),
    blameMaxFileBytes: Number.isFinite(blameMax) && blameMax >= 0 ? blameMax : DEFAULT_BLAME_MAX_BYTES,
  };
}

/**
 * Typed view of the `vouch.*` settings, read once and again when they change (never per
 * keystroke). Read values through it, never by string elsewhere.
 */
export class VouchSettings implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  /** Fires after the values changed (they are already the new ones). */
  readonly onDidChange = this.emitter.event;
  private values = readSettings(vscode.workspace.getConfiguration('vouch'));
  private readonly listener = vscode.workspace.onDidChangeConfiguration((event) => {
    if (!event.affectsConfiguration('vouch')) return;
    this.values = readSettings(vscode.workspace.getConfiguration('vouch'));
    this.emitter.fire();
  });

  get detection(): DetectionSettings {
    return this.values.detection;
  }

  get gutterMode(): GutterMode {
    return this.values.gutterMode;
  }

  get gutterShowAccepted(): boolean {
    return this.values.gutterShowAccepted;
  }

  get currentLineAnnotation(): boolean {
    return this.values.currentLineAnnotation;
  }

  get codeLens(): boolean {
    return this.values.codeLens;
  }

  get gate(): GateMode {
    return this.values.gate;
  }

  get notes(): VouchSettingValues['notes'] {
    return this.values.notes;
  }

  get statusBarVisibility(): StatusBarVisibility {
    return this.values.statusBarVisibility;
  }

  get blameMaxFileBytes(): number {
    return this.values.blameMaxFileBytes;
  }

  /** `vouch.signing.key` from user settings only: a workspace (repository content) never chooses the key. Read when a repository's notes are first written. */
  get signingKey(): string | undefined {
    const value = vscode.workspace.getConfiguration('vouch').inspect<string>('signing.key')?.globalValue?.trim();
    return value ? value : undefined;
  }

  /** Remembers an "Always"/"Never" answer to a notes prompt for every workspace. */
  async setNotesMode(key: 'configureRewriteRef' | 'syncAfterPushPull', mode: AskMode): Promise<void> {
    await vscode.workspace.getConfiguration('vouch').update(`notes.${key}`, mode, vscode.ConfigurationTarget.Global);
  }

  /** Sets `vouch.gutter.mode` where it is defined (workspace folder, workspace) or else for the user. */
  async setGutterMode(mode: GutterMode): Promise<void> {
    const config = vscode.workspace.getConfiguration('vouch', vscode.window.activeTextEditor?.document.uri);
    const inspected = config.inspect<string>('gutter.mode');
    const target =
      inspected?.workspaceFolderValue !== undefined
        ? vscode.ConfigurationTarget.WorkspaceFolder
        : inspected?.workspaceValue !== undefined
          ? vscode.ConfigurationTarget.Workspace
          : vscode.ConfigurationTarget.Global;
    await config.update('gutter.mode', mode, target);
    // The values follow at once, also when the change event comes later than the update's answer.
    this.values = readSettings(vscode.workspace.getConfiguration('vouch'));
  }

  dispose(): void {
    this.listener.dispose();
    this.emitter.dispose();
  }
}

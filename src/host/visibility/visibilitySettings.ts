import * as vscode from 'vscode';
import { DEFAULT_BLAME_MAX_BYTES } from '../../git/blame/blameOverlay';
import type { GutterMode, VouchSettings } from '../settings';

export type StatusBarVisibility = 'auto' | 'always' | 'never';

/** Typed view of the settings this feature adds (`vouch.statusBar.visibility`, `vouch.blame.maxFileBytes`) next to VouchSettings. */
export class VisibilitySettings {
  readonly onDidChange: vscode.Event<void>;

  constructor(private readonly settings: VouchSettings) {
    this.onDidChange = settings.onDidChange;
  }

  get gutterMode(): GutterMode {
    return this.settings.gutterMode;
  }

  get statusBarVisibility(): StatusBarVisibility {
    const value = vscode.workspace.getConfiguration('vouch').get<string>('statusBar.visibility', 'auto');
    return value === 'always' || value === 'never' ? value : 'auto';
  }

  get blameMaxFileBytes(): number {
    const value = vscode.workspace.getConfiguration('vouch').get<number>('blame.maxFileBytes', DEFAULT_BLAME_MAX_BYTES);
    return Number.isFinite(value) && value >= 0 ? value : DEFAULT_BLAME_MAX_BYTES;
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
  }
}

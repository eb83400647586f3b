import * as vscode from 'vscode';
import { DisposableStore } from '../lifecycle';

/** A file written on disk: changed in place, or created (tools often write a temporary file and rename it over). */
export interface WorkingTreeWrite {
  readonly uri: vscode.Uri;
  readonly created: boolean;
}

/**
 * The one watcher of the workspace's files (`**` + `/*`: VS Code's workspace watcher, for every
 * workspace folder, honouring files.watcherExclude). Its writes go to every detector that follows
 * disk changes (HeuristicDetector's reload evidence, ExternalWriteWatcher) instead of each
 * detector starting a watcher of its own. Deletions are not reported: no detector needs them.
 */
export class WorkingTreeWatcher implements vscode.Disposable {
  private readonly disposables = new DisposableStore();
  private readonly emitter = this.disposables.add(new vscode.EventEmitter<WorkingTreeWrite>());
  readonly onDidWrite = this.emitter.event;

  constructor() {
    const watcher = this.disposables.add(vscode.workspace.createFileSystemWatcher('**/*', false, false, true));
    this.disposables.push(
      watcher.onDidCreate((uri) => this.emitter.fire({ uri, created: true })),
      watcher.onDidChange((uri) => this.emitter.fire({ uri, created: false })),
    );
  }

  dispose(): void {
    this.disposables.dispose();
  }
}

/**
 * The command line for people who installed the extension from the Marketplace: on each start
 * the extension (re)writes a stable `vouch` launcher that runs this extension's bundled CLI with
 * VS Code's own runtime, offers once to put it on PATH, and offers once to set up Vouch's agent
 * hook for Copilot (VS Code agent mode and the Copilot CLI), so agent edits are reported exactly.
 */
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { findOnPath, launcherPath, launcherScript, pathLinkLocation, writeLauncher } from '../git/vouchLauncher';
import { errorMessage } from '../core/errorMessage';

const PATH_OFFER_KEY = 'vouch.cliLauncher.pathOffered';
const COPILOT_OFFER_KEY = 'vouch.agentHooks.copilotOffered';
const COPILOT_CHAT_EXTENSION = 'github.copilot-chat';

export function registerCliLauncher(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): vscode.Disposable {
  // A development or test instance must not repoint the person's launcher at a checkout.
  if (context.extensionMode !== vscode.ExtensionMode.Production) return new vscode.Disposable(() => undefined);
  let disposed = false;
  // After activation: nothing here may slow the editor's start.
  const timer = setTimeout(() => {
    void setUp().catch((error: unknown) => log.warn(`vouch launcher: ${errorMessage(error)}`));
  }, 2_000);

  async function setUp(): Promise<void> {
    const cli = path.join(context.extensionPath, 'dist', 'cli.js');
    const launcher = launcherPath();
    const text = launcherScript({ runtime: process.execPath, cli, electron: process.versions.electron !== undefined, platform: process.platform });
    if (await writeLauncher(launcher, text)) log.info(`vouch launcher written: ${launcher} -> ${cli}`);
    if (disposed) return;
    await offerPath(launcher);
    if (disposed) return;
    await offerCopilotHook(cli);
  }

  async function offerPath(launcher: string): Promise<void> {
    if (context.globalState.get(PATH_OFFER_KEY) !== undefined) return;
    if (await findOnPath('vouch', process.env.PATH ?? '')) return; // a vouch (this launcher or an npm install) is on PATH already
    const link = pathLinkLocation();
    const actions = link ? ['Add to PATH', 'Not Now', 'Never'] : ['Copy Path', 'Not Now', 'Never'];
    const choice = await vscode.window.showInformationMessage(
      `Vouch's command line (git hooks, agent hooks, 'vouch status') is at ${launcher}. ${link ? `Link it as ${link} so terminals find 'vouch'?` : "Add its folder to your PATH to run 'vouch' in a terminal; git hooks find it there anyway."}`,
      ...actions,
    );
    if (choice === 'Not Now' || choice === undefined) return;
    await context.globalState.update(PATH_OFFER_KEY, choice);
    if (choice === 'Add to PATH' && link) {
      try {
        await fs.symlink(launcher, link);
        void vscode.window.showInformationMessage(`'vouch' now runs ${launcher} (linked from ${link}).`);
      } catch (error) {
        void vscode.window.showWarningMessage(`Could not create ${link}: ${errorMessage(error)}`);
      }
    } else if (choice === 'Copy Path') {
      await vscode.env.clipboard.writeText(path.dirname(launcher));
    }
  }

  async function offerCopilotHook(cli: string): Promise<void> {
    if (context.globalState.get(COPILOT_OFFER_KEY) !== undefined) return;
    if (!vscode.extensions.getExtension(COPILOT_CHAT_EXTENSION)) return;
    const userHooks = path.join(process.env.COPILOT_HOME && path.isAbsolute(process.env.COPILOT_HOME) ? process.env.COPILOT_HOME : path.join(os.homedir(), '.copilot'), 'hooks', 'vouch.json');
    try {
      await fs.access(userHooks);
      return; // set up already
    } catch {
      // not set up yet
    }
    const choice = await vscode.window.showInformationMessage(
      'Let Copilot agent mode (and the Copilot CLI) report the exact lines it writes to Vouch? This adds a PostToolUse agent hook in ~/.copilot/hooks/vouch.json (remove it with "vouch install-agent-hooks copilot --user --uninstall").',
      'Set Up',
      'Not Now',
      'Never',
    );
    if (choice === 'Not Now' || choice === undefined) return;
    await context.globalState.update(COPILOT_OFFER_KEY, choice);
    if (choice !== 'Set Up') return;
    // This extension's own CLI on VS Code's runtime (no shell, so also on Windows where the launcher is a .cmd).
    const env = { ...process.env, ...(process.versions.electron !== undefined ? { ELECTRON_RUN_AS_NODE: '1' } : {}) };
    execFile(process.execPath, [cli, 'install-agent-hooks', 'copilot', '--user'], { timeout: 30_000, env }, (error, stdout, stderr) => {
      if (error) {
        log.warn(`vouch install-agent-hooks copilot --user failed: ${stderr || error.message}`);
        void vscode.window.showWarningMessage(`Vouch could not set up the Copilot hook: ${(stderr || error.message).slice(0, 500)}`);
        return;
      }
      log.info(stdout.trim());
      void vscode.window.showInformationMessage('Copilot agent edits now reach Vouch with their exact lines, model and session.');
    });
  }

  return new vscode.Disposable(() => {
    disposed = true;
    clearTimeout(timer);
  });
}

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
import { Debouncer } from './lifecycle';

const PATH_OFFER_KEY = 'vouch.cliLauncher.pathOffered';
const COPILOT_OFFER_KEY = 'vouch.agentHooks.copilotOffered';
const COPILOT_CHAT_EXTENSION = 'github.copilot-chat';

export function registerCliLauncher(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): vscode.Disposable {
  // A development or test instance must not repoint the person's launcher at a checkout.
  if (context.extensionMode !== vscode.ExtensionMode.Production) return new vscode.Disposable(() => undefined);
  let disposed = false;
  // After activation: nothing here may slow the editor's start.
  const setUpSoon = new Debouncer(2_000, () => void setUp().catch((error: unknown) => log.warn(`vouch launcher: ${errorMessage(error)}`)));
  setUpSoon.trigger();

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
    const addToPath = vscode.l10n.t('Add to PATH');
    const copyPath = vscode.l10n.t('Copy Path');
    const notNow = vscode.l10n.t('Not Now');
    const never = vscode.l10n.t('Never');
    const choice = link
      ? await vscode.window.showInformationMessage(
          vscode.l10n.t("Vouch's command line (git hooks, agent hooks, 'vouch status') is at {0}. Link it as {1} so terminals find 'vouch'?", launcher, link),
          addToPath,
          notNow,
          never,
        )
      : await vscode.window.showInformationMessage(
          vscode.l10n.t("Vouch's command line (git hooks, agent hooks, 'vouch status') is at {0}. Add its folder to your PATH to run 'vouch' in a terminal; git hooks find it there anyway.", launcher),
          copyPath,
          notNow,
          never,
        );
    if (choice === notNow || choice === undefined) return;
    await context.globalState.update(PATH_OFFER_KEY, choice);
    if (choice === addToPath && link) {
      try {
        await fs.symlink(launcher, link);
        void vscode.window.showInformationMessage(vscode.l10n.t("'vouch' now runs {0} (linked from {1}).", launcher, link));
      } catch (error) {
        void vscode.window.showWarningMessage(vscode.l10n.t('Could not create {0}: {1}', link, errorMessage(error)));
      }
    } else if (choice === copyPath) {
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
    const setUp = vscode.l10n.t('Set Up');
    const notNow = vscode.l10n.t('Not Now');
    const choice = await vscode.window.showInformationMessage(
      vscode.l10n.t(
        'Let Copilot agent mode (and the Copilot CLI) report the exact lines it writes to Vouch? This adds a PostToolUse agent hook in ~/.copilot/hooks/vouch.json (remove it with "vouch install-agent-hooks copilot --user --uninstall").',
      ),
      setUp,
      notNow,
      vscode.l10n.t('Never'),
    );
    if (choice === notNow || choice === undefined) return;
    await context.globalState.update(COPILOT_OFFER_KEY, choice);
    if (choice !== setUp) return;
    // This extension's own CLI on VS Code's runtime (no shell, so also on Windows where the launcher is a .cmd).
    const env = { ...process.env, ...(process.versions.electron !== undefined ? { ELECTRON_RUN_AS_NODE: '1' } : {}) };
    execFile(process.execPath, [cli, 'install-agent-hooks', 'copilot', '--user'], { timeout: 30_000, env }, (error, stdout, stderr) => {
      if (error) {
        log.warn(`vouch install-agent-hooks copilot --user failed: ${stderr || error.message}`);
        void vscode.window.showWarningMessage(vscode.l10n.t('Vouch could not set up the Copilot hook: {0}', (stderr || error.message).slice(0, 500)));
        return;
      }
      log.info(stdout.trim());
      void vscode.window.showInformationMessage(vscode.l10n.t('Copilot agent edits now reach Vouch with their exact lines, model and session.'));
    });
  }

  return new vscode.Disposable(() => {
    disposed = true;
    setUpSoon.dispose();
  });
}

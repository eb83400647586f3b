import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { ReviewBlock } from '../../core/review/reviewModel';
import { riskHintMessage } from '../../core/review/riskHints';
import { renderReviewPanelHtml } from '../../shared/reviewPanelHtml';
import { translatePageMessages } from '../../shared/reviewPageText';
import {
  PROTOCOL_LIMITS,
  parseMessageFromHost,
  parseMessageFromPage,
  type HostToPageMessage,
  type PageToHostMessage,
  type PanelBlock,
  type PanelFile,
  type PanelReviewer,
  type PanelSigning,
} from '../../shared/reviewProtocol';
import type { GitRunner } from '../../git/gitRunner';
import { signingKeyFingerprint } from '../../git/signing/recordSigning';
import { resolveSigningKey } from '../../git/signing/signingKey';
import { readGitReviewer } from '../../git/staging/gitReviewer';
import { displayPath, type ReviewTarget, type ReviewWorkspace } from './reviewWorkspace';
import { DisposableStore, Sequencer } from '../lifecycle';
import { errorMessage } from '../../core/errorMessage';

export const REVIEW_PANEL_VIEW_TYPE = 'vouch.reviewPanel';
const panelTitle = (): string => vscode.l10n.t('Vouch: Review AI Changes');

/** Which block to bring into view: a file, and optionally spans of one of its blocks. */
export interface ReviewFocus {
  readonly uri: vscode.Uri;
  readonly spanIds?: readonly string[];
}

function clipLines(lines: readonly string[], maxLines: number): string[] {
  return lines.slice(0, maxLines).map((line) => line.slice(0, PROTOCOL_LIMITS.maxContextLineLength));
}

function toPanelBlock(block: ReviewBlock, replacedLines: readonly string[] | undefined): PanelBlock {
  return {
    id: block.id,
    path: block.path,
    startLine: block.startLine,
    endLine: block.endLine,
    lines: block.lines,
    textHash: block.textHash,
    origins: block.origins.slice(0, PROTOCOL_LIMITS.maxOriginsPerBlock).map((origin) => ({
      kind: origin.kind,
      tool: origin.tool.slice(0, PROTOCOL_LIMITS.maxShortTextLength),
      ...(origin.model === undefined ? {} : { model: origin.model.slice(0, PROTOCOL_LIMITS.maxShortTextLength) }),
    })),
    firstInsertedAt: block.firstInsertedAt,
    lastInsertedAt: block.lastInsertedAt,
    humanChangedShare: block.humanChangedShare,
    riskHints: block.riskHints
      .slice(0, PROTOCOL_LIMITS.maxHintsPerBlock)
      .map((hint) => ({ category: hint.category, message: riskHintMessage(hint, vscode.l10n.t).slice(0, PROTOCOL_LIMITS.maxShortTextLength), line: hint.line })),
    suggestedScope: block.suggestedScope,
    previouslyRejected: block.previouslyRejected,
    ...(block.state === 'changed-after-review' ? { changedAfterReview: true } : {}),
    ...(block.personTextOnLines ? { personTextOnLines: true } : {}),
    contextBefore: clipLines(block.contextBefore.slice(-PROTOCOL_LIMITS.maxContextLines), PROTOCOL_LIMITS.maxContextLines),
    contextAfter: clipLines(block.contextAfter, PROTOCOL_LIMITS.maxContextLines),
    ...(replacedLines && replacedLines.length > 0 ? { replacedLines: clipLines(replacedLines, PROTOCOL_LIMITS.maxReplacedLines) } : {}),
  };
}

/**
 * The review panel (one at a time): a locked-down webview (nonce CSP, local resources from dist/
 * and media/ only) whose page renders the blocks and sends decisions back. Every message from the
 * page is validated; a malformed one is logged and ignored. It follows the workspace live and is
 * restored after a reload by the serializer (the page keeps its drafts in webview state).
 */
export class ReviewPanelManager implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private panelDisposables = new DisposableStore();
  private readonly disposables = new DisposableStore();
  private ready = false;
  private pendingFocus: ReviewFocus | undefined;
  /** Where each shown block lives, to route decisions from the page. */
  private blockUris = new Map<string, vscode.Uri>();
  private targets: ReviewTarget[] = [];
  /** Sends of the current blocks, one at a time so states arrive in order. */
  private readonly posting = new Sequencer((error) => this.log.error(`Review panel: could not collect the AI blocks: ${errorMessage(error)}`));
  /** Which key will sign: worked out when the panel opens and when the settings change, not at every state. */
  private signing: Promise<PanelSigning | undefined> | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly workspace: ReviewWorkspace,
    private readonly git: GitRunner | undefined,
    private readonly log: vscode.LogOutputChannel,
    private readonly signingKeySetting: () => string | undefined = () => undefined,
    onDidChangeSettings?: vscode.Event<void>,
  ) {
    if (onDidChangeSettings) {
      this.disposables.push(
        onDidChangeSettings(() => {
          this.signing = undefined;
          if (this.panel && this.ready) void this.postState();
        }),
      );
    }
    this.disposables.push(
      vscode.window.registerWebviewPanelSerializer(REVIEW_PANEL_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel) => this.attach(panel),
      }),
      workspace.onDidChange(() => {
        if (this.panel && this.ready) void this.postState();
      }),
    );
  }

  get isOpen(): boolean {
    return this.panel !== undefined;
  }

  /** Opens (or reveals) the panel, and brings a file's block into view when asked. */
  open(focus?: ReviewFocus): void {
    if (this.panel) {
      this.panel.reveal(undefined, false);
    } else {
      const column = vscode.window.activeTextEditor ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active;
      this.attach(vscode.window.createWebviewPanel(REVIEW_PANEL_VIEW_TYPE, panelTitle(), { viewColumn: column, preserveFocus: false }, this.webviewOptions()));
    }
    this.pendingFocus = focus;
    if (this.ready) void this.postState();
  }

  private webviewOptions(): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return {
      enableScripts: true,
      enableFindWidget: true,
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist'), vscode.Uri.joinPath(this.extensionUri, 'media')],
    };
  }

  private attach(panel: vscode.WebviewPanel): void {
    this.disposePanelListeners();
    this.panel = panel;
    this.ready = false;
    this.signing = undefined;
    this.panelDisposables.push(
      panel.onDidDispose(() => {
        if (this.panel === panel) {
          this.panel = undefined;
          this.ready = false;
          this.disposePanelListeners();
        }
      }),
      panel.webview.onDidReceiveMessage((message: unknown) => this.receive(message)),
    );
    panel.title = panelTitle();
    const strings = translatePageMessages(vscode.l10n.t);
    panel.webview.options = this.webviewOptions();
    try {
      panel.webview.html = renderReviewPanelHtml({
        cspSource: panel.webview.cspSource,
        nonce: randomBytes(18).toString('base64'),
        scriptUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview.js')).toString(),
        styleUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'media', 'review.css')).toString(),
        text: { title: panelTitle(), label: strings['Review AI changes'], loading: strings['Loading AI blocks to review…'] },
        language: vscode.env.language,
      });
    } catch (error) {
      panel.dispose();
      throw error;
    }
  }

  private receive(raw: unknown): void {
    const parsed = parseMessageFromPage(raw);
    if (!parsed.ok) {
      this.log.warn(`Review panel: ignored a malformed message from the page: ${parsed.reason}`);
      return;
    }
    const message: PageToHostMessage = parsed.value;
    switch (message.type) {
      case 'ready':
        this.ready = true;
        this.postStrings();
        void this.postState();
        return;
      case 'refresh':
        void this.postState({ reread: true });
        return;
      case 'pageError':
        this.log.warn(`Review panel page: ${message.reason}`);
        return;
      case 'openInEditor':
        void this.openInEditor(message.blockId);
        return;
      case 'decide':
        void this.decide(message);
        return;
      case 'undoAccept':
        void this.undoAccept(message.undoId);
        return;
    }
  }

  private async decide(message: Extract<PageToHostMessage, { type: 'decide' }>): Promise<void> {
    const blockIds = message.blocks.map((block) => block.blockId);
    const selection = [];
    for (const block of message.blocks) {
      const uri = this.blockUris.get(block.blockId);
      if (!uri) {
        this.post({ type: 'notice', level: 'error', message: vscode.l10n.t('A chosen block is no longer waiting for review (it was reviewed or changed elsewhere). Read it again.'), blockIds });
        await this.postState();
        return;
      }
      selection.push({ ...block, uri });
    }
    this.post({ type: 'busy', busy: true, message: message.decision === 'accept' ? vscode.l10n.t('Recording the review…') : vscode.l10n.t('Rejecting and removing the AI code…') });
    try {
      const result = await this.workspace.decide(selection, {
        decision: message.decision === 'accept' ? 'accepted' : 'rejected',
        intent: message.intent,
        scope: message.scope,
        scopeNote: message.scopeNote,
        ...(message.wholeLines === true ? { wholeLines: true } : {}),
      });
      this.post({ type: 'busy', busy: false });
      if (result.ok) this.post({ type: 'notice', level: 'info', message: result.message.slice(0, PROTOCOL_LIMITS.maxMessageLength), ...(result.undoId ? { undoId: result.undoId } : {}) });
      else this.post({ type: 'notice', level: 'error', message: result.reason.slice(0, PROTOCOL_LIMITS.maxMessageLength), blockIds });
    } catch (error) {
      const reason = errorMessage(error);
      this.log.error(`Review panel: the decision failed: ${reason}`);
      this.post({ type: 'busy', busy: false });
      this.post({ type: 'notice', level: 'error', message: vscode.l10n.t('The decision could not be recorded: {0}', reason).slice(0, PROTOCOL_LIMITS.maxMessageLength), blockIds });
    }
    await this.postState();
  }

  /** Takes back the last accept (the page's "Undo" after an accept, or the Undo Last Accept command). */
  async undoAccept(undoId: string | undefined = this.workspace.lastAcceptId): Promise<void> {
    const result = undoId === undefined ? { ok: false as const, reason: vscode.l10n.t('There is no accept to undo.') } : await this.workspace.undoAccept(undoId);
    if (result.ok) this.post({ type: 'notice', level: 'info', message: result.message.slice(0, PROTOCOL_LIMITS.maxMessageLength) });
    else this.post({ type: 'notice', level: 'warning', message: result.reason.slice(0, PROTOCOL_LIMITS.maxMessageLength) });
    await this.postState();
  }

  private async openInEditor(blockId: string): Promise<void> {
    const uri = this.blockUris.get(blockId);
    const block = this.targets.flatMap((target) => target.blocks).find((candidate) => candidate.id === blockId);
    if (!uri || !block) return;
    const document = await this.workspace.openDocument(uri);
    const range = new vscode.Range(block.startLine - 1, 0, block.endLine - 1, document.lineAt(Math.min(block.endLine, document.lineCount) - 1).text.length);
    await vscode.window.showTextDocument(document, { selection: range, viewColumn: vscode.ViewColumn.One, preview: false });
  }

  /** The page's texts in the editor's language; sent before the first state, so the page never shows a mix. */
  private postStrings(): void {
    const message: HostToPageMessage = { type: 'strings', strings: translatePageMessages(vscode.l10n.t) };
    const valid = parseMessageFromHost(message);
    // A bad translation (a placeholder its English lacks) is logged; the page then stays in English.
    if (valid.ok) this.post(message);
    else this.log.error(`Review panel: the page's translated texts are not valid: ${valid.reason}`);
  }

  /** Sends the current blocks (`reread`: the files with stored AI spans read from disk again). */
  private postState(options: { readonly reread?: boolean } = {}): Promise<void> {
    return this.posting.queue(() => this.sendState(options)).then(() => undefined);
  }

  private async sendState(options: { readonly reread?: boolean }): Promise<void> {
    if (!this.panel) return;
    // The same collect as the status bar's and the AI Review view's (ReviewWorkspace.onDidCollect).
    const targets = await this.workspace.collect(options);
    this.targets = targets;
    this.blockUris = new Map(targets.flatMap((target) => target.blocks.map((block) => [block.id, target.uri] as const)));
    let budget = PROTOCOL_LIMITS.maxBlocks;
    const files: PanelFile[] = [];
    const replaced = await this.workspace.replacedLines(targets);
    for (const target of targets.slice(0, PROTOCOL_LIMITS.maxFiles)) {
      if (budget <= 0) break;
      const blocks = target.blocks.slice(0, budget).map((block) => toPanelBlock(block, replaced.get(block.id)));
      budget -= blocks.length;
      files.push({ path: target.path, blocks });
    }
    const cwd = this.gitDirectory(targets);
    const [reviewer, signing] = await Promise.all([this.reviewer(cwd), cwd ? (this.signing ??= this.describeSigning(cwd)) : undefined]);
    const undo = this.workspace.undoableAccept;
    const undoableAccept = undo ? { undoId: undo.undoId, message: undo.message.slice(0, PROTOCOL_LIMITS.maxMessageLength) } : undefined;
    const message: HostToPageMessage = { type: 'state', files, reviewer, ...(signing ? { signing } : {}), ...(undoableAccept ? { undoableAccept } : {}) };
    // What the page will check anyway, checked here so a host bug is logged rather than shown as a page error.
    const valid = parseMessageFromHost(message);
    if (!valid.ok) {
      this.log.error(`Review panel: refusing to send an invalid state: ${valid.reason}`);
      this.post({ type: 'notice', level: 'error', message: vscode.l10n.t('Vouch could not show the AI blocks (see the Vouch log).') });
      return;
    }
    this.post(message);
    const focus = this.pendingFocus;
    this.pendingFocus = undefined;
    const blockId = focus ? this.blockFor(focus) : undefined;
    if (blockId) this.post({ type: 'focus', blockId });
  }

  private blockFor(focus: ReviewFocus): string | undefined {
    const target = this.targets.find((candidate) => candidate.uri.toString() === focus.uri.toString()) ?? this.targets.find((candidate) => candidate.path === displayPath(focus.uri));
    if (!target) return undefined;
    const wanted = new Set(focus.spanIds ?? []);
    return (target.blocks.find((block) => block.spanIds.some((id) => wanted.has(id))) ?? target.blocks[0])?.id;
  }

  /** Where to run git for the panel's reviewer and key: the first file's folder, else the workspace's. */
  private gitDirectory(targets: readonly ReviewTarget[]): string | undefined {
    if (!this.git) return undefined;
    const folder = targets[0]?.uri ?? vscode.workspace.workspaceFolders?.[0]?.uri;
    if (!folder || folder.scheme !== 'file') return undefined;
    return targets[0] ? vscode.Uri.joinPath(folder, '..').fsPath : folder.fsPath;
  }

  /** The same key choice as the notes' signing (setting, VOUCH_SIGNING_KEY, global git config), said in words. */
  private async describeSigning(cwd: string): Promise<PanelSigning | undefined> {
    if (!this.git) return undefined;
    try {
      const choice = await resolveSigningKey(this.git, cwd, this.log, { settingKey: this.signingKeySetting() });
      if (!choice) return { signed: false, reason: vscode.l10n.t("no key set — set `vouch.signing.key` or git's user.signingkey (global).") };
      const fingerprint = signingKeyFingerprint(choice);
      const ssh = choice.format === 'ssh';
      const key = fingerprint
        ? ssh
          ? vscode.l10n.t('SSH key {0}', fingerprint)
          : vscode.l10n.t('OpenPGP key {0}', fingerprint)
        : ssh
          ? vscode.l10n.t('the SSH key from {0}', choice.source)
          : vscode.l10n.t('the OpenPGP key from {0}', choice.source);
      return { signed: true, key: key.slice(0, PROTOCOL_LIMITS.maxShortTextLength) };
    } catch (error) {
      const reason = errorMessage(error);
      return { signed: false, reason: reason.slice(0, PROTOCOL_LIMITS.maxMessageLength) || vscode.l10n.t('the signing key could not be read.') };
    }
  }

  private async reviewer(cwd: string | undefined): Promise<PanelReviewer | null> {
    if (!this.git || !cwd) return null;
    const reviewer = await readGitReviewer(this.git, cwd).catch(() => undefined);
    return reviewer ? { name: reviewer.name.slice(0, PROTOCOL_LIMITS.maxShortTextLength), email: reviewer.email.slice(0, PROTOCOL_LIMITS.maxShortTextLength) } : null;
  }

  private post(message: HostToPageMessage): void {
    void this.panel?.webview.postMessage(message);
  }

  private disposePanelListeners(): void {
    this.panelDisposables.dispose();
    this.panelDisposables = new DisposableStore();
  }

  dispose(): void {
    this.disposePanelListeners();
    this.panel?.dispose();
    this.disposables.dispose();
  }
}

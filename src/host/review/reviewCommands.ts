import * as vscode from 'vscode';
import { SCOPE_TAGS, type ReviewDecision, type ScopeTag } from '../../core/attribution';
import { nextBlockStartLine, type ReviewBlock } from '../../core/review/reviewModel';
import type { GitRunner } from '../../git/gitRunner';
import type { AttributionService } from '../attributionService';
import type { GitExtension } from '../gitExtension';
import type { RepositoryRegistry } from '../repositoryRegistry';
import type { VouchSettings } from '../settings';
import { ReviewPanelManager, type ReviewFocus } from './reviewPanel';
import { ReviewTreeProvider } from './reviewTree';
import { displayPath, type ReviewWorkspace, type DecisionResult } from './reviewWorkspace';
import { StagingGate } from './stagingGate';
import { lineRangeLabel } from '../../core/text/lines';

/** Arguments of vouch.acceptBlock / vouch.rejectBlock; intent and scope skip the prompts (other extensions, tests). */
export interface BlockDecisionArgs {
  readonly uri: string;
  readonly spanIds: readonly string[];
  readonly intent?: string;
  readonly scope?: readonly string[];
  readonly scopeNote?: string;
  /** With vouch.rejectBlock: remove the block's whole lines (true) or only its AI text (false); asked when absent and it matters. */
  readonly wholeLines?: boolean;
}

/** What each scope tag means, as the quick pick describes it. */
function scopeDescriptions(): Record<ScopeTag, string> {
  return {
    files: vscode.l10n.t('reads or writes files'),
    network: vscode.l10n.t('talks over the network'),
    secrets: vscode.l10n.t('handles keys, tokens or credentials'),
    processes: vscode.l10n.t('starts processes or evaluates code'),
    data: vscode.l10n.t('reads or changes stored data (databases, user data)'),
    none: vscode.l10n.t('touches nothing outside its own computation'),
  };
}

function parseUri(value: unknown): vscode.Uri | undefined {
  if (value instanceof vscode.Uri) return value;
  if (typeof value !== 'string' || value.length === 0 || value.length > 8192) return undefined;
  try {
    return vscode.Uri.parse(value, true);
  } catch {
    return undefined;
  }
}

/** vouch.openReviewPanel's optional argument: { uri?: string, spanIds?: string[] }. */
function parseFocus(args: unknown): ReviewFocus | undefined {
  if (typeof args !== 'object' || args === null) return undefined;
  const record = args as Record<string, unknown>;
  const uri = parseUri(record.uri);
  if (!uri) return undefined;
  const spanIds = Array.isArray(record.spanIds) ? record.spanIds.filter((id): id is string => typeof id === 'string').slice(0, 1000) : [];
  return { uri, spanIds };
}

function parseDecisionArgs(args: unknown): BlockDecisionArgs | string {
  if (typeof args !== 'object' || args === null) return 'expected { uri: string, spanIds: string[] }';
  const record = args as Record<string, unknown>;
  if (typeof record.uri !== 'string' || !parseUri(record.uri)) return 'uri must be a document URI string';
  if (!Array.isArray(record.spanIds) || record.spanIds.length === 0 || !record.spanIds.every((id) => typeof id === 'string')) return 'spanIds must be a non-empty list of span ids';
  if (record.intent !== undefined && typeof record.intent !== 'string') return 'intent must be text';
  if (record.scopeNote !== undefined && typeof record.scopeNote !== 'string') return 'scopeNote must be text';
  if (record.scope !== undefined && (!Array.isArray(record.scope) || !record.scope.every((tag) => typeof tag === 'string'))) return 'scope must be a list of scope tags';
  if (record.wholeLines !== undefined && typeof record.wholeLines !== 'boolean') return 'wholeLines must be true or false';
  return {
    uri: record.uri,
    spanIds: record.spanIds as string[],
    ...(record.intent === undefined ? {} : { intent: record.intent as string }),
    ...(record.scope === undefined ? {} : { scope: record.scope as string[] }),
    ...(record.scopeNote === undefined ? {} : { scopeNote: record.scopeNote as string }),
    ...(record.wholeLines === undefined ? {} : { wholeLines: record.wholeLines as boolean }),
  };
}

/** The file a "Review and Stage" was run on: an SCM resource, an explorer URI, or the active editor. */
function uriOfStageArgument(args: unknown): vscode.Uri | undefined {
  if (args instanceof vscode.Uri) return args;
  if (typeof args === 'object' && args !== null) {
    const record = args as Record<string, unknown>;
    if (record.resourceUri instanceof vscode.Uri) return record.resourceUri;
    const uri = parseUri(record.uri);
    if (uri) return uri;
  }
  return vscode.window.activeTextEditor?.document.uri;
}

function describe(blocks: readonly ReviewBlock[]): string {
  return blocks.map((block) => lineRangeLabel(block, vscode.l10n.t)).join(', ');
}

/**
 * The review features: the panel, the "AI Review" tree, the staging gate (when git runs) and
 * their commands. One disposable for the composition root.
 */
export function registerReviewFeatures(
  context: vscode.ExtensionContext,
  service: AttributionService,
  /** The blocks waiting for review; the status bar shows the same (the composition root shares it). */
  workspace: ReviewWorkspace,
  states: RepositoryRegistry | undefined,
  git: GitRunner | undefined,
  settings: VouchSettings,
  gitExtension: GitExtension,
  log: vscode.LogOutputChannel,
): vscode.Disposable {
  const panel = new ReviewPanelManager(context.extensionUri, workspace, git, log, () => settings.signingKey, settings.onDidChange);
  const tree = new ReviewTreeProvider(workspace);
  const gate = git && states ? new StagingGate(git, states, service, workspace, settings, (focus) => panel.open(focus), log, gitExtension) : undefined;

  /** Without arguments (command palette, keybinding): the unreviewed block at the active editor's cursor. */
  function blockAtCursor(): BlockDecisionArgs | undefined {
    const editor = vscode.window.activeTextEditor;
    if (!editor) {
      void vscode.window.showInformationMessage(vscode.l10n.t('Put the cursor in an AI block of a file to review it.'));
      return undefined;
    }
    const line = editor.selection.active.line + 1;
    const block = workspace.blocksOfDocument(editor.document).find((candidate) => candidate.startLine <= line && line <= candidate.endLine);
    if (!block) {
      void vscode.window.showInformationMessage(vscode.l10n.t('No unreviewed AI block at line {0} of {1} (Vouch: Next AI Block goes to one).', line, displayPath(editor.document.uri)));
      return undefined;
    }
    return { uri: editor.document.uri.toString(), spanIds: block.spanIds };
  }

  /** Moves the cursor of the active editor to the next unreviewed AI block (wrapping around) and reveals it. */
  function goToNextBlock(): boolean {
    const editor = vscode.window.activeTextEditor;
    if (!editor) return false;
    const blocks = workspace.blocksOfDocument(editor.document);
    const target = nextBlockStartLine(blocks, editor.selection.active.line + 1);
    if (target === undefined) {
      void vscode.window.setStatusBarMessage(vscode.l10n.t('Vouch: no unreviewed AI block in {0}', displayPath(editor.document.uri)), 3000);
      return false;
    }
    const position = new vscode.Position(target - 1, 0);
    editor.selection = new vscode.Selection(position, position);
    editor.revealRange(new vscode.Range(position, position), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    return true;
  }

  async function decideFromCommand(args: unknown, decision: ReviewDecision): Promise<DecisionResult | undefined> {
    if (args === undefined) {
      const atCursor = blockAtCursor();
      if (!atCursor) return undefined;
      args = atCursor;
    }
    const parsed = parseDecisionArgs(args);
    if (typeof parsed === 'string') throw new Error(`vouch.${decision === 'accepted' ? 'acceptBlock' : 'rejectBlock'}: ${parsed}`);
    const uri = vscode.Uri.parse(parsed.uri, true);
    const document = await workspace.openDocument(uri);
    const wanted = new Set(parsed.spanIds);
    const blocks = workspace.blocksOfDocument(document).filter((block) => block.spanIds.some((id) => wanted.has(id)));
    if (blocks.length === 0) {
      void vscode.window.showInformationMessage(vscode.l10n.t('Nothing there waits for review in {0} (it was reviewed or changed).', displayPath(uri)));
      return undefined;
    }
    const where = vscode.l10n.t('{0} of {1}', describe(blocks), displayPath(uri));
    let intent = parsed.intent;
    // A rejection removes the code: it never asks why (a reason given in the arguments is recorded).
    if (intent === undefined && decision === 'accepted') {
      intent = await vscode.window.showInputBox({
        title: vscode.l10n.t('Accept AI code: {0}', where),
        prompt: vscode.l10n.t('Intent: what is this code for?'),
        placeHolder: vscode.l10n.t('e.g. Parse the retry settings from the config file'),
        ignoreFocusOut: true,
        validateInput: (value) => (value.trim().length === 0 ? vscode.l10n.t('Write the intent: what is this code for?') : undefined),
      });
      if (intent === undefined) return undefined;
    }
    let wholeLines = parsed.wholeLines;
    if (decision === 'rejected' && wholeLines === undefined && blocks.some((block) => block.personTextOnLines)) {
      // Removing only the AI's characters would leave what a person typed on those lines (a half-typed `function greet(`).
      const choice = await vscode.window.showQuickPick(
        [
          { label: vscode.l10n.t('Remove the AI text only'), description: vscode.l10n.t('what a person typed on these lines stays'), wholeLines: false },
          { label: vscode.l10n.t('Remove the whole lines'), description: vscode.l10n.t('{0}, with what a person typed on them', describe(blocks)), wholeLines: true },
        ],
        { title: vscode.l10n.t('Reject AI code: {0}', where), placeHolder: vscode.l10n.t('A person typed on these lines too: what should the rejection remove?'), ignoreFocusOut: true },
      );
      if (choice === undefined) return undefined;
      wholeLines = choice.wholeLines;
    }
    let scope = parsed.scope;
    if (scope === undefined && decision === 'accepted') {
      const suggested = new Set(blocks.flatMap((block) => block.suggestedScope));
      const picked = await vscode.window.showQuickPick(
        // Pre-filled as in the panel: what the risk hints suggest, "none" when they found nothing.
        SCOPE_TAGS.map((tag) => ({ label: tag, description: scopeDescriptions()[tag], picked: suggested.size > 0 ? suggested.has(tag) : tag === 'none' })),
        { title: vscode.l10n.t('Scope: what may {0} touch?', where), canPickMany: true, ignoreFocusOut: true, placeHolder: vscode.l10n.t('Choose what this code may touch, or "none"') },
      );
      if (picked === undefined) return undefined;
      scope = picked.map((item) => item.label);
    }
    const result = await workspace.decide(
      blocks.map((block) => ({ uri, blockId: block.id, textHash: block.textHash })),
      { decision, intent: intent ?? '', scope: scope ?? [], scopeNote: parsed.scopeNote, ...(wholeLines === true ? { wholeLines: true } : {}) },
    );
    if (result.ok && result.undoId !== undefined) {
      const undoId = result.undoId;
      const undo = vscode.l10n.t('Undo');
      void vscode.window.showInformationMessage(result.message, undo).then((choice) => {
        if (choice === undo) void undoAccept(undoId);
      });
    } else if (result.ok) void vscode.window.showInformationMessage(result.message);
    else void vscode.window.showErrorMessage(vscode.l10n.t('Vouch: {0}', result.reason));
    return result;
  }

  /** Takes back the last accept (from the panel, a notification's "Undo" or the command palette). */
  async function undoAccept(undoId: string | undefined = workspace.lastAcceptId): Promise<DecisionResult> {
    const result = undoId === undefined ? { ok: false as const, reason: vscode.l10n.t('There is no accept to undo.') } : await workspace.undoAccept(undoId);
    if (result.ok) void vscode.window.showInformationMessage(result.message);
    else void vscode.window.showWarningMessage(vscode.l10n.t('Vouch: {0}', result.reason));
    return result;
  }

  const disposables: vscode.Disposable[] = [
    panel,
    tree,
    vscode.commands.registerCommand('vouch.openReviewPanel', (args?: unknown) => panel.open(parseFocus(args))),
    vscode.commands.registerCommand('vouch.acceptBlock', (args: unknown) => decideFromCommand(args, 'accepted')),
    vscode.commands.registerCommand('vouch.rejectBlock', (args: unknown) => decideFromCommand(args, 'rejected')),
    vscode.commands.registerCommand('vouch.refreshReview', () => tree.refresh()),
    vscode.commands.registerCommand('vouch.nextAiBlock', () => goToNextBlock()),
    vscode.commands.registerCommand('vouch.undoLastAccept', () => undoAccept()),
    vscode.commands.registerCommand('vouch.reviewAndStage', async (args?: unknown) => {
      const uri = uriOfStageArgument(args);
      if (!uri) {
        void vscode.window.showInformationMessage(vscode.l10n.t('Open a file (or pick one in Source Control) to review and stage it.'));
        return undefined;
      }
      if (!gate) {
        void vscode.window.showWarningMessage(vscode.l10n.t('Vouch does not run git in Restricted Mode, so it cannot stage files.'));
        return undefined;
      }
      return gate.reviewAndStage(uri);
    }),
  ];
  if (gate) disposables.push(gate);
  return vscode.Disposable.from(...disposables);
}

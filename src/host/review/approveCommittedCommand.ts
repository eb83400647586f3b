/**
 * "Vouch: Approve Committed AI Lines…": approves AI lines that are already committed, from the
 * hover of a committed AI line or for the editor's selection, as `vouch approve` does on the
 * command line: the same intent and scope rules as the review panel, the same signed approval
 * record through the same git-layer function, then the marks are read again.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { SCOPE_TAGS, type ScopeTag } from '../../core/attribution';
import { errorMessage } from '../../core/errorMessage';
import { approvalReview, type LineSelection } from '../../core/notes/approvalRecord';
import { validateReviewRequest } from '../../core/review/reviewModel';
import type { CommittedAiLine } from '../../core/visibility/committedLines';
import { APPROVE_COMMITTED_COMMAND, type CommittedLineCommandArgs } from '../../core/visibility/hoverText';
import type { GitRunner } from '../../git/gitRunner';
import { approveCommittedLines, type ApprovalOutcome } from '../../git/notes/committedApproval';
import { findRepository } from '../../git/repository';
import { NotesReader } from '../../git/notes/notesReader';
import { NotesWriter } from '../../git/notes/notesWriter';
import { signerSource } from '../../git/signing/recordSigning';
import { readGitReviewer } from '../../git/staging/gitReviewer';

/** What the command returns (to tests and other callers); undefined when nothing was approved or it was cancelled. */
export type ApproveCommittedResult = ApprovalOutcome | undefined;

export interface ApproveCommittedDeps {
  readonly git: GitRunner | undefined;
  /** The committed AI lines of a document, waiting for blame when they are not known yet. */
  readonly committedLines: (document: vscode.TextDocument) => Promise<readonly CommittedAiLine[]>;
  /** Reads the committed lines of the repository's open documents again (its notes changed). */
  readonly refresh: (topLevel: string) => void;
  readonly signingKey: () => string | undefined;
  readonly log: vscode.LogOutputChannel;
}

/**
 * The hover passes the line; a caller (another extension, a test, a keybinding) may also give the
 * intent and scope, which are then not asked for, and checked by the same rules.
 */
export interface ApproveCommittedArgs extends Partial<CommittedLineCommandArgs> {
  readonly intent?: string;
  readonly scope?: readonly string[];
  readonly scopeNote?: string;
}

/** What each scope tag means, as the quick pick describes it. */
function scopeDescriptions(): Readonly<Record<ScopeTag, string>> {
  return {
    files: vscode.l10n.t('reads or writes files'),
    network: vscode.l10n.t('network access'),
    secrets: vscode.l10n.t('keys, tokens, credentials'),
    processes: vscode.l10n.t('starts processes or shells'),
    data: vscode.l10n.t('user or business data'),
    none: vscode.l10n.t('touches nothing beyond its own logic'),
  };
}

/** Intent and scope, asked as the review panel asks them (required intent; scope tags, "none" alone). */
async function askIntentAndScope(lines: number): Promise<{ intent: string; scope: readonly string[]; scopeNote?: string } | undefined> {
  const intent = await vscode.window.showInputBox({
    title: vscode.l10n.t('Approve {0} committed AI line(s)', lines),
    prompt: vscode.l10n.t('Intent: what is this code for?'),
    ignoreFocusOut: true,
    validateInput: (value) => (value.trim().length === 0 ? vscode.l10n.t('Intent is required: say what this code is for.') : undefined),
  });
  if (intent === undefined) return undefined;
  const picked = await vscode.window.showQuickPick(
    SCOPE_TAGS.map((tag) => ({ label: tag, description: scopeDescriptions()[tag] })),
    { title: vscode.l10n.t('Scope: what may this code touch?'), canPickMany: true, ignoreFocusOut: true },
  );
  if (picked === undefined) return undefined;
  return { intent, scope: picked.map((item) => item.label) };
}

/** Per commit, the lines (in that commit's file) of the committed Vouch AI lines among `wanted`. */
function selectionsByCommit(lines: readonly CommittedAiLine[], wanted: (line: number) => boolean): Map<string, LineSelection[]> {
  const byCommit = new Map<string, LineSelection[]>();
  for (const line of lines) {
    if (line.source !== 'vouch' || !wanted(line.line)) continue;
    let list = byCommit.get(line.commit);
    if (!list) byCommit.set(line.commit, (list = []));
    const last = list[list.length - 1];
    if (last && last.path === line.path && last.end + 1 === line.originalLine) list[list.length - 1] = { ...last, end: line.originalLine };
    else list.push({ path: line.path, start: line.originalLine, end: line.originalLine });
  }
  return byCommit;
}

export function registerApproveCommittedCommand(deps: ApproveCommittedDeps): vscode.Disposable {
  const run = async (given?: ApproveCommittedArgs): Promise<ApproveCommittedResult> => {
    const args = typeof given?.uri === 'string' && Number.isSafeInteger(given.line) && (given.line as number) >= 0 ? { uri: given.uri, line: given.line as number } : undefined;
    const git = deps.git;
    if (!git) {
      void vscode.window.showWarningMessage(vscode.l10n.t('Vouch: approving committed lines needs git, which Restricted Mode does not run. Trust the workspace first.'));
      return undefined;
    }
    const editor = vscode.window.activeTextEditor;
    const uri = args ? vscode.Uri.parse(args.uri, true) : editor?.document.uri;
    if (!uri || uri.scheme !== 'file') {
      void vscode.window.showInformationMessage(vscode.l10n.t('Vouch: open a committed file and select its AI lines (or use the hover of one) to approve them.'));
      return undefined;
    }
    const document = await vscode.workspace.openTextDocument(uri);
    const selections = !args && editor?.document === document ? editor.selections : undefined;
    const wanted = args ? (line: number) => line === args.line : (line: number) => (selections ?? []).some((selection) => selection.start.line <= line && line <= selection.end.line);
    const committed = await deps.committedLines(document);
    const byCommit = selectionsByCommit(committed, wanted);
    if (byCommit.size === 0) {
      void vscode.window.showInformationMessage(vscode.l10n.t('Vouch: no committed AI lines recorded in a Vouch note there (git-ai lines carry no Vouch record to approve).'));
      return undefined;
    }
    const lineCount = [...byCommit.values()].flat().reduce((sum, selection) => sum + selection.end - selection.start + 1, 0);
    const answer = typeof given?.intent === 'string' && Array.isArray(given.scope) ? { intent: given.intent, scope: given.scope, scopeNote: given.scopeNote } : await askIntentAndScope(lineCount);
    if (!answer) return undefined;
    const { topLevel } = await findRepository(git, path.dirname(uri.fsPath));
    // The same key options as the signer below: the review names the key the approval is signed with.
    const reviewer = await readGitReviewer(git, topLevel, { settingKey: deps.signingKey() });
    const valid = validateReviewRequest({ decision: 'accepted', intent: answer.intent, scope: answer.scope, ...(typeof answer.scopeNote === 'string' ? { scopeNote: answer.scopeNote } : {}), reviewer: reviewer ?? { name: '', email: '' }, now: Date.now() }, vscode.l10n.t);
    if (!valid.ok) {
      void vscode.window.showErrorMessage(vscode.l10n.t('Vouch: not approved: {0}', valid.reason));
      return undefined;
    }
    const review = approvalReview(valid.value.reviewer, valid.value);
    const context = { git, topLevel, reader: new NotesReader(git, topLevel, deps.log), writer: await NotesWriter.open(git, topLevel, deps.log), logger: deps.log, signer: signerSource(git, topLevel, deps.log, { settingKey: deps.signingKey() }) };
    let outcome: ApprovalOutcome = { approved: [], alreadyApproved: 0, signing: 'unsigned' };
    try {
      for (const [commit, lines] of byCommit) {
        const one = await approveCommittedLines(context, [commit], review, lines);
        outcome = { approved: [...outcome.approved, ...one.approved], alreadyApproved: outcome.alreadyApproved + one.alreadyApproved, signing: one.approved.length > 0 ? one.signing : outcome.signing };
      }
    } catch (error) {
      deps.log.error(`approving committed AI lines failed: ${errorMessage(error)}`);
      void vscode.window.showErrorMessage(vscode.l10n.t('Vouch: the approval was not written: {0}', errorMessage(error)));
      return undefined;
    } finally {
      deps.refresh(topLevel);
    }
    const who = `${review.reviewer.name} <${review.reviewer.email}>`;
    if (outcome.approved.length === 0) {
      void vscode.window.showInformationMessage(
        outcome.alreadyApproved > 0 ? vscode.l10n.t('Vouch: you ({0}) approved these lines already.', who) : vscode.l10n.t('Vouch: nothing to approve: the recorded AI lines no longer match their commit.'),
      );
      return outcome.alreadyApproved > 0 ? outcome : undefined;
    }
    deps.log.info(`approved ${outcome.approved.length} committed AI range(s) as ${who} (${outcome.signing})`);
    void vscode.window.showInformationMessage(
      vscode.l10n.t('Vouch: approved {0} committed AI range(s) as {1} ({2}). Push the notes with "Vouch: Sync Notes".', outcome.approved.length, who, outcome.signing),
    );
    return outcome;
  };
  return vscode.commands.registerCommand(APPROVE_COMMITTED_COMMAND, run);
}

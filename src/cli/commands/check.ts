/** `vouch check [--staged]`: the staging gate for terminals and pre-commit hooks. */
import { display, displayLines, escapeDisplay, jsonOutput, type DisplayText } from '../../core/text/displayText';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { blockNeedsReview, type ReviewBlock } from '../../core/review/reviewModel';
import { GitRunner } from '../../git/gitRunner';
import { findRepository } from '../../git/repository';
import { checkStagedChangesInStore } from '../../git/staging/stagedReview';
import { followRenamedDocuments } from '../../git/staging/renamedFiles';
import { workingFileBlocks } from '../../git/staging/workingBlocks';
import { WorkingStateStore } from '../../git/workingStateStore';
import type { CliCommand, CliIo } from '../cli';
import { runCliCommand } from '../commandErrors';
import { stderrLogger } from '../cliLogger';
import { lineRangeLabel } from '../../core/text/lines';
import { english } from '../../core/text/translate';
import { printHelp } from '../commandOptions';
import { filterChangedMessage } from '../../core/review/filterChanged';

const HELP = `Usage: vouch check [--staged] [--json]

Fails when AI-written code waits for a human review: the same rule as the Vouch
extension's staging gate. With --staged it checks what is staged for the next commit
(the AI marks recorded for each file are carried onto its staged content), which is
what the pre-commit hook from 'vouch install-hooks' runs; without it, it checks the
files as they are in the working tree.

Options:
  --staged      check the staged content (the index) instead of the working tree
  --json        print JSON: { "version": 1, "staged": bool, "files": [ { "path",
                "blocks": [ { "startLine", "endLine", "state", "origins",
                "spanIds", "risks" } ] } ], "unreviewedBlocks": n }; "state" is
                "unreviewed", "rejected-but-present" or "changed-after-review";
                "filterChanged": [ { "path", "aiLines" } ] lists the staged files
                whose AI lines git's filters (a clean filter, ident,
                working-tree-encoding) changed, so they cannot be checked (always
                [] without --staged)
  -h, --help    show this help

Review blocks in VS Code ("Vouch: Review AI Changes") or with 'vouch review'.
In a hook, 'git commit --no-verify' skips the check.

Exit status: 0 nothing waits for review; 1 unreviewed AI code found, AI lines that
git's filters changed when staged, or the check failed (e.g. not a git repository);
2 usage error.
`;

export const CHECK_JSON_VERSION = 1;

export interface CheckReport {
  readonly version: typeof CHECK_JSON_VERSION;
  readonly staged: boolean;
  readonly files: Array<{
    readonly path: string;
    readonly blocks: Array<{
      readonly startLine: number;
      readonly endLine: number;
      readonly state: ReviewBlock['state'];
      readonly origins: ReviewBlock['origins'];
      readonly spanIds: readonly string[];
      readonly risks: string[];
    }>;
  }>;
  readonly unreviewedBlocks: number;
  /** Staged files (sorted by path) whose AI lines git's filters changed, so no staged line can be told to be them; the check fails for them too. */
  readonly filterChanged: Array<{ readonly path: string; readonly aiLines: number }>;
}

export const checkCommand: CliCommand = {
  summary: 'fail when (staged) AI code waits for review; the pre-commit gate',
  run: (args, io) => runCliCommand('check', io, () => runCheck(args, io)),
};

async function runCheck(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    allowPositionals: false,
    options: { staged: { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) return printHelp(io, HELP);
  const json = values.json === true;
  const report = await buildCheckReport(io, values.staged === true);
  // The suggested command is pasted in the cwd, so its path is the cwd's way to the file.
  const fromCwd = json || report.unreviewedBlocks === 0 ? undefined : await pathFromCwd(io.cwd);
  io.stdout(json ? jsonOutput(report) : formatCheckReport(report, fromCwd));
  return report.unreviewedBlocks > 0 || report.filterChanged.length > 0 ? 1 : 0;
}

async function buildCheckReport(io: CliIo, staged: boolean): Promise<CheckReport> {
  const git = new GitRunner();
  const repository = await findRepository(git, io.cwd);
  const logger = stderrLogger(io);
  const store = new WorkingStateStore(repository, git, logger);
  const files: Array<{ path: string; blocks: readonly ReviewBlock[] }> = [];
  const filterChanged: Array<{ path: string; aiLines: number }> = [];
  if (staged) {
    // A hook of `git commit -a` / `git commit <paths>` sees a temporary index; GIT_INDEX_FILE is relative to the hook's cwd.
    const indexFile = process.env.GIT_INDEX_FILE ? path.resolve(io.cwd, process.env.GIT_INDEX_FILE) : undefined;
    // A file renamed with git mv takes its AI marks along, so its AI lines are checked under the new name.
    // The working state is read once, here, and handed on.
    const { followed, documents } = await followRenamedDocuments(git, repository.topLevel, store, { staged: { indexFile } }, await store.loadAll());
    for (const rename of followed) logger.warn(`vouch: ${rename.from} was renamed to ${rename.to}; its AI marks follow it`);
    const checks = await checkStagedChangesInStore(git, repository, store, { indexFile }, (reason) => logger.warn(`vouch check: ${reason}`), documents);
    for (const check of checks) if (check.blocks.length > 0) files.push({ path: check.repoPath, blocks: check.blocks });
    for (const check of checks) if (check.filterChangedAiLines) filterChanged.push({ path: check.repoPath, aiLines: check.filterChangedAiLines });
  } else {
    for (const document of await store.loadAll()) {
      // The same blocks and states as 'vouch status' and the editor's panel.
      const working = await workingFileBlocks(store, document.path, document.path, document);
      const blocks = working?.blocks.filter((block) => blockNeedsReview(block.state)) ?? [];
      if (blocks.length > 0) files.push({ path: document.path, blocks });
    }
  }
  const byPath = (a: { path: string }, b: { path: string }): number => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
  files.sort(byPath);
  filterChanged.sort(byPath);
  return {
    version: CHECK_JSON_VERSION,
    staged,
    files: files.map((file) => ({
      path: file.path,
      blocks: file.blocks.map((block) => ({
        startLine: block.startLine,
        endLine: block.endLine,
        state: block.state,
        origins: block.origins,
        spanIds: block.spanIds,
        risks: [...new Set(block.riskHints.map((hint) => hint.category))],
      })),
    })),
    unreviewedBlocks: files.reduce((sum, file) => sum + file.blocks.length, 0),
    filterChanged,
  };
}

function formatCheckReport(report: CheckReport, fromCwd: (repoPath: string) => string = (repoPath) => repoPath): DisplayText {
  const where = report.staged ? 'staged' : 'in the working tree';
  if (report.filterChanged.length === 0) return formatBlocks(report, where, fromCwd);
  const lines = report.filterChanged.map((file) => display`vouch: ${file.path}: ${filterChangedMessage(file.aiLines, 'staged')}.`);
  lines.push(display`Edit those lines so that git's filters leave them as they are, review them (again) and stage again; or commit with --no-verify, and they stay unrecorded.`);
  return `${report.unreviewedBlocks === 0 ? '' : formatBlocks(report, where, fromCwd)}${displayLines(lines)}` as DisplayText;
}

function formatBlocks(report: CheckReport, where: string, fromCwd: (repoPath: string) => string): DisplayText {
  if (report.unreviewedBlocks === 0) return display`vouch: no unreviewed AI code ${where}.\n`;
  const count = report.unreviewedBlocks;
  const lines = [display`vouch: ${count} AI block${count === 1 ? '' : 's'} ${where} ${count === 1 ? 'has' : 'have'} not been reviewed:`];
  for (const file of report.files) {
    for (const block of file.blocks) {
      const range = lineRangeLabel(block, english);
      const origins = block.origins.map((origin) => `${origin.tool} [${origin.kind}]`).join(', ');
      const risks = block.risks.length > 0 ? `  risks: ${block.risks.join(', ')}` : '';
      const state = block.state === 'unreviewed' ? '' : `  (${block.state.replace(/-/g, ' ')})`;
      lines.push(display`  ${file.path}  ${range}  ${origins}${risks}${state}`);
    }
  }
  const [firstFile] = report.files;
  const firstBlock = firstFile.blocks[0];
  lines.push(
    display``,
    display`Review them in VS Code ("Vouch: Review AI Changes") or from a terminal, e.g.:`,
    display`  vouch review ${quoteForShell(fromCwd(firstFile.path))} --lines ${firstBlock.startLine}-${firstBlock.endLine} --intent "what this code is for" --scope none`,
  );
  if (report.staged) lines.push(display`(Line numbers refer to the staged content; stage again after reviewing.)`);
  return displayLines(lines);
}

/** Repository paths as paths relative to `cwd` (its real path, as git gives the top level's). */
async function pathFromCwd(cwd: string): Promise<(repoPath: string) => string> {
  const { topLevel } = await findRepository(new GitRunner(), cwd);
  const realCwd = await fs.realpath(cwd);
  return (repoPath) => path.relative(realCwd, path.join(topLevel, ...repoPath.split('/')));
}

const SHELL_SAFE_WORD = /^[\w./@%+=:,-]+$/;

/**
 * A path as one word to paste into bash or zsh that is also safe to print: escapeDisplay leaves
 * it as it is, so no terminal escape reaches the terminal and the printed word is the pasted one.
 * A leading '-' gets './' (else it reads as an option). A name with characters escapeDisplay would
 * change (tab, newline, ESC, bidi marks...) is written $'...' with those characters as \xHH bytes
 * of their UTF-8 ('#' too, so no `##vso[` appears); POSIX sh before 2024 lacks $'...', bash and zsh have it.
 */
export function quoteForShell(value: string): string {
  const word = value.startsWith('-') ? `./${value}` : value;
  if (SHELL_SAFE_WORD.test(word)) return word;
  if (escapeDisplay(word) === word) return `'${word.replace(/'/g, `'\\''`)}'`;
  let quoted = "$'";
  for (const character of word) {
    if (character === '\\' || character === "'") quoted += `\\${character}`;
    else if (character === '#' || escapeDisplay(character) !== character) {
      for (const byte of Buffer.from(character, 'utf8')) quoted += `\\x${byte.toString(16).padStart(2, '0')}`;
    } else quoted += character;
  }
  return `${quoted}'`;
}

/**
 * `vouch report [<range>] [--json | --markdown]`: what a range of commits holds: AI lines and their
 * share of the added lines, reviewed and signed shares, breakdowns, per-file table, risky AI blocks.
 */
import { displayComposed, jsonOutput } from '../../core/text/displayText';
import { parseArgs } from 'node:util';
import { buildRangeReport, percent, signedColumn, signedColumnTitle, type BreakdownRow, type RangeReport } from '../../core/report/rangeReport';
import { DEFAULT_MARKDOWN_MAX_CHARS, reportMarkdown, type MarkdownSection } from '../../core/report/reportMarkdown';
import { escapeMarkdownText } from '../../core/visibility/hoverText';
import { readReportInput } from '../../git/report/rangeInput';
import type { CliCommand, CliIo } from '../cli';
import { CliUsageError, runCliCommand } from '../commandErrors';
import { DEFAULT_MAX_COMMITS, positiveIntegerOption, printHelp, rangeArgument } from '../commandOptions';
import { printable } from '../untrustedText';
import { openNotesContext } from './notesCommon';
import { POLICY_HELP, POLICY_OPTIONS, policyFromOptions, policySection, policyText, signatureLookup } from './rangePolicy';
import { commitsToVerify, shallowRangeMessage, verifyCommits, type VerifyResult } from './verify';
import { VerifyChecks } from './verifyChecks';
import { withApprovalsAndPolicy } from './verifyPolicy';

export const REPORT_JSON_VERSION = 2;

const HELP = `Usage: vouch report [<range>] [--json | --markdown] [--verify [--allowed-signers FILE]
                    [--openpgp-keyring FILE] [--require-signed]]
                    [--policy FILE [--policy-from-base] [--base REV]]
                    [--max-commits N] [--max-chars N]

Summarises the Vouch notes (refs/notes/vouch) of the commits in <range> (default:
origin/HEAD..HEAD when origin/HEAD exists, else the last commit; a single commit
reports only that commit):
  - lines written by AI and their share of all added lines,
  - the share of those a person reviewed, and the share covered by a signed record,
  - the same by tool, model, agent principal, commit author and reviewer,
  - a table per file, and the AI blocks that carry risk hints (secrets, network,
    processes, file deletion, eval, SQL, dependencies, auth/crypto).
Fetch the notes first: git fetch origin 'refs/notes/vouch:refs/notes/vouch'

Options:
  --json          print the report as JSON ("version": ${REPORT_JSON_VERSION})
  --markdown      print Markdown for a pull-request comment or a CI job summary
                  (collapsible sections, cut with a note beyond --max-chars)
  --allowed-signers FILE, --openpgp-keyring FILE
                  the auditor's keys (as in 'vouch verify'): signatures of reviews and
                  agent claims count as signed only when they verify against these
  --verify        add the result of 'vouch verify' for the same range (with
                  --require-signed: as 'vouch verify --require-signed'); the exit
                  status stays 0: run 'vouch verify' to gate
${POLICY_HELP}
  --max-chars N   longest Markdown output (default ${DEFAULT_MARKDOWN_MAX_CHARS}; GitHub allows 65536)
  --max-commits N report at most N commits (default ${DEFAULT_MAX_COMMITS}); more is an error
  -h, --help      show this help

Signed means the reviewer's signature verifies against the keys you give (--allowed-signers,
--openpgp-keyring), as 'vouch verify' checks it; without keys the report says only where a
signature is present, not verified. An agent principal is named when its signed attribution
claim verifies the same way; otherwise it is labelled "claim signature not verified" or
"claim does not verify".
Exit status: 0 reported; 1 failed; 2 usage error.
`;

export const reportCommand: CliCommand = {
  summary: 'summarise the AI code of a commit range: shares, reviewers, files, risk hints',
  run: (args, io) => runCliCommand('report', io, () => runReport(args, io)),
};

async function runReport(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      json: { type: 'boolean' },
      markdown: { type: 'boolean' },
      verify: { type: 'boolean' },
      'require-signed': { type: 'boolean' },
      ...POLICY_OPTIONS,
      'allowed-signers': { type: 'string' },
      'openpgp-keyring': { type: 'string' },
      'max-chars': { type: 'string' },
      'max-commits': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return printHelp(io, HELP);
  if (values.json && values.markdown) throw new CliUsageError('give --json or --markdown, not both');
  if (values['require-signed'] && !values.verify) throw new CliUsageError('--require-signed needs --verify');
  const given = rangeArgument(positionals);
  const maxCommits = positiveIntegerOption(values['max-commits'], DEFAULT_MAX_COMMITS, '--max-commits');
  const maxChars = positiveIntegerOption(values['max-chars'], DEFAULT_MARKDOWN_MAX_CHARS, '--max-chars');
  const context = await openNotesContext(io);
  const { range, commits, walked, shallowBoundary } = await commitsToVerify(context, given, maxCommits);
  const incomplete = shallowBoundary === undefined ? undefined : shallowReportMessage(range, shallowBoundary, walked);
  const loadedPolicy = await policyFromOptions(context, io.cwd, range, values);
  const allowedSigners = values['allowed-signers'];
  const keysGiven = allowedSigners !== undefined || values['openpgp-keyring'] !== undefined;
  const inputs = await readReportInput(context.git, context.topLevel, context.reader, commits);
  // Signatures, --verify and --policy all take vouch verify's own path (its checks, later approvals, the policy).
  const requireSigned = values['require-signed'] === true;
  const checked =
    values.verify || loadedPolicy || keysGiven
      ? await withApprovalsAndPolicy(context, await verifyCommits(context, range, commits, requireSigned, await VerifyChecks.open(context, allowedSigners, requireSigned, values['openpgp-keyring'])), loadedPolicy, allowedSigners, inputs)
      : undefined;
  const report = buildRangeReport(range, inputs, signatureLookup(checked, keysGiven));
  const policy = checked?.policy;
  const verified: VerifyResult | undefined = values.verify && checked ? withoutPolicy(checked) : undefined;
  // vouch verify fails on a walked range that reaches a shallow clone's boundary; so does the result the report shows.
  const verification = verified && walked && shallowBoundary !== undefined ? failedOverShallowBoundary(verified, shallowBoundary) : verified;
  const sections = [
    ...(incomplete ? [{ title: '⚠ Incomplete: shallow clone', markdown: escapeMarkdownText(incomplete, 1000), open: true }] : []),
    ...(policy ? [policySection(policy, allowedSigners)] : []),
    ...(verification ? [verificationSection(verification)] : []),
  ];
  if (values.json) io.stdout(jsonOutput({ version: REPORT_JSON_VERSION, ...report, ...(incomplete ? { incomplete } : {}), ...(verification ? { verification } : {}), ...(policy ? { policy } : {}) }));
  else if (values.markdown) io.stdout(displayComposed(reportMarkdown(report, { maxChars, sections })));
  else io.stdout(displayComposed((incomplete ? `INCOMPLETE: ${printable(incomplete, 1000)}\n` : '') + reportText(report) + (policy ? `\n${policyText(policy, allowedSigners)}` : '') + (verification ? verificationText(verification) : '')));
  return 0;
}

/** Why a report over a shallow clone's boundary counts too little (older commits missing) or too much (a cut commit's whole files as added). */
function shallowReportMessage(range: string, boundary: string, walked: boolean): string {
  const why = walked
    ? shallowRangeMessage(range, boundary)
    : `${range} is at the boundary of this shallow clone: its parents are not here, so every line of its files counts as added. Fetch the whole history (actions/checkout: fetch-depth: 0; or git fetch --unshallow)`;
  return `${why}. The figures of this report are incomplete.`;
}

function failedOverShallowBoundary(result: VerifyResult, boundary: string): VerifyResult {
  const problem = { commit: boundary, kind: 'incomplete-history' as const, message: shallowRangeMessage(result.range, boundary) };
  return { ...result, ok: false, problems: [...result.problems, problem] };
}

function withoutPolicy(result: VerifyResult & { readonly policy?: unknown }): VerifyResult {
  const { policy: _policy, ...rest } = result;
  return rest;
}

const MAX_LISTED_PROBLEMS = 200;

/** The verify result as a Markdown section: every message quotes note text, so all of it is escaped. */
export function verificationSection(result: VerifyResult): MarkdownSection {
  const mode = result.requireSigned ? 'vouch verify --require-signed' : 'vouch verify';
  if (result.ok) return { title: `✅ ${mode} passed`, markdown: 'All AI code in the range is reviewed and its records match the commits.' };
  const items = result.problems.slice(0, MAX_LISTED_PROBLEMS).map((problem) => `- commit ${problem.commit.slice(0, 12)} · **${problem.kind}** · ${escapeMarkdownText(problem.message, 400)}`);
  if (result.problems.length > items.length) items.push(`- and ${result.problems.length - items.length} more`);
  return { title: `❌ ${mode} failed: ${result.problems.length} problem(s)`, markdown: items.join('\n'), open: true };
}

function verificationText(result: VerifyResult): string {
  const mode = result.requireSigned ? 'vouch verify --require-signed' : 'vouch verify';
  if (result.ok) return `\n${mode}: passed\n`;
  const lines = result.problems.map((problem) => `  ${problem.commit.slice(0, 12)} ${problem.kind.padEnd(20)} ${printable(problem.message, 400)}`);
  return `\n${mode}: FAILED, ${result.problems.length} problem(s):\n${lines.join('\n')}\n`;
}

function columns(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0].map((_, index) => Math.max(...rows.map((row) => row[index].length)));
  return rows.map((row) => `  ${row.map((cell, index) => (index === 0 ? cell.padEnd(widths[index]) : cell.padStart(widths[index]))).join('  ')}`.trimEnd());
}

function breakdownText(report: RangeReport, title: string, rows: readonly BreakdownRow[]): string[] {
  if (rows.length === 0) return [];
  return ['', `${title}:`, ...columns([['', 'AI lines', 'reviewed', signedColumnTitle(report)], ...rows.map((row) => [printable(row.key, 120), String(row.aiLines), percent(row.reviewedLines, row.aiLines), percent(signedColumn(report, row), row.aiLines)])])];
}

/** Signed means verified against the auditor's keys; without them, say only that a signature is present. */
function signedLine(report: RangeReport): string {
  if (report.signaturesVerified) return `  signed:    ${report.signedLines} of ${report.aiLines} AI lines (${percent(report.signedLines, report.aiLines)}): the reviewer's signature verifies against the keys given`;
  return `  signed:    not verified (give --allowed-signers FILE or --openpgp-keyring FILE); a signature is present on ${report.signaturePresentLines} of ${report.aiLines} AI lines (${percent(report.signaturePresentLines, report.aiLines)})`;
}

/** The report for a terminal; every string from a note or a path goes through `printable`. */
export function reportText(report: RangeReport): string {
  const lines = [
    `Vouch report: ${printable(report.range)}`,
    `  ${report.commits} commit(s), ${report.commitsWithRecords} with Vouch records`,
    `  AI lines:  ${report.aiLines} of ${report.addedLines} added lines (${percent(report.aiLines, report.addedLines)})`,
    `  reviewed:  ${report.reviewedLines} of ${report.aiLines} AI lines (${percent(report.reviewedLines, report.aiLines)})`,
    signedLine(report),
  ];
  if (report.staleRanges > 0) lines.push(`  stale:     ${report.staleRanges} recorded range(s) no longer match their commit`);
  if (report.unreadableRecords > 0) lines.push(`  unreadable: ${report.unreadableRecords} note record(s)`);
  if (report.files.length > 0) {
    lines.push('', 'Files:');
    lines.push(
      ...columns([
        ['', 'added', 'AI', 'share', 'reviewed', signedColumnTitle(report), 'tools'],
        ...report.files.map((file) => [printable(file.path, 200), String(file.addedLines), String(file.aiLines), percent(file.aiLines, file.addedLines), percent(file.reviewedLines, file.aiLines), percent(signedColumn(report, file), file.aiLines), file.tools.map((tool) => printable(tool, 60)).join(',')]),
      ]),
    );
  }
  lines.push(...breakdownText(report, 'By tool', report.byTool), ...breakdownText(report, 'By model', report.byModel), ...breakdownText(report, 'By agent principal', report.byAgent));
  lines.push(...breakdownText(report, 'By commit author', report.byAuthor), ...breakdownText(report, 'By reviewer', report.byReviewer));
  if (report.riskBlocks.length > 0) {
    lines.push('', `AI blocks with risk hints (${report.riskBlocks.length + report.riskBlocksOmitted}):`);
    for (const block of report.riskBlocks) {
      const who = block.reviewer ? `reviewed by ${printable(block.reviewer, 200)}` : 'NOT REVIEWED';
      lines.push(`  ${printable(block.path, 200)}:${block.start}-${block.end} (commit ${block.commit.slice(0, 12)}, ${printable(block.tool, 60)}), ${who}`);
      for (const hint of block.hints) lines.push(`    line ${hint.line}: ${printable(hint.message, 200)}`);
    }
    if (report.riskBlocksOmitted > 0) lines.push(`  and ${report.riskBlocksOmitted} more`);
  }
  return `${lines.join('\n')}\n`;
}

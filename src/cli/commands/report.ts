/**
 * `vouch report [<range>] [--json | --markdown]`: what a range of commits holds: AI lines and their
 * share of the added lines, reviewed and signed shares, breakdowns, per-file table, risky AI blocks.
 */
import { displayComposed, ownText } from '../../core/text/displayText';
import { parseArgs } from 'node:util';
import { buildRangeReport, percent, type BreakdownRow, type RangeReport } from '../../core/report/rangeReport';
import { DEFAULT_MARKDOWN_MAX_CHARS, reportMarkdown, type MarkdownSection } from '../../core/report/reportMarkdown';
import { escapeMarkdownText } from '../../core/visibility/hoverText';
import { readReportInput } from '../../git/report/rangeInput';
import type { CliCommand, CliIo } from '../cli';
import { CliUsageError, runCliCommand } from '../commandErrors';
import { printable } from '../untrustedText';
import { openNotesContext } from './notesCommon';
import { evaluateRangePolicy, POLICY_HELP, POLICY_OPTIONS, policyFromOptions, policySection, policyText, signatureLookup } from './rangePolicy';
import { commitsToVerify, verifyCommits, type VerifyResult } from './verify';
import { VerifyChecks } from './verifyChecks';

const DEFAULT_MAX_COMMITS = 10_000;
export const REPORT_JSON_VERSION = 1;

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
  --verify        add the result of 'vouch verify' for the same range (with
                  --require-signed: as 'vouch verify --require-signed'); the exit
                  status stays 0: run 'vouch verify' to gate; --allowed-signers and
                  --openpgp-keyring as in 'vouch verify'
${POLICY_HELP}
  --max-chars N   longest Markdown output (default ${DEFAULT_MARKDOWN_MAX_CHARS}; GitHub allows 65536)
  --max-commits N report at most N commits (default ${DEFAULT_MAX_COMMITS}); more is an error
  -h, --help      show this help

Signed means the record carries a signature; 'vouch verify --allowed-signers' checks it.
Exit status: 0 reported; 1 failed; 2 usage error.
`;

export const reportCommand: CliCommand = {
  summary: 'summarise the AI code of a commit range: shares, reviewers, files, risk hints',
  run: (args, io) => runCliCommand('report', io, () => runReport(args, io)),
};

function positiveInteger(text: string | undefined, fallback: number, name: string): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) throw new CliUsageError(`${name} must be a positive integer`);
  return value;
}

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
  if (values.help) {
    io.stdout(ownText(HELP));
    return 0;
  }
  if (values.json && values.markdown) throw new CliUsageError('give --json or --markdown, not both');
  if (values['require-signed'] && !values.verify) throw new CliUsageError('--require-signed needs --verify');
  if (positionals.length > 1) throw new CliUsageError('give at most one range (e.g. origin/main..HEAD)');
  if (positionals[0]?.startsWith('-')) throw new CliUsageError(`not a range: ${positionals[0]}`);
  const maxCommits = positiveInteger(values['max-commits'], DEFAULT_MAX_COMMITS, '--max-commits');
  const maxChars = positiveInteger(values['max-chars'], DEFAULT_MARKDOWN_MAX_CHARS, '--max-chars');
  const context = await openNotesContext(io);
  const { range, commits } = await commitsToVerify(context, positionals[0], maxCommits);
  const loadedPolicy = await policyFromOptions(context, io.cwd, range, values);
  const inputs = await readReportInput(context.git, context.topLevel, context.reader, commits);
  const report = buildRangeReport(range, inputs);
  // The policy needs verify's signature verdicts, so verify runs for it too (its section shows only with --verify).
  const checked =
    values.verify || loadedPolicy
      ? await verifyCommits(context, range, commits, values['require-signed'] === true, VerifyChecks.open(context, values['allowed-signers'], values['require-signed'] === true, values['openpgp-keyring']))
      : undefined;
  const verification = values.verify ? checked : undefined;
  const policy = loadedPolicy ? evaluateRangePolicy(loadedPolicy, inputs, signatureLookup(checked)) : undefined;
  const sections = [...(policy ? [policySection(policy, values['allowed-signers'])] : []), ...(verification ? [verificationSection(verification)] : [])];
  if (values.json) io.stdout(ownText(`${JSON.stringify({ version: REPORT_JSON_VERSION, ...report, ...(verification ? { verification } : {}), ...(policy ? { policy } : {}) }, null, 2)}\n`));
  else if (values.markdown) io.stdout(displayComposed(reportMarkdown(report, { maxChars, sections })));
  else io.stdout(displayComposed(reportText(report) + (policy ? `\n${policyText(policy, values['allowed-signers'])}` : '') + (verification ? verificationText(verification) : '')));
  return 0;
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

function breakdownText(title: string, rows: readonly BreakdownRow[]): string[] {
  if (rows.length === 0) return [];
  return ['', `${title}:`, ...columns([['', 'AI lines', 'reviewed', 'signed'], ...rows.map((row) => [printable(row.key, 120), String(row.aiLines), percent(row.reviewedLines, row.aiLines), percent(row.signedLines, row.aiLines)])])];
}

/** The report for a terminal; every string from a note or a path goes through `printable`. */
export function reportText(report: RangeReport): string {
  const lines = [
    `Vouch report: ${printable(report.range)}`,
    `  ${report.commits} commit(s), ${report.commitsWithRecords} with Vouch records`,
    `  AI lines:  ${report.aiLines} of ${report.addedLines} added lines (${percent(report.aiLines, report.addedLines)})`,
    `  reviewed:  ${report.reviewedLines} of ${report.aiLines} AI lines (${percent(report.reviewedLines, report.aiLines)})`,
    `  signed:    ${report.signedLines} of ${report.aiLines} AI lines (${percent(report.signedLines, report.aiLines)})`,
  ];
  if (report.staleRanges > 0) lines.push(`  stale:     ${report.staleRanges} recorded range(s) no longer match their commit`);
  if (report.unreadableRecords > 0) lines.push(`  unreadable: ${report.unreadableRecords} note record(s)`);
  if (report.files.length > 0) {
    lines.push('', 'Files:');
    lines.push(
      ...columns([
        ['', 'added', 'AI', 'share', 'reviewed', 'signed', 'tools'],
        ...report.files.map((file) => [printable(file.path, 200), String(file.addedLines), String(file.aiLines), percent(file.aiLines, file.addedLines), percent(file.reviewedLines, file.aiLines), percent(file.signedLines, file.aiLines), file.tools.map((tool) => printable(tool, 60)).join(',')]),
      ]),
    );
  }
  lines.push(...breakdownText('By tool', report.byTool), ...breakdownText('By model', report.byModel), ...breakdownText('By agent principal', report.byAgent));
  lines.push(...breakdownText('By commit author', report.byAuthor), ...breakdownText('By reviewer', report.byReviewer));
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

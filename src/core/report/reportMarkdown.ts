/**
 * The range report as Markdown for a pull-request comment or a CI job summary: a headline, then
 * collapsible details. Every string from a note or a path is escaped (no links, HTML or table
 * breaks can be injected); the whole stays under `maxChars` (GitHub refuses comments over 65,536
 * characters) and says so when it was cut.
 */
import { escapeMarkdownText } from '../visibility/hoverText';
import { percent, signedColumn, type BreakdownRow, type RangeReport } from './rangeReport';

export const DEFAULT_MARKDOWN_MAX_CHARS = 60_000;
const MAX_TABLE_ROWS = 100;

/** A section the caller adds after the report (policy results), already safe Markdown. */
export interface MarkdownSection {
  readonly title: string;
  readonly markdown: string;
  readonly open?: boolean;
}

const md = (value: string, max = 200): string => escapeMarkdownText(value, max);

function details(summary: string, body: string, open = false): string {
  // A blank line after <summary> lets GitHub render the Markdown inside the HTML block.
  return `<details${open ? ' open' : ''}><summary>${summary}</summary>\n\n${body}\n\n</details>`;
}

function table(header: readonly string[], rows: readonly (readonly string[])[], total: number): string {
  // Numbers and shares align right; text (names, paths, tool lists) left.
  const numeric = header.map((_, index) => index > 0 && rows.every((row) => /^(?:[\d]+%?|<1%|>99%|-)$/.test(row[index] ?? '')));
  const lines = [`| ${header.join(' | ')} |`, `| ${numeric.map((right) => (right ? '---:' : '---')).join(' | ')} |`, ...rows.map((row) => `| ${row.join(' | ')} |`)];
  if (total > rows.length) lines.push('', `and ${total - rows.length} more`);
  return lines.join('\n');
}

function signedTitle(report: RangeReport): string {
  return report.signaturesVerified ? 'Signed' : 'Signature present (not verified)';
}

function breakdown(report: RangeReport, title: string, label: string, rows: readonly BreakdownRow[]): string | undefined {
  if (rows.length === 0) return undefined;
  const shown = rows.slice(0, MAX_TABLE_ROWS).map((row) => [md(row.key), String(row.aiLines), percent(row.reviewedLines, row.aiLines), percent(signedColumn(report, row), row.aiLines)]);
  return details(`${title} (${rows.length})`, table([label, 'AI lines', 'Reviewed', signedTitle(report)], shown, rows.length));
}

export function reportMarkdown(report: RangeReport, options: { readonly maxChars?: number; readonly sections?: readonly MarkdownSection[] } = {}): string {
  const maxChars = options.maxChars ?? DEFAULT_MARKDOWN_MAX_CHARS;
  const parts: string[] = [];
  parts.push(`### Vouch report: ${md(report.range)}`);
  const unreviewed = report.aiLines - report.reviewedLines;
  parts.push(
    [
      `**${report.aiLines}** of ${report.addedLines} added lines were written by AI (${percent(report.aiLines, report.addedLines)}) in ${report.commits} commit(s), ${report.commitsWithRecords} with Vouch records.`,
      `Reviewed: **${percent(report.reviewedLines, report.aiLines)}** (${report.reviewedLines} lines) · ${
        report.signaturesVerified
          ? `Signed: **${percent(report.signedLines, report.aiLines)}** (${report.signedLines} lines; signatures verified against the auditor's keys)`
          : `Signed: **not verified** (no allowed signers or OpenPGP keyring given); signature present on ${percent(report.signaturePresentLines, report.aiLines)} (${report.signaturePresentLines} lines)`
      }`,
    ].join('  \n'),
  );
  // U+26A0 without its emoji variation selector: output escapes every default-ignorable character.
  const warnings: string[] = [];
  if (unreviewed > 0) warnings.push(`⚠ ${unreviewed} AI line(s) are not reviewed.`);
  if (report.staleRanges > 0) warnings.push(`⚠ ${report.staleRanges} recorded AI range(s) no longer match their commit (stale).`);
  if (report.unreadableRecords > 0) warnings.push(`⚠ ${report.unreadableRecords} note record(s) could not be read.`);
  if (report.riskBlocks.length > 0) warnings.push(`🔎 ${report.riskBlocks.length + report.riskBlocksOmitted} AI block(s) carry risk hints.`);
  if (warnings.length > 0) parts.push(warnings.join('  \n'));
  for (const section of options.sections ?? []) parts.push(details(section.title, section.markdown, section.open));
  if (report.files.length > 0) {
    const rows = report.files
      .slice(0, MAX_TABLE_ROWS)
      .map((file) => [md(file.path, 300), String(file.addedLines), String(file.aiLines), percent(file.aiLines, file.addedLines), percent(file.reviewedLines, file.aiLines), percent(signedColumn(report, file), file.aiLines), file.tools.map((tool) => md(tool, 60)).join(', ')]);
    parts.push(details(`Files (${report.files.length})`, table(['File', 'Added', 'AI', 'AI share', 'Reviewed', signedTitle(report), 'Tools'], rows, report.files.length), true));
  }
  const breakdowns = [
    breakdown(report, 'By tool', 'Tool', report.byTool),
    breakdown(report, 'By model', 'Model', report.byModel),
    breakdown(report, 'By agent principal', 'Agent', report.byAgent),
    breakdown(report, 'By commit author', 'Author', report.byAuthor),
    breakdown(report, 'By reviewer', 'Reviewer', report.byReviewer),
  ].filter((part): part is string => part !== undefined);
  parts.push(...breakdowns);
  if (report.riskBlocks.length > 0) {
    const items = report.riskBlocks.slice(0, MAX_TABLE_ROWS).map((block) => {
      const who = block.reviewer ? `reviewed by ${md(block.reviewer)}` : '**not reviewed**';
      const hints = block.hints.map((hint) => `  - line ${hint.line}: ${md(hint.message)}`).join('\n');
      return `- ${md(block.path, 300)} lines ${block.start}-${block.end} (commit ${block.commit.slice(0, 12)}, ${md(block.tool, 60)}${block.model ? ` ${md(block.model, 80)}` : ''}), ${who}\n${hints}`;
    });
    const more = report.riskBlocks.length + report.riskBlocksOmitted - items.length;
    if (more > 0) items.push(`\nand ${more} more`);
    parts.push(details(`AI blocks with risk hints (${report.riskBlocks.length + report.riskBlocksOmitted})`, items.join('\n')));
  }
  parts.push('<sub>Generated by `vouch report --markdown`. Full data: `vouch report --json`.</sub>');
  return fitMarkdown(`${parts.join('\n\n')}\n`, maxChars);
}

/** Cuts Markdown at a line boundary to at most `maxChars`, closes open details blocks, and says what was cut. */
export function fitMarkdown(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const note = (omitted: number) => `\n\n**Report truncated:** ${omitted} characters left out to stay within ${maxChars} characters. Run \`vouch report --json\` for everything.\n`;
  const budget = maxChars - note(text.length).length - 64;
  let cut = text.lastIndexOf('\n', Math.max(0, budget));
  if (cut < 0) cut = 0;
  let kept = text.slice(0, cut);
  const open = (kept.match(/<details[ >]/g) ?? []).length - (kept.match(/<\/details>/g) ?? []).length;
  for (let index = 0; index < open; index++) kept += '\n\n</details>';
  return `${kept}${note(text.length - cut)}`;
}

/**
 * What a range of commits holds, from their Vouch records: how many of the added lines AI wrote,
 * how many of those a person reviewed and how many are covered by a signed record, broken down by
 * tool, model, agent principal, commit author and reviewer, per file, and the AI blocks that carry
 * risk hints. Pure: the git layer reads commits, notes and blobs and hands them in.
 *
 * Counting: per commit and file, an AI line is a line of the commit's blob inside a recorded range
 * whose text still matches (valid or moved); stale ranges are counted apart, since where their lines
 * are is unknown. Rejected ranges still present count as AI lines that are not reviewed. The added
 * lines of a file are the lines the commit added or changed against its first parent, together with
 * its AI lines (a record carried from another commit can hold lines this one kept).
 */
import type { NoteRange, NoteRecord } from '../notes/noteRecord';
import type { RecordCheck } from '../notes/recordCheck';
import { findRiskHints, type RiskCategory } from '../review/riskHints';
import { reviewSignatureCount, reviewSignerOf, type CarryOrigin } from '../notes/carryChain';
import { agentClaimLabel, agentClaimOf, UNCHECKED_SIGNATURES, type AgentClaimState, type SignatureVerdicts } from './signatureVerdicts';

export interface ReportRecordInput {
  readonly record: NoteRecord;
  readonly check: RecordCheck | undefined;
  /**
   * Where the record's reviews are signed (core/notes/carryChain.ts): the record itself, or for a
   * record `vouch reconcile` carried, the record it was carried from. Without it a carried record's
   * reviews count as unsigned (its own signature never counts).
   */
  readonly origin?: CarryOrigin;
}

export interface ReportCommitInput {
  readonly commit: string;
  /** `Name <email>` of the commit's author. */
  readonly author: string;
  /** Per path: the 1-based lines the commit added or changed against its first parent. */
  readonly addedLines: ReadonlyMap<string, ReadonlySet<number>>;
  readonly records: readonly ReportRecordInput[];
  /** Note lines that were not readable records. */
  readonly unreadableRecords: number;
  /** The lines of a file in this commit (for risk hints), or undefined when it was not read. */
  readonly fileLines: (path: string) => readonly string[] | undefined;
}

export interface LineCounts {
  readonly aiLines: number;
  readonly reviewedLines: number;
  /** Reviewed lines whose reviewer's signature verifies against the auditor's keys (0 when none were given). */
  readonly signedLines: number;
  /** Lines in a record that carries a signature, whether or not it verifies. */
  readonly signaturePresentLines: number;
}

export interface BreakdownRow extends LineCounts {
  readonly key: string;
  /** By agent principal only: the principal the claim names, and whether its signature verified. */
  readonly agentPrincipal?: string;
  readonly agentClaim?: AgentClaimState | 'none';
}

export interface FileRow extends LineCounts {
  readonly path: string;
  readonly addedLines: number;
  readonly tools: readonly string[];
}

export interface RiskBlock {
  readonly commit: string;
  readonly path: string;
  readonly start: number;
  readonly end: number;
  readonly tool: string;
  readonly model?: string;
  /** Accepted by a reviewer (`Name <email>`), or undefined when not reviewed. */
  readonly reviewer?: string;
  readonly categories: readonly RiskCategory[];
  readonly hints: readonly { readonly category: RiskCategory; readonly message: string; readonly line: number }[];
}

export interface RangeReport extends LineCounts {
  readonly range: string;
  /** Whether signatures were verified against keys the auditor gave (else `signedLines` is 0 and only presence is known). */
  readonly signaturesVerified: boolean;
  readonly commits: number;
  readonly commitsWithRecords: number;
  readonly addedLines: number;
  /** Recorded ranges whose text is no longer in the commit's file (not counted as lines). */
  readonly staleRanges: number;
  readonly unreadableRecords: number;
  readonly byTool: readonly BreakdownRow[];
  readonly byModel: readonly BreakdownRow[];
  readonly byAgent: readonly BreakdownRow[];
  readonly byAuthor: readonly BreakdownRow[];
  readonly byReviewer: readonly BreakdownRow[];
  readonly files: readonly FileRow[];
  readonly riskBlocks: readonly RiskBlock[];
  /** Risk blocks beyond the list's limit. */
  readonly riskBlocksOmitted: number;
}

export const NOT_REVIEWED = '(not reviewed)';
export const NO_MODEL = '(model not recorded)';
const MAX_RISK_BLOCKS = 500;
const MAX_RISK_BLOCK_LINES = 2_000;

interface LineFacts {
  readonly tool: string;
  readonly model: string;
  readonly agent: string;
  readonly agentExtra: Pick<BreakdownRow, 'agentPrincipal' | 'agentClaim'>;
  readonly reviewer: string;
  readonly reviewed: boolean;
  readonly signed: boolean;
  readonly signaturePresent: boolean;
}

class Tally {
  private readonly rows = new Map<string, { aiLines: number; reviewedLines: number; signedLines: number; signaturePresentLines: number; extra: object }>();

  add(key: string, facts: LineFacts, extra: object = {}): void {
    let row = this.rows.get(key);
    if (!row) this.rows.set(key, (row = { aiLines: 0, reviewedLines: 0, signedLines: 0, signaturePresentLines: 0, extra }));
    row.aiLines++;
    if (facts.reviewed) row.reviewedLines++;
    if (facts.signed) row.signedLines++;
    if (facts.signaturePresent) row.signaturePresentLines++;
  }

  /** Largest first, then by key, so the output is stable. */
  sorted(): BreakdownRow[] {
    return [...this.rows]
      .map(([key, { extra, ...row }]) => ({ key, ...row, ...extra }))
      .sort((a, b) => b.aiLines - a.aiLines || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }
}

export function reviewerKey(reviewer: { readonly name: string; readonly email: string }): string {
  return `${reviewer.name} <${reviewer.email}>`;
}

function originOf(input: ReportRecordInput): CarryOrigin {
  if (input.origin) return input.origin;
  return input.record.statement.predicate.carriedFrom ? { kind: 'broken', sourceFound: false, detail: 'the record it was carried from was not read' } : { kind: 'own' };
}

/** The lines a range covers in the commit now (moved ranges where they were found), or undefined when stale. */
function currentLines(range: NoteRange, check: RecordCheck | undefined, fileIndex: number, rangeIndex: number): { start: number; end: number } | undefined {
  const status = check?.files[fileIndex]?.ranges[rangeIndex];
  if (!status || status.status === 'stale') return undefined;
  const start = status.status === 'moved' && status.movedTo !== undefined ? status.movedTo : range.start;
  return { start, end: start + (range.end - range.start) };
}

/**
 * `verdicts`: the auditor's signature verdicts (`vouch verify`'s checks); a line counts as signed
 * only when its reviewer's signature verifies, and an agent principal is named as such only when
 * its claim verifies.
 */
export function buildRangeReport(range: string, commits: readonly ReportCommitInput[], verdicts: SignatureVerdicts = UNCHECKED_SIGNATURES): RangeReport {
  const tallies = { tool: new Tally(), model: new Tally(), agent: new Tally(), author: new Tally(), reviewer: new Tally() };
  const fileRows = new Map<string, { addedLines: number; aiLines: number; reviewedLines: number; signedLines: number; signaturePresentLines: number; tools: Set<string> }>();
  const riskBlocks: RiskBlock[] = [];
  let riskBlocksOmitted = 0;
  let staleRanges = 0;
  let unreadableRecords = 0;
  let commitsWithRecords = 0;
  for (const commit of commits) {
    unreadableRecords += commit.unreadableRecords;
    if (commit.records.length > 0 || commit.unreadableRecords > 0) commitsWithRecords++;
    // Per path, line -> facts; a reviewed claim wins over an unreviewed one for the same line.
    const linesByPath = new Map<string, Map<number, LineFacts>>();
    for (const input of commit.records) {
      input.record.statement.predicate.files.forEach((file, fileIndex) => {
        file.ranges.forEach((noteRange, rangeIndex) => {
          const lines = currentLines(noteRange, input.check, fileIndex, rangeIndex);
          if (!lines) {
            staleRanges++;
            return;
          }
          const review = noteRange.review;
          // An accepted review counts when it covers the committed lines (not of text changed after it: vouch verify's reviewed-text-differs).
          const reviewed = review?.decision === 'accepted' && input.check?.files[fileIndex]?.ranges[rangeIndex]?.reviewCovers !== false;
          const claim = agentClaimOf(commit.commit, file.path, noteRange, verdicts);
          const facts: LineFacts = {
            tool: noteRange.origin.tool,
            model: noteRange.origin.model ?? NO_MODEL,
            agent: agentClaimLabel(claim),
            agentExtra: { ...(claim?.principal !== undefined ? { agentPrincipal: claim.principal } : {}), agentClaim: claim?.state ?? 'none' },
            reviewer: review && reviewed ? reviewerKey(review.reviewer) : NOT_REVIEWED,
            reviewed,
            signed: review?.decision === 'accepted' && verdicts.reviewer(commit.commit, file.path, noteRange.start, noteRange.end, review.reviewer.email) !== undefined,
            signaturePresent: reviewSignatureCount(reviewSignerOf(commit.commit, input.record, originOf(input), file.path, noteRange)) > 0,
          };
          let byLine = linesByPath.get(file.path);
          if (!byLine) linesByPath.set(file.path, (byLine = new Map()));
          for (let line = lines.start; line <= lines.end; line++) {
            // Several records may hold a line (a later approval repeats it): the strongest one speaks for it.
            const earlier = byLine.get(line);
            if (!earlier || strength(facts) > strength(earlier)) byLine.set(line, facts);
          }
          const hinted = riskOf(commit, file.path, lines, facts, review && reviewed ? reviewerKey(review.reviewer) : undefined);
          if (hinted) {
            if (riskBlocks.length < MAX_RISK_BLOCKS) riskBlocks.push(hinted);
            else riskBlocksOmitted++;
          }
        });
      });
    }
    const paths = new Set([...commit.addedLines.keys(), ...linesByPath.keys()]);
    for (const path of paths) {
      const added = commit.addedLines.get(path);
      const ai = linesByPath.get(path);
      let addedCount = added?.size ?? 0;
      if (ai) for (const line of ai.keys()) if (!added?.has(line)) addedCount++;
      let row = fileRows.get(path);
      if (!row) fileRows.set(path, (row = { addedLines: 0, aiLines: 0, reviewedLines: 0, signedLines: 0, signaturePresentLines: 0, tools: new Set() }));
      row.addedLines += addedCount;
      if (!ai) continue;
      for (const facts of ai.values()) {
        row.aiLines++;
        if (facts.reviewed) row.reviewedLines++;
        if (facts.signed) row.signedLines++;
        if (facts.signaturePresent) row.signaturePresentLines++;
        row.tools.add(facts.tool);
        tallies.tool.add(facts.tool, facts);
        tallies.model.add(facts.model, facts);
        tallies.agent.add(facts.agent, facts, facts.agentExtra);
        tallies.author.add(commit.author, facts);
        tallies.reviewer.add(facts.reviewer, facts);
      }
    }
  }
  const files: FileRow[] = [...fileRows]
    .map(([path, row]) => ({ path, addedLines: row.addedLines, aiLines: row.aiLines, reviewedLines: row.reviewedLines, signedLines: row.signedLines, signaturePresentLines: row.signaturePresentLines, tools: [...row.tools].sort() }))
    .sort((a, b) => b.aiLines - a.aiLines || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const sum = (key: 'addedLines' | 'aiLines' | 'reviewedLines' | 'signedLines' | 'signaturePresentLines') => files.reduce((total, row) => total + row[key], 0);
  return {
    range,
    signaturesVerified: verdicts.checked,
    commits: commits.length,
    commitsWithRecords,
    addedLines: sum('addedLines'),
    aiLines: sum('aiLines'),
    reviewedLines: sum('reviewedLines'),
    signedLines: sum('signedLines'),
    signaturePresentLines: sum('signaturePresentLines'),
    staleRanges,
    unreadableRecords,
    byTool: tallies.tool.sorted(),
    byModel: tallies.model.sorted(),
    byAgent: tallies.agent.sorted(),
    byAuthor: tallies.author.sorted(),
    byReviewer: tallies.reviewer.sorted(),
    files,
    riskBlocks,
    riskBlocksOmitted,
  };
}

/** Reviewed beats unreviewed, then a verified signature, then a present one. */
function strength(facts: LineFacts): number {
  return (facts.reviewed ? 4 : 0) + (facts.signed ? 2 : 0) + (facts.signaturePresent ? 1 : 0);
}

function riskOf(commit: ReportCommitInput, path: string, lines: { start: number; end: number }, facts: LineFacts, reviewer: string | undefined): RiskBlock | undefined {
  const fileLines = commit.fileLines(path);
  if (!fileLines || lines.end > fileLines.length || lines.end - lines.start >= MAX_RISK_BLOCK_LINES) return undefined;
  const code = fileLines.slice(lines.start - 1, lines.end).join('\n');
  const hints = findRiskHints(code, path, { textBefore: fileLines.slice(0, lines.start - 1).join('\n') });
  if (hints.length === 0) return undefined;
  return {
    commit: commit.commit,
    path,
    start: lines.start,
    end: lines.end,
    tool: facts.tool,
    ...(facts.model !== NO_MODEL ? { model: facts.model } : {}),
    ...(reviewer ? { reviewer } : {}),
    categories: [...new Set(hints.map((hint) => hint.category))],
    hints: hints.map((hint) => ({ category: hint.category, message: hint.message, line: lines.start + hint.line - 1 })),
  };
}

/** `n / total` as a whole percentage (`<1%` for a small non-zero share), `-` when total is 0. */
export function percent(n: number, total: number): string {
  if (total <= 0) return '-';
  if (n === 0) return '0%';
  const value = (n / total) * 100;
  if (value < 1) return '<1%';
  if (value > 99 && n < total) return '>99%';
  return `${Math.round(value)}%`;
}

/** The lines a "signed" column counts: verified signatures, or without the auditor's keys the records that merely carry one. */
export function signedColumn(report: Pick<RangeReport, 'signaturesVerified'>, counts: LineCounts): number {
  return report.signaturesVerified ? counts.signedLines : counts.signaturePresentLines;
}

/** The heading of that column. */
export function signedColumnTitle(report: Pick<RangeReport, 'signaturesVerified'>): string {
  return report.signaturesVerified ? 'signed' : 'signature present (not verified)';
}

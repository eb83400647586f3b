/** `vouch status`: the AI-written blocks in the working state (uncommitted attribution) and their review state. */
import { display, displayLines, jsonOutput, type DisplayText } from '../../core/text/displayText';
import { parseArgs } from 'node:util';
import type { AttributedSpan, Origin } from '../../core/attribution';
import { blockNeedsReview, type BlockState, type ReviewBlock } from '../../core/review/reviewModel';
import { GitRunner } from '../../git/gitRunner';
import { findRepository } from '../../git/repository';
import { workingFileBlocks } from '../../git/staging/workingBlocks';
import { WorkingStateStore } from '../../git/workingStateStore';
import { followRenamedDocuments } from '../../git/staging/renamedFiles';
import type { CliCommand, CliIo } from '../cli';
import { runCliCommand } from '../commandErrors';
import { stderrLogger } from '../cliLogger';
import { lineRangeLabel } from '../../core/text/lines';
import { english } from '../../core/text/translate';
import { printHelp } from '../commandOptions';

const HELP = `Usage: vouch status [--json]

Lists the files whose uncommitted content holds AI-written blocks, as recorded by the
Vouch extension and 'vouch mark', with the lines of each block in the file as it is now
and whether a person has reviewed it.

Options:
  --json        print JSON (format below) instead of text
  -h, --help    show this help

JSON format (stable; "version" changes only on incompatible changes):
  {
    "version": 2,
    "repository": "<absolute path of the working tree's top level>",
    "files": [
      {
        "path": "src/app.ts",          repository-relative, '/'-separated
        "exists": true,                false when the file is gone or not a regular file (then "blocks" is [])
        "blocks": [
          {
            "startLine": 3,            1-based
            "endLine": 7,              1-based, inclusive
            "review": "unreviewed",    "unreviewed" | "accepted" | "rejected-but-present"
                                       | "changed-after-review"
            "origins": [ { "kind": "agent", "tool": "claude-code", "model": "..." } ],
            "spanIds": [ "..." ]
          }
        ]
      }
    ],
    "totals": { "files": 1, "blocks": 1, "unreviewedBlocks": 1 }
  }
  Files are sorted by path, blocks by line. "model" and "session" appear in an origin only
  when known. Blocks and their state are the ones 'vouch check' and the editor use: a
  block is "accepted" only when every span in it was accepted and its text is still the
  text that was reviewed; "changed-after-review" when that text changed since;
  "rejected-but-present" when rejected AI text is still there; any span without a review
  makes it "unreviewed". Every state but "accepted" counts in "unreviewedBlocks".

Exit status: 0 listed; 1 failed (e.g. not a git repository); 2 usage error.
`;

/** 2: block states are the review model's ("rejected" became "rejected-but-present"; "changed-after-review" is new). */
export const STATUS_JSON_VERSION = 2;

export type BlockReview = BlockState;

export interface StatusBlock {
  readonly startLine: number;
  readonly endLine: number;
  readonly review: BlockReview;
  readonly origins: Origin[];
  readonly spanIds: string[];
}

export interface StatusFile {
  readonly path: string;
  readonly exists: boolean;
  readonly blocks: StatusBlock[];
}

export interface StatusReport {
  readonly version: typeof STATUS_JSON_VERSION;
  readonly repository: string;
  readonly files: StatusFile[];
  readonly totals: { readonly files: number; readonly blocks: number; readonly unreviewedBlocks: number };
}

export const statusCommand: CliCommand = {
  summary: 'list AI-written blocks in uncommitted files and their review state',
  run: (args, io) => runCliCommand('status', io, () => runStatus(args, io)),
};

async function runStatus(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args, strict: true, allowPositionals: false, options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) return printHelp(io, HELP);
  const report = await buildStatusReport(io);
  io.stdout(values.json === true ? jsonOutput(report) : formatReport(report));
  return 0;
}

async function buildStatusReport(io: CliIo): Promise<StatusReport> {
  const git = new GitRunner();
  const repository = await findRepository(git, io.cwd);
  const logger = stderrLogger(io);
  const store = new WorkingStateStore(repository, git, logger);
  // A file renamed with git mv (staged) shows its AI blocks under the new name.
  // The working state is read once, here, and handed on.
  const { followed, documents } = await followRenamedDocuments(git, repository.topLevel, store, { staged: {} }, await store.loadAll());
  for (const rename of followed) logger.warn(`vouch: ${rename.from} was renamed to ${rename.to}; its AI marks follow it`);
  const files: StatusFile[] = [];
  for (const document of documents) {
    const working = await workingFileBlocks(store, document.path, document.path, document);
    if (!working) continue;
    if (!working.exists) files.push({ path: document.path, exists: false, blocks: [] });
    else if (working.blocks.length > 0) {
      const spanById = new Map(working.spans.map((span) => [span.id, span]));
      files.push({ path: document.path, exists: true, blocks: working.blocks.map((block) => statusBlockOf(block, spanById)) });
    }
  }
  const blocks = files.flatMap((file) => file.blocks);
  return {
    version: STATUS_JSON_VERSION,
    repository: repository.topLevel,
    files,
    totals: { files: files.length, blocks: blocks.length, unreviewedBlocks: blocks.filter((block) => blockNeedsReview(block.review)).length },
  };
}

function statusBlockOf(block: ReviewBlock, spanById: ReadonlyMap<string, AttributedSpan>): StatusBlock {
  const origins: Origin[] = [];
  for (const id of block.spanIds) {
    const span = spanById.get(id);
    if (span && !origins.some((origin) => sameOrigin(origin, span.origin))) origins.push(originForJson(span.origin));
  }
  return { startLine: block.startLine, endLine: block.endLine, review: block.state, origins, spanIds: block.spanIds.slice() };
}

function sameOrigin(a: Origin, b: Origin): boolean {
  return a.kind === b.kind && a.tool === b.tool && a.model === b.model && a.session === b.session;
}

/** A fixed key order, so the JSON output is stable. */
function originForJson(origin: Origin): Origin {
  return {
    kind: origin.kind,
    tool: origin.tool,
    ...(origin.model === undefined ? {} : { model: origin.model }),
    ...(origin.session === undefined ? {} : { session: origin.session }),
  };
}

function formatReport(report: StatusReport): DisplayText {
  if (report.files.length === 0) return display`No AI-written code in uncommitted changes.\n`;
  const lines: DisplayText[] = [];
  for (const file of report.files) {
    lines.push(file.exists ? display`${file.path}` : display`${file.path}  (file is gone or not a regular file)`);
    for (const block of file.blocks) {
      const range = lineRangeLabel(block, english);
      const origins = block.origins.map((origin) => `${origin.tool}${origin.model ? ` (${origin.model})` : ''} [${origin.kind}]`).join(', ');
      lines.push(display`  ${range.padEnd(16)} ${block.review.padEnd(20)}  ${origins}`);
    }
  }
  const { files, blocks, unreviewedBlocks } = report.totals;
  lines.push(display``, display`${blocks} AI block${blocks === 1 ? '' : 's'} in ${files} file${files === 1 ? '' : 's'}, ${unreviewedBlocks} waiting for review.`);
  return displayLines(lines);
}

/**
 * `vouch mark`: an explicit report that AI wrote some lines of a file, for agent hooks (Claude
 * Code's PostToolUse, Copilot CLI hooks...). It writes the shared working state, which the editor
 * picks up.
 */
import { DISPLAY_SAFE_NAME, display } from '../../core/text/displayText';
import { parseArgs } from 'node:util';
import type { OriginKind } from '../../core/attribution';
import { ORIGIN_KINDS } from '../../core/attribution';
import { AttributionLedger } from '../../core/ledger/attributionLedger';
import { hashLines, splitLines } from '../../core/notes/lineRanges';
import { buildClaimEnvelope } from '../../core/signing/attributionClaim';
import { preAuthEncoding } from '../../core/signing/dsse';
import { findRepository } from '../../git/repository';
import { saveClaim } from '../../git/signing/claimStore';
import { createPayloadSigner } from '../../git/signing/recordSigners';
import { agentKeyChoice } from '../../git/signing/signingKey';
import { GitRunner } from '../../git/gitRunner';
import { readWorkingTreeText, resolveUserFile } from '../../git/repository';
import { DEFAULT_FILE_LOCK_OPTIONS } from '../../git/workingState/fileLock';
import { WorkingStateStore } from '../../git/workingStateStore';
import type { CliCommand, CliIo } from '../cli';
import { stderrLogger } from '../cliLogger';
import { CliFailure, CliUsageError, runCliCommand } from '../commandErrors';
import { assertRecordableFile } from '../userPaths';
import { errorMessage } from '../../core/errorMessage';
import { lineStartOffsets } from '../../core/text/lines';
import { parseLineRange } from '../lineRangeOption';
import { printHelp } from '../commandOptions';

const HELP = `Usage: vouch mark <path> --lines A-B [--lines C-D ...] --tool NAME [options]

Records that an AI tool wrote lines of a file, in the working state that the Vouch
extension and 'vouch status' read (under the repository's git directory). Meant for
agent hooks, e.g. Claude Code's PostToolUse hook or Copilot CLI hooks.

Options:
  --lines A-B     lines to mark, 1-based and inclusive; "A" alone marks one line;
                  repeat the option for several ranges (required)
  --tool NAME     the AI tool, e.g. claude-code, copilot-cli, aider (required)
  --model M       the model, when known
  --kind K        how the text arrived: ${ORIGIN_KINDS.join(', ')}
                  (default: agent)
  --session S     the tool's session id, when known
  --sign          also sign an attribution claim for the lines with the agent's
                  own key ("principal P, tool, model, session wrote lines whose
                  sha256 is H"); the commit's record carries it and 'vouch verify
                  --allowed-signers' reports whether it is valid for P
  --key KEY       the agent's key for --sign (default: VOUCH_AGENT_SIGNING_KEY): an
                  SSH key file, a .pub or literal key held in ssh-agent, or a GPG key id
  --principal P   who signs, as the allowed signers file names it (default:
                  VOUCH_AGENT_PRINCIPAL), e.g. claude-code@ci.example.com
  -h, --help      show this help

The lines refer to the file as it is now. Marks already recorded for the file are
first moved onto its current content, so earlier marks stay on their text.

Exit status: 0 marked; 1 failed (not a git repository, file missing, state not
writable); 2 usage error (bad options, bad line range, path outside the repository).
`;

const MAX_NAME_LENGTH = 200;
/** How long `vouch mark` waits for another writer's lock on the working state. */
export const MARK_LOCK_WAIT_MS = 30_000;

export const markCommand: CliCommand = {
  summary: 'record that an AI tool wrote lines of a file (for agent hooks)',
  run: (args, io) => runCliCommand('mark', io, () => mark(args, io)),
};

async function mark(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseMarkArgs(args);
  if (values.help) return printHelp(io, HELP);
  if (positionals.length !== 1) throw new CliUsageError(positionals.length === 0 ? 'missing <path>' : `expected one path, got ${positionals.length}`);
  const lineRanges = (values.lines ?? []).map(parseLineRange);
  if (lineRanges.length === 0) throw new CliUsageError('missing --lines A-B');
  const tool = requireName(values.tool, '--tool');
  const kind = (values.kind ?? 'agent') as OriginKind;
  if (!ORIGIN_KINDS.includes(kind)) throw new CliUsageError(`--kind must be one of ${ORIGIN_KINDS.join(', ')}`);
  const model = values.model === undefined ? undefined : requireName(values.model, '--model');
  const session = values.session === undefined ? undefined : requireName(values.session, '--session');
  const keyValue = values.key ?? process.env.VOUCH_AGENT_SIGNING_KEY;
  const principalValue = values.principal ?? process.env.VOUCH_AGENT_PRINCIPAL;
  if (!values.sign && (values.key !== undefined || values.principal !== undefined)) throw new CliUsageError('--key and --principal go with --sign');
  if (values.sign && !keyValue?.trim()) throw new CliUsageError('--sign needs a key: --key KEY or VOUCH_AGENT_SIGNING_KEY');
  const principal = values.sign ? requireName(principalValue, '--principal (or VOUCH_AGENT_PRINCIPAL)') : undefined;

  const git = new GitRunner();
  const { repository, resolved, nested } = await resolveUserFile(git, io.cwd, positionals[0]);
  assertRecordableFile(repository, resolved, positionals[0]);
  const text = await readWorkingTreeText(repository, resolved.repoPath);
  if (text === undefined) throw new CliFailure(`no such file: ${resolved.absolutePath}`);

  const ranges = toCharacterRanges(text, lineRanges, resolved.repoPath);
  // An agent hook has no one to retry for it: wait out a live writer's lock for longer than the
  // editor would (a dead writer's lock is broken at once).
  const store = new WorkingStateStore(repository, git, stderrLogger(io), { lock: { ...DEFAULT_FILE_LOCK_OPTIONS, maxWaitMs: MARK_LOCK_WAIT_MS } });
  const current = await store.loadForText(resolved.repoPath, text);
  const ledger = AttributionLedger.fromSpans(current?.spans ?? []);
  const origin = { kind, tool, ...(model === undefined ? {} : { model }), ...(session === undefined ? {} : { session }) };
  for (const range of ranges) ledger.markRange(range.start, range.end, { kind: 'ai', origin, confidence: 'high' }, text.slice(range.start, range.end));
  await store.save(resolved.repoPath, ledger.spans(), text, { base: current?.base });
  const described = mergeLineRanges(lineRanges).map(([first, last]) => (first === last ? `${first}` : `${first}-${last}`));
  const where = nested ? ` in the repository at ${repository.topLevel}` : '';
  io.stdout(display`marked lines ${described.join(', ')} of ${resolved.repoPath}${where} as written by ${tool}\n`);
  if (values.sign && keyValue && principal) {
    const signer = createPayloadSigner(agentKeyChoice(keyValue, values.key !== undefined ? '--key' : 'VOUCH_AGENT_SIGNING_KEY', process.env, io.cwd));
    const lines = splitLines(text);
    const createdAt = new Date().toISOString();
    for (const [first, last] of mergeLineRanges(lineRanges)) {
      const claim = buildClaimEnvelope({ principal, tool, ...(model === undefined ? {} : { model }), ...(session === undefined ? {} : { session }), kind, path: resolved.repoPath, start: first, end: last, sha256: hashLines(lines, first, last), createdAt });
      let signature;
      try {
        signature = await signer.sign(preAuthEncoding(claim.envelope.payloadType, claim.payloadBytes));
      } catch (error) {
        throw new CliFailure(`the lines are marked, but the claim could not be signed: ${errorMessage(error)}`);
      }
      await saveClaim((await findRepository(git, repository.topLevel)).commonDir, { ...claim.envelope, signatures: [signature] });
      io.stdout(display`signed the claim for lines ${first}-${last} as ${principal} (${signature.keyid ?? signer.description})\n`);
    }
  }
  return 0;
}

function parseMarkArgs(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      lines: { type: 'string', multiple: true },
      tool: { type: 'string' },
      model: { type: 'string' },
      kind: { type: 'string' },
      session: { type: 'string' },
      sign: { type: 'boolean' },
      key: { type: 'string' },
      principal: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

/** Why `value` cannot be a tool, model or session name (undefined when it can, after trimming). */
export function markNameProblem(value: string, option: string): string | undefined {
  const trimmed = value.trim();
  if (trimmed.length === 0) return `${option} is empty`;
  if (trimmed.length > MAX_NAME_LENGTH) return `${option} is longer than ${MAX_NAME_LENGTH} characters`;
  if (!DISPLAY_SAFE_NAME.test(trimmed)) return `${option} contains control, invisible or bidi characters, or starts like a CI workflow command`;
  return undefined;
}

function requireName(value: string | undefined, option: string): string {
  if (value === undefined) throw new CliUsageError(`missing ${option}`);
  const problem = markNameProblem(value, option);
  if (problem !== undefined) throw new CliUsageError(problem);
  return value.trim();
}

/** Sorted ranges with overlapping or adjacent ones joined, so each marked block becomes one span. */
function mergeLineRanges(ranges: readonly [number, number][]): [number, number][] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [first, last] of sorted) {
    const previous = merged[merged.length - 1];
    if (previous && first <= previous[1] + 1) previous[1] = Math.max(previous[1], last);
    else merged.push([first, last]);
  }
  return merged;
}

/** Character ranges from the start of the first line to the end of the last line's content. */
function toCharacterRanges(text: string, ranges: readonly [number, number][], repoPath: string): { start: number; end: number }[] {
  const lineStarts = lineStartOffsets(text);
  // A final newline ends the last line; it does not start another one.
  const lineCount = text.length === 0 ? 0 : text.endsWith('\n') ? lineStarts.length - 1 : lineStarts.length;
  return mergeLineRanges(ranges).map(([first, last]) => {
    if (last > lineCount) {
      throw new CliUsageError(`--lines ${first}-${last}: ${repoPath} has ${lineCount} line${lineCount === 1 ? '' : 's'}`);
    }
    const end = last < lineStarts.length ? lineStarts[last] - 1 : text.length;
    return { start: lineStarts[first - 1], end };
  });
}

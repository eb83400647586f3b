/**
 * `vouch agent-hook <agent>`: the command every hook installed by `vouch install-agent-hooks`
 * runs. It reads the agent's post-edit payload on stdin, finds the lines the agent wrote in each
 * file and records them with `vouch mark` (exact ranges, tool, model, session).
 *
 * It never fails the agent's tool call: whatever happens it exits 0, prints `{}` (the empty
 * hook answer every agent accepts) and reports problems on stderr. Input is bounded in size and
 * time, and the whole run has a deadline.
 */
import { markNameProblem } from './commands/mark';
import { readRegularFile } from '../git/regularFile';
import { readStdinBounded } from './boundedInput';
import { display, ownText } from '../core/text/displayText';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { AGENT_IDS, lineRangesOfWrites, parseAgentPayload, type AgentId } from '../core/agentEdits';
import type { CliCommand, CliIo } from './cli';
import { cliErrorText } from './commandErrors';
import { errorMessage } from '../core/errorMessage';

const HELP = `Usage: vouch agent-hook <${AGENT_IDS.join(' | ')}> [--input FILE]

Reads an AI agent's post-edit hook payload (JSON on stdin, or FILE to replay a recorded one)
and records the lines the agent wrote with 'vouch mark'. Installed by
'vouch install-agent-hooks'; not meant to be run by hand except to replay a payload.
Always exits 0 so that the agent's tool call never fails; problems go to stderr.
`;

export const MAX_PAYLOAD_BYTES = 16 * 1024 * 1024;
const MAX_FILE_BYTES = 50 * 1024 * 1024;
const STDIN_TIMEOUT_MS = 5_000;
const DEADLINE_MS = 20_000;

export interface AgentHookDependencies {
  /** Runs `vouch mark` with these arguments. */
  readonly mark: (args: string[], io: CliIo) => Promise<number>;
  /** Standard input, bounded; rejects when it is larger than `maxBytes` or not closed in time. */
  readonly readStdin?: (maxBytes: number, timeoutMs: number) => Promise<string>;
}

export function createAgentHookCommand(dependencies: AgentHookDependencies): CliCommand {
  return {
    summary: "record an agent's edit from its hook payload (installed by install-agent-hooks)",
    run: async (args, io) => {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          io.stderr(display`vouch agent-hook: gave up after ${DEADLINE_MS / 1000} s\n`);
          resolve();
        }, DEADLINE_MS);
        timer.unref?.();
      });
      try {
        const help = await Promise.race([runAgentHook(args, io, dependencies), deadline]);
        if (help === true) return 0;
      } catch (error) {
        io.stderr(display`vouch agent-hook: ${cliErrorText(error)}\n`);
      } finally {
        clearTimeout(timer);
      }
      io.stdout(ownText('{}\n'));
      return 0;
    },
  };
}

/** Returns true when it printed help instead. */
async function runAgentHook(args: string[], io: CliIo, dependencies: AgentHookDependencies): Promise<boolean> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, strict: true, options: { input: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    io.stdout(ownText(HELP));
    return true;
  }
  const agent = positionals[0] as AgentId | undefined;
  if (!agent || !AGENT_IDS.includes(agent) || positionals.length > 1) throw new Error(`expected one agent name (${AGENT_IDS.join(', ')})`);
  const raw = values.input !== undefined ? await readBounded(path.resolve(io.cwd, values.input), MAX_PAYLOAD_BYTES) : await (dependencies.readStdin ?? readHookPayload)(MAX_PAYLOAD_BYTES, STDIN_TIMEOUT_MS);
  let payload: unknown;
  try {
    // A payload written by a tool that starts its UTF-8 with a byte-order mark is still JSON.
    payload = JSON.parse(raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw);
  } catch {
    throw new Error('the hook payload is not JSON');
  }
  const report = parseAgentPayload(agent, payload);
  if (!report) return false; // not a file write: nothing to record
  if (report.kind === 'unreadable') {
    // A write this hook cannot read is said, not dropped in silence: the agent's lines go unmarked.
    io.stderr(display`vouch agent-hook: nothing recorded: ${report.toolName === undefined ? 'the payload' : `the ${report.toolName} call`} could not be read (${report.reason})\n`);
    return false;
  }
  if (report.kind === 'failed') {
    // The call wrote nothing, so the file's lines are not the agent's, whatever they say now.
    io.stderr(display`vouch agent-hook: nothing recorded: ${report.toolName} on ${report.paths.join(', ')} did not succeed (${report.reason})\n`);
    return false;
  }
  const base = report.cwd && path.isAbsolute(report.cwd) ? report.cwd : io.cwd;
  for (const write of report.files) {
    const file = path.resolve(base, write.path);
    let text: string;
    try {
      text = await readBounded(file, MAX_FILE_BYTES);
    } catch (error) {
      io.stderr(display`vouch agent-hook: cannot read ${file}: ${errorMessage(error)}\n`);
      continue;
    }
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    if (write.proposal === null) {
      io.stderr(display`vouch agent-hook: ${file}: nothing recorded: the person changed the agent's proposal before it was written, and the payload does not say what the agent proposed\n`);
      continue;
    }
    const { ranges, unplaced } = lineRangesOfWrites(text, write.evidence, write.proposal);
    if (unplaced > 0) io.stderr(display`vouch agent-hook: ${file}: ${unplaced} edit(s) not found in the file as it is now (changed since, or ambiguous); not marked\n`);
    if (ranges.length === 0) continue;
    // Values joined to their options (`--model=-x` is a value, `--model -x` an option), and a model
    // or session id mark would refuse left out with a word: the edit is recorded all the same.
    const optional = (option: '--model' | '--session', value: string | undefined): string[] => {
      if (!value) return [];
      const problem = markNameProblem(value, option);
      if (problem === undefined) return [`${option}=${value}`];
      io.stderr(display`vouch agent-hook: ${file}: recorded without the payload's ${option.slice(2)}: ${problem}\n`);
      return [];
    };
    const markArgs = [
      file,
      ...ranges.flatMap(([first, last]) => [`--lines=${first === last ? `${first}` : `${first}-${last}`}`]),
      `--tool=${report.tool}`,
      ...optional('--model', report.model),
      ...optional('--session', report.session),
    ];
    // mark's own report goes to stderr: some agents read stdout as the hook's JSON answer.
    const code = await dependencies.mark(markArgs, { cwd: path.dirname(file), stdout: io.stderr, stderr: io.stderr });
    if (code !== 0) io.stderr(display`vouch agent-hook: 'vouch mark' failed for ${file} (exit ${code})\n`);
  }
  return false;
}

function readHookPayload(maxBytes: number, timeoutMs: number): Promise<string> {
  return readStdinBounded(maxBytes, timeoutMs, 'hook payload');
}

async function readBounded(file: string, maxBytes: number): Promise<string> {
  const read = await readRegularFile(file, { maxBytes, followSymlink: true });
  if (read.kind === 'missing') throw new Error('no such file');
  if (read.kind !== 'ok') throw new Error(read.reason);
  return read.bytes.toString('utf8');
}

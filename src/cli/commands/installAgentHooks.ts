/**
 * `vouch install-agent-hooks`: writes each AI agent's post-edit hook configuration so that the
 * agent reports the lines it writes (`vouch agent-hook <agent>` → `vouch mark`). Configuration
 * files are JSON; Vouch's entry is merged into what is there, installing again changes nothing,
 * and `--uninstall` removes exactly Vouch's entries (a file Vouch created and left empty goes).
 */
import { UnreadableFileError, readRegularText } from '../../git/regularFile';
import { display, ownText } from '../../core/text/displayText';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { AGENT_IDS, type AgentId } from '../../core/agentEdits';
import { writeFileAtomic } from '../../git/atomicWrite';
import { RESOLVE_VOUCH_SHELL } from '../../git/vouchLauncher';
import { GitRunner } from '../../git/gitRunner';
import { findRepository } from '../../git/repository';
import type { CliCommand, CliIo } from '../cli';
import { CliFailure, CliUsageError, runCliCommand } from '../commandErrors';
import { errorMessage } from '../../core/errorMessage';
import { printHelp } from '../commandOptions';

const HELP = `Usage: vouch install-agent-hooks [${AGENT_IDS.join(' | ')} | all] [--user | --project] [--uninstall]

Sets up the hooks of AI coding agents so that each file edit they make is recorded with its
exact lines, tool, model and session ('vouch agent-hook' runs 'vouch mark'):
  claude-code  PostToolUse (Write|Edit|MultiEdit)   .claude/settings.json
  copilot      PostToolUse (Copilot CLI, cloud agent and VS Code agent mode)   .github/hooks/vouch.json
  cursor       afterFileEdit                       .cursor/hooks.json
  codex        PostToolUse (apply_patch|Edit|Write) .codex/hooks.json
  gemini       AfterTool (write_file|replace)      .gemini/settings.json
With no agent, all of them.

Options:
  --project    configure this repository (default; the files can be committed and shared)
  --user       configure the agents for your user account (~/.claude, ~/.copilot/hooks, ...)
  --uninstall  remove Vouch's hook entries (other hooks and settings are kept)
  -h, --help   show this help

Existing settings are kept: Vouch's entry is merged in, installing again changes nothing.
The hook finds 'vouch' on PATH, or the launcher the VS Code extension keeps at
~/.local/share/vouch/bin/vouch, and never fails the agent's tool call.

Exit status: 0 done; 1 failed (a configuration file is not valid JSON: it is left as it is); 2 usage error.
`;

export const installAgentHooksCommand: CliCommand = {
  summary: 'set up AI agents (Claude Code, Copilot, Cursor, Codex, Gemini) to report their edits exactly',
  run: (args, io) => runCliCommand('install-agent-hooks', io, () => runInstallAgentHooks(args, io)),
};

/** Where an agent keeps its hooks, and the shape of its hook list. */
interface AgentHookTarget {
  readonly agent: AgentId;
  /** The configuration file, relative to the project root or to the home directory. */
  readonly projectFile: string;
  readonly userFile: (home: string, env: NodeJS.ProcessEnv) => string;
  readonly event: string;
  /** 'grouped': hooks[event] = [{matcher, hooks: [entry]}]; 'flat': hooks[event] = [entry]. */
  readonly shape: 'grouped' | 'flat';
  readonly matcher?: string;
  /** Top-level fields a new file starts with (e.g. {version: 1}). */
  readonly fileDefaults?: Readonly<Record<string, unknown>>;
  readonly entry: (command: string) => Record<string, unknown>;
}

const HOOK_TIMEOUT_SECONDS = 30;

export const AGENT_HOOK_TARGETS: readonly AgentHookTarget[] = [
  {
    agent: 'claude-code',
    projectFile: '.claude/settings.json',
    userFile: (home) => path.join(home, '.claude', 'settings.json'),
    event: 'PostToolUse',
    shape: 'grouped',
    matcher: 'Write|Edit|MultiEdit',
    entry: (command) => ({ type: 'command', command, timeout: HOOK_TIMEOUT_SECONDS }),
  },
  {
    // PascalCase PostToolUse: the snake_case payload of VS Code's agent hooks, also in the Copilot CLI.
    agent: 'copilot',
    projectFile: '.github/hooks/vouch.json',
    userFile: (home, env) => path.join(env.COPILOT_HOME && path.isAbsolute(env.COPILOT_HOME) ? env.COPILOT_HOME : path.join(home, '.copilot'), 'hooks', 'vouch.json'),
    event: 'PostToolUse',
    shape: 'flat',
    fileDefaults: { version: 1 },
    entry: (command) => ({ type: 'command', command, bash: command, timeoutSec: HOOK_TIMEOUT_SECONDS, timeout: HOOK_TIMEOUT_SECONDS }),
  },
  {
    agent: 'cursor',
    projectFile: '.cursor/hooks.json',
    userFile: (home) => path.join(home, '.cursor', 'hooks.json'),
    event: 'afterFileEdit',
    shape: 'flat',
    fileDefaults: { version: 1 },
    entry: (command) => ({ command }),
  },
  {
    agent: 'codex',
    projectFile: '.codex/hooks.json',
    userFile: (home, env) => path.join(env.CODEX_HOME && path.isAbsolute(env.CODEX_HOME) ? env.CODEX_HOME : path.join(home, '.codex'), 'hooks.json'),
    event: 'PostToolUse',
    shape: 'grouped',
    matcher: 'apply_patch|Edit|Write',
    entry: (command) => ({ type: 'command', command, timeout: HOOK_TIMEOUT_SECONDS }),
  },
  {
    agent: 'gemini',
    projectFile: '.gemini/settings.json',
    userFile: (home) => path.join(home, '.gemini', 'settings.json'),
    event: 'AfterTool',
    shape: 'grouped',
    matcher: 'write_file|replace',
    // Gemini CLI counts hook timeouts in milliseconds.
    entry: (command) => ({ type: 'command', name: 'vouch-agent-hook', command, timeout: HOOK_TIMEOUT_SECONDS * 1000 }),
  },
];

/** The shell command a hook runs: vouch from PATH or the extension's launcher; never fails. */
export function agentHookCommand(agent: AgentId): string {
  return `${RESOLVE_VOUCH_SHELL}; if [ -n "$vouch" ]; then "$vouch" agent-hook ${agent}; else echo "vouch: not found on PATH nor at the launcher; the edit is not recorded" >&2; echo "{}"; fi; exit 0`;
}

/**
 * Vouch's own entries: the whole command is the one agentHookCommand writes (whatever the launcher
 * lookup at its start said in the version that wrote it), or nothing but `vouch agent-hook <agent>`.
 * A person's command that also runs vouch among other things (`./format.sh && vouch agent-hook
 * claude-code; ./notify.sh`) is theirs: never replaced nor removed.
 */
function isVouchCommand(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const command = value.trim();
  return /^vouch="\$\(command -v vouch[^\n]*; if \[ -n "\$vouch" \]; then "\$vouch" agent-hook [a-z-]+; else echo "vouch: [^"\n]*" >&2; echo "\{\}"; fi; exit 0$/.test(command) || /^(?:[^\s;&|]*\/)?vouch agent-hook [a-z-]+$/.test(command);
}

function isVouchEntry(entry: unknown): boolean {
  if (typeof entry !== 'object' || entry === null) return false;
  const record = entry as Record<string, unknown>;
  return isVouchCommand(record.command) || isVouchCommand(record.bash);
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

export type AgentHookAction = 'created' | 'added' | 'updated' | 'unchanged' | 'removed' | 'deleted' | 'absent';

/** The configuration with Vouch's entry (install) or without it (uninstall). Pure. */
export function updateHookConfig(target: AgentHookTarget, existing: Json | undefined, install: boolean): Json | undefined {
  const config: Json = existing ? structuredClone(existing) : { ...(target.fileDefaults ?? {}) };
  if (config.hooks !== undefined && !isObject(config.hooks)) throw new CliFailure(`its "hooks" is not an object`);
  const hooks: Json = isObject(config.hooks) ? config.hooks : {};
  const current = hooks[target.event];
  if (current !== undefined && !Array.isArray(current)) throw new CliFailure(`its "hooks.${target.event}" is not a list`);
  let list: unknown[] = Array.isArray(current) ? current : [];
  // Drop Vouch's entries wherever they are (a group left empty by that goes too).
  if (target.shape === 'flat') list = list.filter((entry) => !isVouchEntry(entry));
  else
    list = list.flatMap((group) => {
      if (!isObject(group) || !Array.isArray(group.hooks) || !group.hooks.some(isVouchEntry)) return [group];
      const others = group.hooks.filter((entry) => !isVouchEntry(entry));
      return others.length > 0 ? [{ ...group, hooks: others }] : [];
    });
  if (install) {
    const entry = target.entry(agentHookCommand(target.agent));
    list.push(target.shape === 'flat' ? entry : { matcher: target.matcher, hooks: [entry] });
  }
  if (list.length > 0) hooks[target.event] = list;
  else delete hooks[target.event];
  if (Object.keys(hooks).length > 0) config.hooks = hooks;
  else delete config.hooks;
  return config;
}

const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

async function readConfig(file: string): Promise<Json | undefined> {
  let text: string;
  try {
    const read = await readRegularText(file, { maxBytes: MAX_CONFIG_BYTES, followSymlink: true });
    if (read === undefined) return undefined;
    text = read;
  } catch (error) {
    if (error instanceof UnreadableFileError) throw new CliFailure(`${file} was left as it is: ${error.reason}`);
    throw error;
  }
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new CliFailure(`${file} is not valid JSON (${errorMessage(error)}); left as it is`);
  }
  if (!isObject(parsed)) throw new CliFailure(`${file} does not hold a JSON object; left as it is`);
  return parsed;
}

/** True when only the defaults a new file starts with (or nothing) remain. */
function isEmptyConfig(target: AgentHookTarget, config: Json): boolean {
  return Object.entries(config).every(([key, value]) => target.fileDefaults !== undefined && Object.hasOwn(target.fileDefaults, key) && target.fileDefaults[key] === value);
}

/** What kind of file `file` is: a symlink (whether its target exists), read-only, or anything else. */
async function settingsFileKind(file: string): Promise<{ symlink: boolean; readOnly: boolean }> {
  let link: import('node:fs').Stats;
  try {
    link = await fs.lstat(file);
  } catch {
    return { symlink: false, readOnly: false };
  }
  const target = link.isSymbolicLink() ? await fs.stat(file).catch(() => undefined) : link;
  // Write bits, not access(): a file its owner made read-only stays so, even for root.
  return { symlink: link.isSymbolicLink(), readOnly: target !== undefined && (target.mode & 0o222) === 0 };
}

export async function applyAgentHooks(target: AgentHookTarget, file: string, install: boolean): Promise<AgentHookAction> {
  const existing = await readConfig(file);
  const kind = await settingsFileKind(file);
  // A link to a file that is not there (dotfiles not checked out yet) is not replaced by a file.
  if (kind.symlink && existing === undefined) throw new CliFailure(`${file} is a symbolic link to a file that does not exist; left as it is`);
  if (!install && existing === undefined) return 'absent';
  let updated: Json | undefined;
  try {
    updated = updateHookConfig(target, existing, install);
  } catch (error) {
    throw new CliFailure(`${file}: ${errorMessage(error)}; left as it is`);
  }
  if (existing !== undefined && JSON.stringify(updated) === JSON.stringify(existing)) return install ? 'unchanged' : 'absent';
  if (kind.readOnly) throw new CliFailure(`${file} is read-only; left as it is (make it writable to ${install ? 'add' : 'remove'} Vouch's hook)`);
  // A symlink is not removed: its target (the user's dotfiles) keeps what is left, without Vouch's hook.
  if (!install && updated && isEmptyConfig(target, updated) && !kind.symlink) {
    await fs.unlink(file);
    return 'deleted';
  }
  await fs.mkdir(path.dirname(file), { recursive: true });
  // A settings file kept as a symlink (dotfiles) stays one: its target is written.
  await writeFileAtomic(file, `${JSON.stringify(updated, null, 2)}\n`, { followSymlink: true });
  if (!install) return 'removed';
  if (existing === undefined) return 'created';
  const before = existing.hooks;
  const hadVouch = isObject(before) && JSON.stringify(before[target.event] ?? null).includes('agent-hook');
  return hadVouch ? 'updated' : 'added';
}

async function runInstallAgentHooks(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: { user: { type: 'boolean' }, project: { type: 'boolean' }, uninstall: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) return printHelp(io, HELP);
  if (values.user && values.project) throw new CliUsageError('give --user or --project, not both');
  const names = positionals.length === 0 ? ['all'] : positionals;
  const agents = new Set<AgentId>();
  for (const name of names) {
    if (name === 'all') AGENT_IDS.forEach((agent) => agents.add(agent));
    else if ((AGENT_IDS as readonly string[]).includes(name)) agents.add(name as AgentId);
    else throw new CliUsageError(`unknown agent '${name}' (known: ${AGENT_IDS.join(', ')}, all)`);
  }
  const install = values.uninstall !== true;
  const user = values.user === true;
  const root = user ? os.homedir() : (await findRepository(new GitRunner(), io.cwd)).topLevel;
  io.stdout(display`${install ? 'Installing' : 'Removing'} Vouch's agent hooks (${user ? 'user settings' : `project ${root}`}):\n`);
  let failed = 0;
  for (const target of AGENT_HOOK_TARGETS.filter((candidate) => agents.has(candidate.agent))) {
    const file = user ? target.userFile(os.homedir(), process.env) : path.join(root, ...target.projectFile.split('/'));
    try {
      const action = await applyAgentHooks(target, file, install);
      io.stdout(display`  ${target.agent.padEnd(11)} ${action.padEnd(9)} ${file}\n`);
    } catch (error) {
      failed++;
      io.stderr(display`vouch install-agent-hooks: ${target.agent}: ${errorMessage(error)}\n`);
    }
  }
  if (install && agents.has('codex')) io.stdout(ownText('  (Codex asks you to review and trust new hooks before it runs them.)\n'));
  return failed > 0 ? 1 : 0;
}

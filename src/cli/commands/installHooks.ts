/**
 * `vouch install-hooks`: installs Vouch's git hooks next to whatever hooks or hook manager a
 * repository already uses (plain .git/hooks, core.hooksPath, husky), never replacing them.
 *
 * Each hook gets one clearly marked block. In a shell hook the block goes right after the
 * `#!` line, so it runs even when the existing hook ends with `exec` or `exit`; a hook in another
 * language is wrapped (kept beside as `<hook>.vouch-original` and run after the block). Running
 * it again updates the blocks; `--uninstall` removes exactly what it added.
 */
import { readRegularText } from '../../git/regularFile';
import { display } from '../../core/text/displayText';
import { constants as fsConstants, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { GitRunner } from '../../git/gitRunner';
import { writeFileAtomic } from '../../git/atomicWrite';
import { configuredHooksPath } from '../../git/gitConfig';
import { findRepository, type RepositoryLocation } from '../../git/repository';
import { launcherPath, RESOLVE_VOUCH_SHELL, shellQuote } from '../../git/vouchLauncher';
import type { CliCommand, CliIo } from '../cli';
import { CliUsageError, runCliCommand } from '../commandErrors';
import { printHelp } from '../commandOptions';

/** A hook Vouch installs: the `vouch` arguments it runs, and whether a failure stops git. */
export interface VouchHook {
  readonly hook: string;
  readonly args: readonly string[];
  /** True: a non-zero exit of the command makes the hook fail (pre-commit); false: it only prints a warning. */
  readonly blocking: boolean;
  /**
   * True: the hook starts no node process when nothing is pending, i.e. no working-state file
   * holds a span and the notes journal is empty (checked in sh, so such a commit costs no node start).
   */
  readonly onlyWhenPending?: boolean;
  /**
   * True: the hook starts no node process unless the repository has Vouch notes (refs/notes/vouch)
   * and, for post-merge, the merge made commits (not `git merge --squash`, which commits later).
   */
  readonly onlyWithNotes?: boolean;
  /**
   * True (post-commit): the command gets the commit HEAD named when the hook started, not HEAD as
   * it is when vouch gets to read it: another process may commit in between (a second terminal, an
   * agent), and the commit this hook ran for would go unrecorded.
   */
  readonly passesHead?: boolean;
}

/**
 * Every hook Vouch installs. Add a hook here (e.g. post-commit recording); install and uninstall
 * handle it. Commands must not read standard input: the chained hook after them may need it.
 */
export const VOUCH_HOOKS: readonly VouchHook[] = [
  { hook: 'pre-commit', args: ['check', '--staged'], blocking: true, onlyWhenPending: true },
  // Writes the commit's note from the working state; a failure leaves the record pending, never the commit.
  { hook: 'post-commit', args: ['record-commit'], blocking: false, onlyWhenPending: true, passesHead: true },
  // After amend/rebase: carries records git did not carry and reports stale ones.
  { hook: 'post-rewrite', args: ['reconcile'], blocking: false },
  // After a merge or pull: re-attaches records to the merged commits (e.g. a pull request squash-merged on the server).
  { hook: 'post-merge', args: ['reconcile', 'ORIG_HEAD..HEAD'], blocking: false, onlyWithNotes: true },
];

const HELP = `Usage: vouch install-hooks [--uninstall] [--vouch-path PATH]

Installs Vouch's git hooks in this repository:
${VOUCH_HOOKS.map((hook) => `  ${hook.hook.padEnd(12)} runs 'vouch ${hook.args.join(' ')}'`).join('\n')}

Existing hooks are kept and chained: with core.hooksPath the hooks go there, with husky
into .husky/<hook>; a shell hook gets a marked block after its first line, a hook in
another language is wrapped (kept as <hook>.vouch-original and run after Vouch's check).
Running it again updates the blocks.

Options:
  --uninstall        remove what install-hooks added (and unwrap wrapped hooks)
  --vouch-path PATH  run this vouch executable instead of 'vouch' from PATH
  -h, --help         show this help

Without --vouch-path the hooks run 'vouch' from PATH, else the launcher the VS Code
extension keeps at ~/.local/share/vouch/bin/vouch. When the hook cannot find vouch it
prints a warning and lets git go on. The pre-commit and post-commit hooks start no node
process when no attribution is pending, the post-merge hook none when the repository has
no Vouch notes (nor after 'git merge --squash', whose commit the post-commit hook records).

Exit status: 0 done; 1 failed (not a git repository, a hook file could not be written); 2 usage error.
`;

export const installHooksCommand: CliCommand = {
  summary: 'install the pre-commit gate and the note hooks (post-commit, post-rewrite, post-merge), chained with existing hooks',
  run: (args, io) => runCliCommand('install-hooks', io, () => runInstallHooks(args, io)),
};

const BEGIN = (hook: string) => `# >>> vouch ${hook} >>>`;
const END = (hook: string) => `# <<< vouch ${hook} <<<`;
const WRAPPED_SUFFIX = '.vouch-original';
const WRAP_BEGIN = '# >>> vouch chained hook >>>';

export type HookManager = 'git' | 'core.hooksPath' | 'husky';

export interface HookLocation {
  readonly manager: HookManager;
  /** The directory that holds the hook files Vouch edits. */
  readonly directory: string;
  /** A note for the person (e.g. husky is in the repository but not set up yet). */
  readonly note?: string;
}

export interface HookChange {
  readonly hook: string;
  readonly file: string;
  readonly action: 'created' | 'added' | 'updated' | 'unchanged' | 'wrapped' | 'removed' | 'deleted' | 'unwrapped' | 'absent';
  readonly warning?: string;
}

async function runInstallHooks(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    allowPositionals: false,
    options: { uninstall: { type: 'boolean' }, 'vouch-path': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) return printHelp(io, HELP);
  const uninstall = values.uninstall === true;
  let vouchPath = values['vouch-path'];
  if (vouchPath !== undefined) {
    if (vouchPath.trim() === '' || /[\u0000-\u001f\u007f]/.test(vouchPath)) throw new CliUsageError('--vouch-path must be a path');
    vouchPath = path.resolve(io.cwd, vouchPath);
  }
  const git = new GitRunner();
  const repository = await findRepository(git, io.cwd);
  const location = await findHookLocation(git, repository);
  const changes = uninstall ? await uninstallHooks(location, VOUCH_HOOKS) : await installHooks(location, VOUCH_HOOKS, { vouchPath });
  const managerLabel = location.manager === 'git' ? 'git hooks' : location.manager === 'husky' ? 'husky' : 'core.hooksPath';
  io.stdout(display`${uninstall ? 'Removing Vouch hooks from' : 'Installing Vouch hooks in'} ${location.directory} (${managerLabel}):\n`);
  for (const change of changes) {
    io.stdout(display`  ${change.hook}: ${describe(change)}\n`);
    if (change.warning) io.stderr(display`vouch install-hooks: ${change.hook}: ${change.warning}\n`);
  }
  if (location.note) io.stderr(display`vouch install-hooks: ${location.note}\n`);
  return 0;
}

function describe(change: HookChange): string {
  switch (change.action) {
    case 'created':
      return `created ${change.file}`;
    case 'added':
      return `added a Vouch block to the existing ${change.file}`;
    case 'updated':
      return `updated the Vouch block in ${change.file}`;
    case 'unchanged':
      return `already installed in ${change.file}`;
    case 'wrapped':
      return `wrapped ${change.file} (the original runs after Vouch, kept as ${path.basename(change.file)}${WRAPPED_SUFFIX})`;
    case 'removed':
      return `removed the Vouch block from ${change.file}`;
    case 'deleted':
      return `deleted ${change.file} (it held only Vouch's block)`;
    case 'unwrapped':
      return `restored the original ${change.file}`;
    case 'absent':
      return `no Vouch block in ${change.file}`;
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.lstat(file);
    return true;
  } catch {
    return false;
  }
}

/** Where the hooks of a repository live, and which manager owns them. */
export async function findHookLocation(git: GitRunner, repository: RepositoryLocation): Promise<HookLocation> {
  const hooksPath = await configuredHooksPath(git, repository.topLevel);
  if (hooksPath !== undefined) {
    const expanded = hooksPath === '~' || hooksPath.startsWith('~/') ? path.join(os.homedir(), hooksPath.slice(1)) : hooksPath;
    const directory = path.resolve(repository.topLevel, expanded);
    // husky 9 points core.hooksPath at .husky/_ (generated; rewritten on install) and runs .husky/<hook>.
    if (path.basename(directory) === '_' && path.basename(path.dirname(directory)) === '.husky') return { manager: 'husky', directory: path.dirname(directory) };
    // husky 4-8 points it at .husky, whose hooks source .husky/_/husky.sh.
    if (await exists(path.join(directory, '_', 'husky.sh'))) return { manager: 'husky', directory };
    return { manager: 'core.hooksPath', directory };
  }
  const directory = path.join(repository.commonDir, 'hooks');
  const note = (await exists(path.join(repository.topLevel, '.husky')))
    ? 'this repository has a .husky directory but husky is not set up here (core.hooksPath is unset); once it is, run vouch install-hooks again'
    : undefined;
  return note ? { manager: 'git', directory, note } : { manager: 'git', directory };
}

/**
 * sh that sets `vouch_pending` to 1 when a working-state file holds a span (a state file with
 * none is written `"spans":[]`, see serializeWorkingStateDocument) or the notes journal holds
 * a record, else to nothing, and `vouch_head` to the commit HEAD names (`HEAD` itself before the
 * first commit). One git process, no node.
 */
const PENDING_CHECK = [
  '{ read -r vouch_git_dir; read -r vouch_common_dir; read -r vouch_head; } <<VOUCH_DIRS',
  '$(git rev-parse --git-dir --git-common-dir HEAD 2>/dev/null)',
  'VOUCH_DIRS',
  'vouch_pending=""',
  `if [ -n "$vouch_git_dir" ] && [ -z "$(grep -L -F '"spans":[]' "$vouch_git_dir"/vouch/working/*.json 2>/dev/null)" ]; then`,
  '  for vouch_entry in "$vouch_common_dir"/vouch/journal/*.record; do [ -e "$vouch_entry" ] && vouch_pending=1; break; done',
  'else',
  '  vouch_pending=1',
  'fi',
];

/**
 * sh that sets `vouch_notes` to 1 when refs/notes/vouch exists and the hook's first argument is
 * not 1 (post-merge gets 1 for `git merge --squash`, which made no commit), else to nothing. One
 * git process, no node.
 */
const NOTES_CHECK = [
  'vouch_notes=""',
  'if [ "$1" != 1 ] && [ -n "$(git for-each-ref --count=1 --format=x refs/notes/vouch 2>/dev/null)" ]; then vouch_notes=1; fi',
];

/** The marked block a hook gets. */
export function hookBlock(hook: VouchHook, vouchPath?: string): string {
  const resolve = vouchPath ? `vouch=${shellQuote(vouchPath)}; [ -x "$vouch" ] || vouch=""` : RESOLVE_VOUCH_SHELL;
  const head = hook.passesHead ? ' "${vouch_head:-HEAD}"' : '';
  const run = `"$vouch" ${hook.args.map((arg) => (/^[\w-]+$/.test(arg) ? arg : shellQuote(arg))).join(' ')}${head}`;
  const onFailure = hook.blocking ? ' || exit $?' : ` || echo "vouch: '${hook.args.join(' ')}' failed" >&2`;
  const missing = vouchPath ? `${vouchPath.replace(/["`$\\]/g, '\\$&')} is not executable` : `'vouch' is not on PATH nor at ${launcherPath().replace(/["`$\\]/g, '\\$&')}`;
  // The commit waits in the record queue (recordQueue.ts) from now until vouch has recorded it: a
  // commit made on top of it meanwhile is recorded after it. Builtins but for the first mkdir; never fails the hook.
  const queue = hook.passesHead
    ? [
        'case "$vouch_head" in *[!0-9a-f]* | "") ;; *)',
        '  [ -d "$vouch_common_dir/vouch/record-queue" ] || mkdir -p "$vouch_common_dir/vouch/record-queue" 2>/dev/null || true',
        '  printf \'\' 2>/dev/null >"$vouch_common_dir/vouch/record-queue/$vouch_head" || true ;;',
        'esac',
      ]
    : [];
  const body = [...queue, resolve, 'if [ -n "$vouch" ]; then', `  ${run}${onFailure}`, 'else', `  echo "vouch: ${missing}; skipped the Vouch ${hook.hook} hook" >&2`, 'fi'];
  return [
    BEGIN(hook.hook),
    '# Added by `vouch install-hooks`; remove with `vouch install-hooks --uninstall`.',
    ...(hook.onlyWhenPending
      ? [...PENDING_CHECK, 'if [ -n "$vouch_pending" ]; then', ...body.map((line) => `  ${line}`), 'fi']
      : hook.onlyWithNotes
        ? [...NOTES_CHECK, 'if [ -n "$vouch_notes" ]; then', ...body.map((line) => `  ${line}`), 'fi']
        : body),
    END(hook.hook),
  ].join('\n');
}

function findBlock(text: string, hook: string): { start: number; end: number } | undefined {
  const start = text.indexOf(BEGIN(hook));
  if (start < 0) return undefined;
  const endMarker = text.indexOf(END(hook), start);
  if (endMarker < 0) return undefined;
  let end = endMarker + END(hook).length;
  if (text[end] === '\n') end++;
  return { start, end };
}

/** Shell scripts (or files without a `#!` line, which git runs with sh) can take the block inline. */
function isShellScript(text: string): boolean {
  if (text.includes('\0')) return false;
  if (!text.startsWith('#!')) return true;
  const shebang = text.slice(0, text.indexOf('\n') < 0 ? text.length : text.indexOf('\n'));
  return /^#!\s*(?:\S*\/)?(?:env\s+(?:-\S+\s+)*)?(?:sh|bash|dash|zsh|ksh|ash|busybox\s+sh)(?:\s|$)/.test(shebang);
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    await fs.access(file, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await readRegularText(file, { maxBytes: 1024 * 1024, followSymlink: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

export async function installHooks(location: HookLocation, hooks: readonly VouchHook[], options: { vouchPath?: string } = {}): Promise<HookChange[]> {
  await fs.mkdir(location.directory, { recursive: true });
  const changes: HookChange[] = [];
  for (const hook of hooks) {
    const file = path.join(location.directory, hook.hook);
    const block = `${hookBlock(hook, options.vouchPath)}\n`;
    const existing = await readIfExists(file);
    if (existing === undefined) {
      await writeFileAtomic(file, `#!/bin/sh\n${block}`, { mode: 0o755 });
      await fs.chmod(file, 0o755);
      changes.push({ hook: hook.hook, file, action: 'created' });
      continue;
    }
    const found = findBlock(existing, hook.hook);
    if (found) {
      const updated = existing.slice(0, found.start) + block + existing.slice(found.end);
      if (updated !== existing) await writeFileAtomic(file, updated, { followSymlink: true });
      changes.push({ hook: hook.hook, file, action: updated === existing ? 'unchanged' : 'updated' });
      continue;
    }
    if (isShellScript(existing)) {
      const firstLineEnd = existing.startsWith('#!') ? (existing.indexOf('\n') < 0 ? existing.length : existing.indexOf('\n') + 1) : 0;
      const head = existing.slice(0, firstLineEnd);
      const updated = `${head}${head && !head.endsWith('\n') ? '\n' : ''}${block}${existing.slice(firstLineEnd)}`;
      await writeFileAtomic(file, updated, { followSymlink: true });
      // husky runs .husky/<hook> with sh; git needs the executable bit and skips a hook without it.
      const warning =
        location.manager !== 'husky' && !(await isExecutable(file))
          ? `${file} is not executable, so git does not run it (nor Vouch's block in it); make it executable to enable both`
          : undefined;
      changes.push({ hook: hook.hook, file, action: 'added', ...(warning ? { warning } : {}) });
      continue;
    }
    const original = `${file}${WRAPPED_SUFFIX}`;
    if (await exists(original)) throw new Error(`cannot wrap ${file}: ${original} exists already`);
    await fs.rename(file, original);
    const wrapper = [
      '#!/bin/sh',
      block.trimEnd(),
      WRAP_BEGIN,
      `exec "$(dirname -- "$0")/${hook.hook}${WRAPPED_SUFFIX}" "$@"`,
      '# <<< vouch chained hook <<<',
      '',
    ].join('\n');
    await writeFileAtomic(file, wrapper, { mode: 0o755 });
    await fs.chmod(file, 0o755);
    changes.push({ hook: hook.hook, file, action: 'wrapped' });
  }
  return changes;
}

export async function uninstallHooks(location: HookLocation, hooks: readonly VouchHook[]): Promise<HookChange[]> {
  const changes: HookChange[] = [];
  for (const hook of hooks) {
    const file = path.join(location.directory, hook.hook);
    const existing = await readIfExists(file);
    const original = `${file}${WRAPPED_SUFFIX}`;
    if (existing !== undefined && existing.includes(WRAP_BEGIN) && (await exists(original))) {
      await fs.rename(original, file);
      changes.push({ hook: hook.hook, file, action: 'unwrapped' });
      continue;
    }
    const found = existing === undefined ? undefined : findBlock(existing, hook.hook);
    if (existing === undefined || !found) {
      changes.push({ hook: hook.hook, file, action: 'absent' });
      continue;
    }
    const remaining = existing.slice(0, found.start) + existing.slice(found.end);
    if (/^(?:#![^\n]*\n?)?\s*$/.test(remaining)) {
      await fs.unlink(file);
      changes.push({ hook: hook.hook, file, action: 'deleted' });
    } else {
      await writeFileAtomic(file, remaining, { followSymlink: true });
      changes.push({ hook: hook.hook, file, action: 'removed' });
    }
  }
  return changes;
}

/** Reading git configuration the way the user's own git commands see it. */
import type { GitRunner } from './gitRunner';

/**
 * The configured core.hooksPath of the repository at `cwd` (the last value of any scope), ignoring
 * the `-c core.hooksPath=/dev/null` every GitRunner call carries; undefined when none is set.
 */
export async function configuredHooksPath(git: GitRunner, cwd: string): Promise<string | undefined> {
  const { stdout, exitCode } = await git.run(['config', '--show-scope', '--get-all', 'core.hooksPath'], { cwd, okExitCodes: [1] });
  if (exitCode !== 0) return undefined;
  const values = stdout
    .split('\n')
    .map((line) => /^(\w+)\t(.*)$/.exec(line))
    .filter((match): match is RegExpExecArray => match !== null && match[1] !== 'command')
    .map((match) => match[2]);
  const last = values[values.length - 1];
  return last && last.trim() ? last : undefined;
}

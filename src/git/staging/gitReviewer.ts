/** Who records a review: git's `user.name`, `user.email` and `user.signingkey` of the repository. */
import type { Reviewer } from '../../core/attribution';
import type { GitRunner } from '../gitRunner';

async function configValue(git: GitRunner, cwd: string, key: string): Promise<string | undefined> {
  // Exit code 1 means the key is not set.
  const { stdout, exitCode } = await git.run(['config', '--get', key], { cwd, okExitCodes: [1] });
  const value = exitCode === 0 ? stdout.trim() : '';
  return value.length > 0 ? value : undefined;
}

/** The reviewer as git knows them in `cwd`, or undefined without a user.name and user.email. */
export async function readGitReviewer(git: GitRunner, cwd: string): Promise<Reviewer | undefined> {
  const [name, email, signingKey] = await Promise.all([
    configValue(git, cwd, 'user.name'),
    configValue(git, cwd, 'user.email'),
    configValue(git, cwd, 'user.signingkey'),
  ]);
  if (!name || !email) return undefined;
  return signingKey ? { name, email, signingKey } : { name, email };
}

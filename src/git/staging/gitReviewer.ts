/**
 * Who records a review: git's `user.name` and `user.email` of the repository, and the fingerprint
 * of the signing key the user chose (never a repository's `user.signingkey`, never a key path).
 */
import type { Reviewer } from '../../core/attribution';
import { silentLogger, type Logger } from '../../core/logger';
import type { GitRunner } from '../gitRunner';
import { signingKeyFingerprint } from '../signing/recordSigning';
import { resolveSigningKey, type SigningKeyOptions } from '../signing/signingKey';

async function configValue(git: GitRunner, cwd: string, key: string): Promise<string | undefined> {
  // Exit code 1 means the key is not set.
  const { stdout, exitCode } = await git.run(['config', '--get', key], { cwd, okExitCodes: [1] });
  const value = exitCode === 0 ? stdout.trim() : '';
  return value.length > 0 ? value : undefined;
}

/** The reviewer as git knows them in `cwd`, or undefined without a user.name and user.email. */
export async function readGitReviewer(git: GitRunner, cwd: string, options: SigningKeyOptions & { readonly logger?: Logger } = {}): Promise<Reviewer | undefined> {
  const [name, email, choice] = await Promise.all([
    configValue(git, cwd, 'user.name'),
    configValue(git, cwd, 'user.email'),
    resolveSigningKey(git, cwd, options.logger ?? silentLogger, options).catch(() => undefined),
  ]);
  if (!name || !email) return undefined;
  const signingKey = signingKeyFingerprint(choice);
  return signingKey ? { name, email, signingKey } : { name, email };
}

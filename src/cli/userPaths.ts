/** The checks every command makes of a file path given on its command line, with one wording for each problem. */
import { notePathProblem } from '../core/notes/noteParser';
import type { RepoPathResolution, RepositoryLocation } from '../git/repository';
import { CliFailure, CliUsageError } from './commandErrors';

/**
 * Node decodes the command line as UTF-8 and puts U+FFFD where bytes are not UTF-8, so a name that
 * is not UTF-8 reaches Vouch as a different name, which never exists. Only asked once the file was
 * not found: a name that really holds U+FFFD still works.
 */
export function missingFileFailure(given: string, shownPath: string, wording = 'no such file'): CliFailure {
  if (given.includes('\uFFFD')) {
    return new CliFailure(`${wording}: ${shownPath}; file names that are not valid UTF-8 are not supported (\uFFFD stands for the bytes that are not)`);
  }
  return new CliFailure(`${wording}: ${shownPath}`);
}

/**
 * Stops `vouch mark` and `vouch review` before they act on a file whose lines could never be
 * recorded: a note cannot hold its name (a newline, a carriage return...), so record-commit would
 * skip it and its spans would stay pending for ever. Same words as record-commit's.
 */
export function assertRecordableFile(
  repository: RepositoryLocation,
  resolved: RepoPathResolution,
  given: string,
): asserts resolved is Extract<RepoPathResolution, { kind: 'ok' }> {
  if (resolved.kind === 'missing') throw missingFileFailure(given, resolved.absolutePath);
  if (resolved.kind === 'outside') throw new CliUsageError(`${resolved.absolutePath} is outside the repository ${repository.topLevel}`);
  if (resolved.kind === 'not-a-file') throw new CliUsageError(`${resolved.absolutePath} is not a file`);
  const nameProblem = notePathProblem(resolved.repoPath);
  if (nameProblem) throw new CliFailure(`${resolved.repoPath}: cannot be recorded: ${nameProblem}; rename the file to mark or review its lines`);
}

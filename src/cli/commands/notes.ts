/** `vouch notes show [<commit>]` and `vouch notes rewrite-ref [--enable]`: inspect notes, set up rewrite carrying. */
import { display, jsonOutput } from '../../core/text/displayText';
import { parseArgs } from 'node:util';
import { NOTES_REF } from '../../core/notes/noteRecord';
import { resolveCommit } from '../../git/revisions';
import { configureRewriteRef, isRewriteRefConfigured } from '../../git/notes/rewriteRef';
import type { CliCommand, CliIo } from '../cli';
import { CliUsageError, runCliCommand } from '../commandErrors';
import { printHelp } from '../commandOptions';
import { openNotesContext } from './notesCommon';
import { VerifyChecks } from './verifyChecks';
import { parseClaimEnvelope } from '../../core/signing/attributionClaim';
import { parseAllowedSigners } from '../../core/signing/allowedSigners';
import { SignatureVerifier } from '../../git/signing/recordVerifier';

const HELP = `Usage: vouch notes show [<commit>] [--json] [--allowed-signers FILE]
       vouch notes rewrite-ref [--enable]

show         lists the Vouch records on a commit (default HEAD): AI line ranges per file,
             origin, review, and whether each range still matches the commit's lines
             (valid / moved / stale), who signed each record (or 'unsigned') and
             whether the signature is valid; with --allowed-signers, per reviewed
             range whether its reviewer's signature counts (as vouch verify checks).
             Bad records are listed with the reason.
rewrite-ref  tells whether amend and rebase carry Vouch notes (git's notes.rewriteRef);
             with --enable, adds ${NOTES_REF} to this repository's notes.rewriteRef.

Exit status: 0 done; 1 failed (or 'show' found no note); 2 usage error.
`;

export const notesCommand: CliCommand = {
  summary: 'show the Vouch note of a commit; set up notes.rewriteRef',
  run: (args, io) => runCliCommand('notes', io, () => runNotes(args, io)),
};

async function runNotes(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: { json: { type: 'boolean' }, enable: { type: 'boolean' }, 'allowed-signers': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  const [action, ...rest] = positionals;
  if (values.help) return printHelp(io, HELP);
  if (action === undefined) throw new CliUsageError('missing action (show or rewrite-ref)');
  const context = await openNotesContext(io);
  if (action === 'rewrite-ref') {
    if (rest.length > 0) throw new CliUsageError('rewrite-ref takes no arguments');
    if (values.enable) await configureRewriteRef(context.git, context.topLevel);
    const configured = await isRewriteRefConfigured(context.git, context.topLevel);
    io.stdout(configured ? display`amend and rebase carry ${NOTES_REF}\n` : display`amend and rebase do NOT carry ${NOTES_REF}; run 'vouch notes rewrite-ref --enable'\n`);
    return 0;
  }
  if (action !== 'show') throw new CliUsageError(`unknown action '${action}'`);
  if (rest.length > 1) throw new CliUsageError('give at most one commit');
  if (rest[0]?.startsWith('-')) throw new CliUsageError(`not a commit: ${rest[0]}`);
  const commit = await resolveCommit(context.git, context.topLevel, rest[0] ?? 'HEAD');
  const note = await context.reader.readNote(commit);
  if (!note) {
    io.stderr(display`vouch notes: ${commit.slice(0, 12)} has no Vouch note\n`);
    return 1;
  }
  const check = await context.reader.checkCommitNote(commit, note);
  const signatureReader = new SignatureVerifier(parseAllowedSigners(''), { allowedSignersPath: '' });
  const checks = await VerifyChecks.open(context, values['allowed-signers']);
  await checks.prepare([commit]);
  const signers = note.records.map((record) => signatureReader.describeSignatures(record));
  const verdicts = await Promise.all(note.records.map((record) => checks.rangeSignatures(commit, record)));
  if (values.json) {
    const records = note.records.map((record) => record.statement);
    io.stdout(jsonOutput({ commit, records, signatures: signers, ...(checks.checksSignatures ? { verdicts } : {}), checks: check?.records ?? [], rejected: note.rejected }));
    return 0;
  }
  note.records.forEach((record, index) => {
    const predicate = record.statement.predicate;
    const recordCheck = check?.records[index];
    const carried = predicate.carriedFrom ? `, carried from ${predicate.carriedFrom.commit.slice(0, 12)} by ${predicate.carriedFrom.match}` : '';
    const written = predicate.commit !== commit ? `, written for ${predicate.commit.slice(0, 12)}` : '';
    const signedBy = signers[index].length === 0 ? 'unsigned' : signers[index].map((item) => `signed by ${item.keyid ?? 'an unnamed key'} (${item.state === 'valid' ? 'signature valid' : item.state === 'bad' ? `BAD signature: ${item.detail}` : item.detail})`).join(', ');
    // A carried record's reviews count through the record it was carried from (carryChain.ts), never its own signature.
    const signed = predicate.carriedFrom ? `${signedBy === 'unsigned' ? 'itself unsigned' : `${signedBy}, which never counts for its reviews`}; its reviews are signed in the record it was carried from` : signedBy;
    io.stdout(display`record ${record.recordId.slice(0, 12)} (${recordCheck?.status ?? 'unchecked'}${written}${carried}; ${signed})\n`);
    predicate.files.forEach((file, fileIndex) => {
      file.ranges.forEach((range, rangeIndex) => {
        const rangeCheck = recordCheck?.files[fileIndex]?.ranges[rangeIndex];
        const where = rangeCheck?.status === 'moved' && rangeCheck.movedTo !== undefined ? `moved to ${range.end > range.start ? `${rangeCheck.movedTo}-${rangeCheck.movedTo + range.end - range.start}` : rangeCheck.movedTo}` : (rangeCheck?.status ?? 'unchecked');
        const origin = `${range.origin.tool}${range.origin.model ? `/${range.origin.model}` : ''} (${range.origin.kind})`;
        // An accepted review of text changed after it (vouch verify's reviewed-text-differs) says so.
        const changed = rangeCheck?.reviewCovers === false ? ' (the text changed after this review)' : '';
        const review = range.review ? `${range.review.decision} by ${range.review.reviewer.name}: ${JSON.stringify(range.review.intent)}${changed}` : 'not reviewed';
        const verdict = verdicts[index].find((item) => item.role === 'reviewer' && item.path === file.path && item.start === range.start && item.end === range.end);
        const agent = verdicts[index].find((item) => item.role === 'agent' && item.path === file.path && item.start === range.start && item.end === range.end);
        const claim = range.agentClaim ? parseClaimEnvelope(range.agentClaim) : undefined;
        const claimed = claim?.ok ? `  written by agent ${claim.value.claim.principal}${agent ? `: ${agent.verdict}${agent.verdict === 'valid' ? '' : ` (${agent.detail})`}` : ' (signed claim)'}` : '';
        const vouched = verdict ? `  signature of ${verdict.principal}: ${verdict.verdict}${verdict.verdict === 'valid' ? '' : ` (${verdict.detail})`}` : '';
        io.stdout(display`  ${file.path}:${range.start}-${range.end}  ${where}  ${origin}  ${review}${vouched}${claimed}\n`);
      });
    });
  });
  for (const item of note.rejected) io.stdout(display`rejected line ${item.line}: ${item.reason}\n`);
  return 0;
}

// Signing and verifying records with real keys (ssh-keygen, ed25519):
// 1. the cost signing adds to writing the note of a 200-file commit (budget: <= 300 ms over unsigned);
// 2. verifying a 1,000-commit range of signed notes with `vouch verify --allowed-signers`, next to
//    running `ssh-keygen -Y verify` once per record (the stock-tools baseline); the ratio is printed.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runCli } from '../src/cli/cli';
import type { AttributedSpan } from '../src/core/attribution';
import { silentLogger } from '../src/core/logger';
import type { CommittedFileInput } from '../src/core/notes/recordFromSpans';
import { hashLines } from '../src/core/notes/lineRanges';
import { buildNoteRecord } from '../src/core/notes/noteRecord';
import { recordPae } from '../src/core/signing/signedRecord';
import { GitRunner } from '../src/git/gitRunner';
import { recordFilesOfCommit } from '../src/git/notes/commitRecording';
import { NotesReader } from '../src/git/notes/notesReader';
import { NotesWriter } from '../src/git/notes/notesWriter';
import { findProgram } from '../src/git/signing/boundedProcess';
import { signRecord, signerSource } from '../src/git/signing/recordSigning';
import { parseAllowedSigners } from '../src/core/signing/allowedSigners';
import { SignatureVerifier } from '../src/git/signing/recordVerifier';
import { gitBlobIdOfText } from '../src/git/blame/nativeSha256';
import { recordBenchResults } from './results';

const FILES = 200;
const RUNS = 5;
const RANGE_COMMITS = 1000;
const git = new GitRunner();
const sshKeygen = findProgram('ssh-keygen');
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function fileWithAi(fileIndex: number, round: number): { text: string; spans: AttributedSpan[] } {
  const ai = `export const value${fileIndex} = ${round};`;
  const text = `// file ${fileIndex}\n${ai}\n`;
  const start = text.indexOf(ai);
  return {
    text,
    spans: [{ id: `f${fileIndex}`, start, end: start + ai.length, origin: { kind: 'inline', tool: 'github-copilot' }, confidence: 'high', insertedAt: 1_700_000_000_000, insertedTextHash: '', insertedLength: ai.length, humanChangedChars: 0 }],
  };
}

async function signingCost(dir: string, keyPath: string): Promise<{ unsignedMs: number; signedMs: number }> {
  const run = (args: string[], env: Record<string, string> = {}) => git.run(args, { cwd: dir, env });
  const writer = await NotesWriter.open(git, dir, silentLogger);
  const timings = { unsigned: [] as number[], signed: [] as number[] };
  let clock = 1_700_000_000;
  for (let round = 0; round < RUNS * 2; round++) {
    const signed = round % 2 === 1;
    const inputs: CommittedFileInput[] = [];
    for (let fileIndex = 0; fileIndex < FILES; fileIndex++) {
      const file = fileWithAi(fileIndex, round);
      const relative = `src/file${fileIndex}.js`;
      writeFileSync(path.join(dir, relative), file.text);
      inputs.push({ path: relative, workingText: file.text, spans: file.spans });
    }
    await run(['add', '-A']);
    clock++;
    await run(['commit', '-q', '-m', `round ${round}`], { GIT_AUTHOR_DATE: `@${clock} +0000`, GIT_COMMITTER_DATE: `@${clock} +0000` });
    const commit = (await run(['rev-parse', 'HEAD'])).stdout.trim();
    // A fresh signer each time: key resolution (one git config read) is part of the cost.
    const signer = signed ? signerSource(git, dir, silentLogger, { env: { PATH: process.env.PATH, HOME: dir, GIT_CONFIG_NOSYSTEM: '1', VOUCH_SIGNING_KEY: keyPath } }) : undefined;
    const started = performance.now();
    const result = await recordFilesOfCommit({ git, topLevel: dir, writer, logger: silentLogger, signer }, { commit, files: inputs });
    (signed ? timings.signed : timings.unsigned).push(performance.now() - started);
    if (signed && !result.signing?.signedBy) throw new Error(`not signed: ${result.signing?.unsigned}`);
  }
  return { unsignedMs: median(timings.unsigned), signedMs: median(timings.signed) };
}

/** 1,000 commits with one signed record each, built with git fast-import (commits, then the notes). */
async function signedRange(dir: string, keyPath: string): Promise<{ base: string; commits: string[] }> {
  // A base commit without a note: the range base..main then holds exactly the 1,000 noted commits.
  execFileSync(git.gitPath, ['-c', 'user.name=Bench', '-c', 'user.email=bench@example.com', 'commit', '-q', '--allow-empty', '-m', 'base'], { cwd: dir });
  const base = execFileSync(git.gitPath, ['rev-parse', 'HEAD'], { cwd: dir, encoding: 'utf8' }).trim();
  const stream: string[] = [];
  for (let index = 0; index < RANGE_COMMITS; index++) {
    const content = `// commit ${index}\nexport const v${index} = ${index};\n`;
    stream.push(`commit refs/heads/main\nmark :${index + 1}\ncommitter Bench <bench@example.com> ${1_700_000_000 + index} +0000\ndata 4\nc${String(index).padStart(2, '0').slice(-2)}\n`);
    stream.push(index > 0 ? `from :${index}\n` : `from ${base}\n`);
    stream.push(`M 100644 inline f${index}.js\ndata ${Buffer.byteLength(content)}\n${content}\n`);
  }
  execFileSync(git.gitPath, ['fast-import', '--quiet'], { cwd: dir, input: stream.join('') });
  const listed = execFileSync(git.gitPath, ['log', '--reverse', '--format=%H %T', `${base}..main`], { cwd: dir, encoding: 'utf8' }).trim().split('\n');
  const source = signerSource(git, dir, silentLogger, { env: { PATH: process.env.PATH, HOME: dir, GIT_CONFIG_NOSYSTEM: '1', VOUCH_SIGNING_KEY: keyPath } });
  const notes: string[] = [];
  const commits: string[] = [];
  for (const [index, line] of listed.entries()) {
    const [commit, tree] = line.split(' ');
    const content = `// commit ${index}\nexport const v${index} = ${index};\n`;
    const blob = gitBlobIdOfText(content, commit);
    const lines = content.split('\n').slice(0, 2);
    const sha256 = hashLines(lines, 2, 2);
    const record = buildNoteRecord({
      commit,
      tree,
      patchId: null,
      files: [
        {
          path: `f${index}.js`,
          blob,
          ranges: [{ start: 2, end: 2, sha256, origin: { kind: 'inline', tool: 'github-copilot' }, confidence: 'high', humanChangedShare: 0, review: { decision: 'accepted', intent: 'bench', scope: ['none'], reviewer: { name: 'Ada', email: 'ada@example.com' }, reviewedAt: '2025-06-01T00:00:00.000Z', textHash: sha256 } }],
        },
      ],
    });
    const signed = await signRecord(record, source, silentLogger);
    if (!signed.outcome.signedBy) throw new Error(`not signed: ${signed.outcome.unsigned}`);
    notes.push(`N inline ${commit}\ndata ${Buffer.byteLength(`${signed.record.line}\n`)}\n${signed.record.line}\n\n`);
    commits.push(commit);
  }
  execFileSync(git.gitPath, ['fast-import', '--quiet'], { cwd: dir, input: `commit refs/notes/vouch\ncommitter Bench <bench@example.com> 1700000000 +0000\ndata 5\nnotes\n${notes.join('')}` });
  return { base, commits };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'vouch-bench-signing-'));
  try {
    const keys = path.join(dir, 'keys');
    mkdirSync(keys);
    const keyPath = path.join(keys, 'ada');
    execFileSync(sshKeygen, ['-q', '-t', 'ed25519', '-N', '', '-C', 'ada@example.com', '-f', keyPath]);
    const allowed = path.join(keys, 'allowed_signers');
    writeFileSync(allowed, `ada@example.com namespaces="vouch-attestation-v1" ${readFileSync(`${keyPath}.pub`, 'utf8')}`);

    const writeRepo = path.join(dir, 'write');
    mkdirSync(path.join(writeRepo, 'src'), { recursive: true });
    execFileSync(git.gitPath, ['init', '-q', '-b', 'main'], { cwd: writeRepo });
    execFileSync(git.gitPath, ['config', 'user.name', 'Bench'], { cwd: writeRepo });
    execFileSync(git.gitPath, ['config', 'user.email', 'bench@example.com'], { cwd: writeRepo });
    const cost = await signingCost(writeRepo, keyPath);
    const addedMs = cost.signedMs - cost.unsignedMs;
    console.log(`note of a ${FILES}-file commit: unsigned ${Math.round(cost.unsignedMs)} ms, signed ${Math.round(cost.signedMs)} ms (medians of ${RUNS})`);
    console.log(`  signing adds ${Math.round(addedMs)} ms; budget 300 ms -> ${addedMs <= 300 ? 'within' : 'OVER'}`);

    const rangeRepo = path.join(dir, 'range');
    mkdirSync(rangeRepo);
    execFileSync(git.gitPath, ['init', '-q', '-b', 'main'], { cwd: rangeRepo });
    const built = performance.now();
    const { base, commits } = await signedRange(rangeRepo, keyPath);
    console.log(`built ${RANGE_COMMITS} commits with signed notes in ${Math.round(performance.now() - built)} ms`);

    let out = '';
    const started = performance.now();
    const code = await runCli(['verify', '--allowed-signers', allowed, '--require-signed', '--max-commits', String(RANGE_COMMITS), '--json', `${base}..main`], { cwd: rangeRepo, stdout: (text) => (out += text), stderr: () => undefined }).catch(() => -1);
    const vouchMs = performance.now() - started;
    const checked = (JSON.parse(out || '{"commits":[]}') as { commits: unknown[]; ok: boolean }).commits.length;
    if (code !== 0) throw new Error(`vouch verify failed (${code}): ${out.slice(0, 500)}`);

    const work = path.join(dir, 'baseline');
    mkdirSync(work);
    const notes = await new NotesReader(git, rangeRepo, silentLogger).readNotes(commits);
    const baselineStarted = performance.now();
    let baselineOk = 0;
    for (const commit of commits) {
      const record = notes.get(commit)?.records[0];
      if (!record) continue;
      const sigFile = path.join(work, 'record.sig');
      writeFileSync(sigFile, Buffer.from(record.envelope.signatures[0].sig, 'base64'));
      const result = spawnSync(sshKeygen, ['-Y', 'verify', '-f', allowed, '-I', 'ada@example.com', '-n', 'vouch-attestation-v1', '-s', sigFile, '-Overify-time=20250601000000Z'], { input: recordPae(record) });
      if (result.status === 0) baselineOk++;
    }
    const baselineMs = performance.now() - baselineStarted;
    if (baselineOk !== commits.length) throw new Error(`baseline: ${baselineOk} of ${commits.length} verified`);
    // The same signature checks as the baseline, as vouch verify makes them (native, allowed signers in memory).
    const verifier = new SignatureVerifier(parseAllowedSigners(readFileSync(allowed, 'utf8')), { allowedSignersPath: allowed });
    const nativeStarted = performance.now();
    let nativeOk = 0;
    for (const commit of commits) {
      const record = notes.get(commit)?.records[0];
      if (record && (await verifier.verdict(record, 'ada@example.com', Date.parse('2025-06-01T00:00:00Z'), { ok: true })).verdict === 'valid') nativeOk++;
    }
    const nativeMs = performance.now() - nativeStarted;
    if (nativeOk !== commits.length) throw new Error(`native: ${nativeOk} of ${commits.length} verified`);
    const ratio = vouchMs / baselineMs;
    const signatureRatio = nativeMs / baselineMs;
    console.log(`verify ${checked} commits of signed notes: vouch verify --allowed-signers ${Math.round(vouchMs)} ms (whole check: notes, line hashes, signatures)`);
    console.log(`  ssh-keygen -Y verify once per record (signatures only): ${Math.round(baselineMs)} ms`);
    console.log(`  ratio ${ratio.toFixed(3)} (goal < 1: faster than the stock-tools baseline)`);
    console.log(`  the same ${commits.length} signature checks natively (as vouch verify makes them): ${Math.round(nativeMs)} ms, ratio ${signatureRatio.toFixed(4)}`);
    recordBenchResults('signing', {
      files: FILES,
      unsignedNoteMedianMs: Math.round(cost.unsignedMs),
      signedNoteMedianMs: Math.round(cost.signedMs),
      signingAddsMs: Math.round(addedMs),
      signingBudgetMs: 300,
      rangeCommits: checked,
      vouchVerifyMs: Math.round(vouchMs),
      sshKeygenPerRecordMs: Math.round(baselineMs),
      ratio: Number(ratio.toFixed(3)),
      nativeSignatureChecksMs: Math.round(nativeMs),
      signatureRatio: Number(signatureRatio.toFixed(4)),
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

// A small history with AI code recorded in Vouch notes, for the report, blame, export and CI tests:
// reviewed and unreviewed AI lines, two tools, two authors, a human-only commit, risky code, and a
// record that carries a signature entry.
import type { AttributedSpan, Review } from '../../../src/core/attribution';
import { silentLogger } from '../../../src/core/logger';
import { buildCommitRecord } from '../../../src/core/notes/recordFromSpans';
import { parseRecordLine } from '../../../src/core/notes/noteParser';
import { sha256Hex } from '../../../src/core/textHash';
import { recordFilesOfCommit } from '../../../src/git/notes/commitRecording';
import { aiSpanOver } from '../../support/spans';
import { TestRepo, gitRunner, nextDateEnv } from '../../support/testRepo';

export const ADA: Review['reviewer'] = { name: 'Ada Reviewer', email: 'ada@example.com' };

/** An accepted review of exactly `reviewedText` (a review records only the text it covers). */
export function accepted(reviewedText: string, intent = 'adds the sum helper'): Review {
  return { decision: 'accepted', intent, scope: ['none'], reviewer: ADA, reviewedAt: '2026-01-05T10:00:00.000Z', textHash: sha256Hex(reviewedText) };
}

export interface RangeHistory {
  readonly repo: TestRepo;
  readonly base: string;
  /** sum.js: 2 AI lines (copilot, gpt-4o) reviewed by Ada; 1 human line. Author Alice. */
  readonly reviewedCommit: string;
  /** net.js: 3 AI lines (claude-code agent, claude-sonnet-4) calling fetch(), not reviewed. Author Bob. */
  readonly unreviewedCommit: string;
  /** docs: 2 human lines. */
  readonly humanCommit: string;
  /** auth.js: 1 AI line reviewed, its record carries a signature entry (not verifiable). Author Alice. */
  readonly signedCommit: string;
}

export async function commitAs(repo: TestRepo, author: string, email: string, message: string): Promise<string> {
  await repo.git(['add', '-A']);
  await repo.git(['-c', `user.name=${author}`, '-c', `user.email=${email}`, 'commit', '-q', '-m', message], nextDateEnv());
  return repo.text(['rev-parse', 'HEAD']);
}

export async function recordSpans(repo: TestRepo, commit: string, path: string, text: string, spans: readonly AttributedSpan[], sign = false): Promise<void> {
  const writer = await repo.writer();
  if (!sign) {
    const result = await recordFilesOfCommit({ git: gitRunner, topLevel: repo.dir, writer, logger: silentLogger }, { commit, files: [{ path, workingText: text, spans }] });
    if (!result.record) throw new Error('test setup: no record written');
    return;
  }
  // Build the record without writing it, then write it with a signature entry added.
  const tree = await repo.text(['rev-parse', `${commit}^{tree}`]);
  const blob = await repo.text(['rev-parse', `${commit}:${path}`]);
  const built = buildCommitRecord({ commit, tree, patchId: null, files: [{ path, workingText: text, spans }], blobs: new Map([[path, { path, blob, text }]]) });
  if (!built.record) throw new Error('test setup: no record built');
  const envelope = { ...built.record.envelope, signatures: [{ keyid: 'SHA256:test', sig: 'c2lnbmF0dXJl' }] };
  const line = JSON.stringify({ payload: envelope.payload, payloadType: envelope.payloadType, signatures: envelope.signatures });
  const parsed = parseRecordLine(line);
  if (!parsed.ok) throw new Error(`test setup: signed record not readable: ${parsed.reason}`);
  await writer.append([{ commit, line }]);
}

export async function createRangeHistory(): Promise<RangeHistory> {
  const repo = await TestRepo.create();
  const base = await repo.commitFiles({ 'README.md': 'demo\n' }, 'base');

  const sum = '// sum helpers\nexport const sum = (a, b) => a + b;\nexport const twice = (a) => sum(a, a);\n';
  const sumAi = 'export const sum = (a, b) => a + b;\nexport const twice = (a) => sum(a, a);';
  repo.write('src/sum.js', sum);
  const reviewedCommit = await commitAs(repo, 'Alice Author', 'alice@example.com', 'add sum helpers');
  await recordSpans(repo, reviewedCommit, 'src/sum.js', sum, [
    aiSpanOver(sum, sumAi, { origin: { kind: 'inline', tool: 'github-copilot', model: 'gpt-4o' }, review: accepted(sumAi) }),
  ]);

  const net = '// network\nexport async function load(url) {\n  const response = await fetch(url);\n  return response.json();\n}\n';
  repo.write('src/net.js', net);
  const unreviewedCommit = await commitAs(repo, 'Bob Builder', 'bob@example.com', 'load data');
  await recordSpans(repo, unreviewedCommit, 'src/net.js', net, [
    aiSpanOver(net, '  const response = await fetch(url);\n  return response.json();\n}', { origin: { kind: 'agent', tool: 'claude-code', model: 'claude-sonnet-4' } }),
  ]);

  repo.write('README.md', 'demo\nmore words\nand more\n');
  const humanCommit = await commitAs(repo, 'Alice Author', 'alice@example.com', 'docs');

  const auth = '// auth\nexport const check = (token) => token.length > 0;\n';
  repo.write('src/auth.js', auth);
  const signedCommit = await commitAs(repo, 'Alice Author', 'alice@example.com', 'add check');
  const authAi = 'export const check = (token) => token.length > 0;';
  await recordSpans(repo, signedCommit, 'src/auth.js', auth, [aiSpanOver(auth, authAi, { origin: { kind: 'chat', tool: 'github-copilot', model: 'gpt-4o' }, review: accepted(authAi, 'checks the token') })], true);
  return { repo, base, reviewedCommit, unreviewedCommit, humanCommit, signedCommit };
}

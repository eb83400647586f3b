/**
 * Signed attribution claims waiting for their commit: one file per claim under
 * `<git common dir>/vouch/claims/`, written atomically. A commit's record takes the claims whose
 * lines it holds; those files are then removed. Files are hostile input: bounded and validated.
 */
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import type { Logger } from '../../core/logger';
import { canonicalJson, type JsonValue } from '../../core/notes/canonicalJson';
import type { DsseEnvelope } from '../../core/notes/noteRecord';
import { parseClaimEnvelope, type ClaimEnvelope } from '../../core/signing/attributionClaim';
import { sha256Hex } from '../../core/textHash';
import { writeFileAtomic } from '../atomicWrite';
import { readRegularFileSync } from '../regularFile';
import { errorMessage } from '../../core/errorMessage';

const MAX_CLAIM_FILES = 10_000;
const MAX_CLAIM_BYTES = 256 * 1024;

export interface StoredClaim {
  readonly file: string;
  readonly value: ClaimEnvelope;
}

export function claimsDirectory(commonDir: string): string {
  return path.join(commonDir, 'vouch', 'claims');
}

export async function saveClaim(commonDir: string, envelope: DsseEnvelope): Promise<string> {
  const text = canonicalJson(envelope as unknown as JsonValue);
  const file = path.join(claimsDirectory(commonDir), `${sha256Hex(text)}.json`);
  mkdirSync(path.dirname(file), { recursive: true });
  await writeFileAtomic(file, `${text}\n`);
  return file;
}

export function loadClaims(commonDir: string, logger: Logger): StoredClaim[] {
  const dir = claimsDirectory(commonDir);
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => /^[0-9a-f]{64}\.json$/.test(name));
  } catch {
    return [];
  }
  const claims: StoredClaim[] = [];
  for (const name of names.slice(0, MAX_CLAIM_FILES)) {
    const file = path.join(dir, name);
    try {
      const read = readRegularFileSync(file, { maxBytes: MAX_CLAIM_BYTES });
      if (read.kind === 'missing') continue; // taken by a commit since the listing
      if (read.kind !== 'ok') throw new Error(read.reason);
      const parsed = parseClaimEnvelope(JSON.parse(read.bytes.toString('utf8')));
      if (!parsed.ok) throw new Error(parsed.reason);
      claims.push({ file, value: parsed.value });
    } catch (error) {
      logger.warn(`vouch: ignoring the claim file ${name}: ${errorMessage(error)}`);
    }
  }
  return claims;
}

export function removeClaims(files: readonly string[]): void {
  for (const file of files) rmSync(file, { force: true });
}

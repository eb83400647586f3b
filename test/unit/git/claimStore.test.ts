import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { silentLogger, type Logger } from '../../../src/core/logger';
import { claimsDirectory, loadClaims } from '../../../src/git/signing/claimStore';

describe('claim store: hostile claim files are set aside without hanging', () => {
  let commonDir: string;
  beforeEach(() => (commonDir = mkdtempSync(path.join(os.tmpdir(), 'vouch-claims-'))));
  afterEach(() => rmSync(commonDir, { recursive: true, force: true }));

  it('a FIFO, a symlink to /dev/zero, an oversized file and bad JSON are each ignored with a warning', () => {
    const dir = claimsDirectory(commonDir);
    mkdirSync(dir, { recursive: true });
    const name = (digit: string) => path.join(dir, `${digit.repeat(64)}.json`);
    execFileSync('mkfifo', [name('a')]);
    symlinkSync('/dev/zero', name('b'));
    writeFileSync(name('c'), Buffer.alloc(256 * 1024 + 1, 0x20));
    writeFileSync(name('d'), '{not json');
    const warnings: string[] = [];
    const logger: Logger = { ...silentLogger, warn: (message: string) => warnings.push(message) };
    assert.deepEqual(loadClaims(commonDir, logger), []);
    assert.equal(warnings.length, 4, warnings.join('\n'));
    assert.ok(warnings.some((warning) => /a{64}\.json.*not a regular file/.test(warning)), warnings.join('\n'));
    assert.ok(warnings.some((warning) => /b{64}\.json.*not a regular file/.test(warning)), warnings.join('\n'));
    assert.ok(warnings.some((warning) => /c{64}\.json.*over the/.test(warning)), warnings.join('\n'));
  });
});

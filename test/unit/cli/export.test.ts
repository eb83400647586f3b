import * as assert from 'node:assert/strict';
import { agentTraceId, agentTraceModelId, type AgentTraceRecord } from '../../../src/core/export/agentTrace';
import { parseRecordLine } from '../../../src/core/notes/noteParser';
import { vouch } from '../../support/cliRun';
import { createRangeHistory, type RangeHistory } from './rangeHistory';

type Validate = ((value: unknown) => boolean) & { errors?: unknown };

function agentTraceValidator(): Validate {
  // ajv is a devDependency: the schema check always runs. Formats are checked by the schema's patterns.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Ajv2020 = (require('ajv/dist/2020') as { default: new (options: object) => { compile(schema: object): Validate } }).default;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const schema = require('../../../docs/agent-trace-record.schema.json') as object;
  return new Ajv2020({ strict: false, validateFormats: false }).compile(schema);
}

describe('vouch export', function () {
  this.timeout(60_000);
  let history: RangeHistory;
  let validate: Validate;

  before(async () => {
    history = await createRangeHistory();
    validate = agentTraceValidator();
  });
  after(() => history.repo.cleanup());

  it('writes one Agent Trace record per Vouch record that validates against the schema', async () => {
    const result = await vouch(history.repo.dir, 'export', '--format', 'agent-trace', `${history.base}..HEAD`);
    assert.equal(result.code, 0, result.stderr);
    const records = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as AgentTraceRecord);
    assert.equal(records.length, 3);
    for (const record of records) assert.ok(validate(record), JSON.stringify(validate.errors));
    const [sum, net, auth] = records;
    assert.equal(sum.version, '0.1.0');
    assert.equal(sum.vcs.revision, history.reviewedCommit);
    assert.equal(net.vcs.revision, history.unreviewedCommit);
    assert.equal(auth.vcs.revision, history.signedCommit);
    assert.deepEqual(sum.files[0].conversations[0].contributor, { type: 'ai', model_id: 'openai/gpt-4o' });
    assert.deepEqual(net.files[0].conversations[0].contributor, { type: 'ai', model_id: 'anthropic/claude-sonnet-4' });
    assert.deepEqual(
      net.files[0].conversations[0].ranges.map((range) => [range.start_line, range.end_line]),
      [[3, 5]],
    );
    assert.match(net.files[0].conversations[0].ranges[0].content_hash ?? '', /^sha256:[0-9a-f]{64}$/);
    const vendor = sum.metadata['dev.vouch'] as { record_id: string; ranges: { review: { decision: string } | null }[]; signatures: number };
    assert.equal(sum.id, agentTraceId(vendor.record_id));
    assert.equal(vendor.ranges[0].review?.decision, 'accepted');
    assert.equal((net.metadata['dev.vouch'] as typeof vendor).ranges[0].review, null);
    assert.equal((auth.metadata['dev.vouch'] as typeof vendor).signatures, 1);
    // Deterministic: the same range exports the same ids.
    const again = await vouch(history.repo.dir, 'export', '--format', 'agent-trace', `${history.base}..HEAD`);
    assert.equal(again.stdout, result.stdout);
  });

  it('the schema rejects what the specification does not allow', () => {
    const good = { version: '0.1.0', id: agentTraceId('a'.repeat(64)), timestamp: '2026-01-05T10:00:00.000Z', files: [{ path: 'a.ts', conversations: [{ contributor: { type: 'ai' }, ranges: [{ start_line: 1, end_line: 2 }] }] }] };
    assert.ok(validate(good), JSON.stringify(validate.errors));
    assert.equal(validate({ ...good, id: 'not-a-uuid' }), false);
    assert.equal(validate({ ...good, version: '1.0' }), false);
    assert.equal(validate({ ...good, files: [{ path: 'a.ts', conversations: [{ contributor: { type: 'robot' }, ranges: [] }] }] }), false);
    assert.equal(validate({ ...good, files: [{ path: 'a.ts', conversations: [{ ranges: [{ start_line: 0, end_line: 1 }] }] }] }), false);
    assert.equal(validate({ ...good, vcs: { type: 'git', revision: 'HEAD' } }), false);
  });

  it('writes the DSSE envelopes of the range as stored (in-toto)', async () => {
    const result = await vouch(history.repo.dir, 'export', '--format', 'in-toto', `${history.base}..HEAD`);
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.trim().split('\n');
    assert.equal(lines.length, 3);
    for (const line of lines) {
      const parsed = parseRecordLine(line);
      assert.ok(parsed.ok);
      assert.equal(parsed.record.statement._type, 'https://in-toto.io/Statement/v1');
    }
    const stored = await history.repo.text(['notes', '--ref', 'refs/notes/vouch', 'show', history.signedCommit]);
    assert.equal(lines[2], stored);
  });

  it('needs a known --format', async () => {
    assert.equal((await vouch(history.repo.dir, 'export')).code, 2);
    assert.equal((await vouch(history.repo.dir, 'export', '--format', 'csv')).code, 2);
  });

  it('derives ids and model ids as documented', () => {
    const id = agentTraceId('0123456789abcdef0123456789abcdef'.repeat(2));
    assert.equal(id, '01234567-89ab-8def-8123-456789abcdef');
    assert.equal(agentTraceModelId('claude-opus-4-5-20251101'), 'anthropic/claude-opus-4-5-20251101');
    assert.equal(agentTraceModelId('o3-mini'), 'openai/o3-mini');
    assert.equal(agentTraceModelId('gemini-2.5-pro'), 'google/gemini-2.5-pro');
    assert.equal(agentTraceModelId('openrouter/some-model'), 'openrouter/some-model');
    assert.equal(agentTraceModelId('my-local-model'), undefined);
    assert.equal(agentTraceModelId(undefined), undefined);
  });
});

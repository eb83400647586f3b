import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { SCOPE_TAGS, type AttributedSpan } from '../../../src/core/attribution';
import { buildReviewFiles } from '../../../src/core/review/reviewModel';
import { RISK_CATEGORIES } from '../../../src/core/review/riskHints';
import { sha256Hex } from '../../../src/core/textHash';
import {
  PANEL_RISK_CATEGORIES,
  PANEL_SCOPE_TAGS,
  PROTOCOL_LIMITS,
  parseMessageFromHost,
  parseMessageFromPage,
  type PanelFile,
} from '../../../src/shared/reviewProtocol';

function coreFiles(): PanelFile[] {
  const text = 'const a = 1;\nawait fetch(url);\nconst b = 2;\n';
  const start = text.indexOf('await');
  const span: AttributedSpan = {
    id: 'span-1',
    start,
    end: start + 'await fetch(url);'.length,
    origin: { kind: 'inline', tool: 'github-copilot', model: 'gpt-4o' },
    confidence: 'high',
    insertedAt: 1_700_000_000_000,
    insertedTextHash: sha256Hex('await fetch(url);'),
    insertedLength: 17,
    humanChangedChars: 3,
  };
  // Assigning core's files to the protocol type is the compile-time check that the shapes agree.
  const files: PanelFile[] = buildReviewFiles([{ path: 'src/a.ts', text, spans: [span] }]);
  return files;
}

const validDecide = {
  type: 'decide',
  blocks: [{ blockId: 'blk-1', textHash: 'ab12' }],
  decision: 'accept',
  intent: 'Load the user list',
  scope: ['network', 'data'],
  scopeNote: 'only the users API',
};

describe('review protocol', () => {
  it('repeats core vocabularies exactly', () => {
    assert.deepEqual([...PANEL_SCOPE_TAGS], [...SCOPE_TAGS]);
    assert.deepEqual([...PANEL_RISK_CATEGORIES], [...RISK_CATEGORIES]);
  });

  describe('from the page', () => {
    it('accepts every message type and drops unknown fields', () => {
      assert.deepEqual(parseMessageFromPage({ type: 'ready', extra: 1 }), { ok: true, value: { type: 'ready' } });
      assert.deepEqual(parseMessageFromPage({ type: 'refresh' }), { ok: true, value: { type: 'refresh' } });
      assert.deepEqual(parseMessageFromPage({ type: 'pageError', reason: 'bad state' }), { ok: true, value: { type: 'pageError', reason: 'bad state' } });
      assert.deepEqual(parseMessageFromPage({ type: 'openInEditor', blockId: 'blk-9' }), { ok: true, value: { type: 'openInEditor', blockId: 'blk-9' } });
      const decide = parseMessageFromPage({ ...validDecide, sneaky: '<script>' });
      assert.deepEqual(decide, { ok: true, value: validDecide });
      assert.deepEqual(parseMessageFromPage({ type: 'undoAccept', undoId: 'undo-3' }), { ok: true, value: { type: 'undoAccept', undoId: 'undo-3' } });
      const wholeLines = parseMessageFromPage({ ...validDecide, decision: 'reject', wholeLines: true });
      assert.deepEqual(wholeLines, { ok: true, value: { ...validDecide, decision: 'reject', wholeLines: true } });
    });

    const refusals: Array<[string, unknown, RegExp]> = [
      ['not an object', 'ready', /must be an object/],
      ['an array', [], /must be an object/],
      ['null', null, /must be an object/],
      ['unknown type', { type: 'deleteEverything' }, /message.type must be one of/],
      ['missing block id', { type: 'openInEditor' }, /blockId must be a string/],
      ['odd id characters', { type: 'openInEditor', blockId: 'a b<' }, /characters an id may not have/],
      ['oversize id', { type: 'openInEditor', blockId: 'x'.repeat(PROTOCOL_LIMITS.maxIdLength + 1) }, /longer than/],
      ['unknown decision', { ...validDecide, decision: 'approve' }, /decision must be one of/],
      ['unknown scope tag', { ...validDecide, scope: ['network', 'root'] }, /scope\[1\] must be one of/],
      ['repeated scope tag', { ...validDecide, scope: ['data', 'data'] }, /lists a tag twice/],
      ['oversize intent', { ...validDecide, intent: 'i'.repeat(PROTOCOL_LIMITS.maxIntentLength + 1) }, /intent is longer/],
      ['intent of wrong type', { ...validDecide, intent: 42 }, /intent must be a string/],
      ['oversize scope note', { ...validDecide, scopeNote: 'n'.repeat(PROTOCOL_LIMITS.maxScopeNoteLength + 1) }, /scopeNote is longer/],
      ['no blocks', { ...validDecide, blocks: [] }, /at least one block/],
      [
        'too many blocks',
        { ...validDecide, blocks: Array.from({ length: PROTOCOL_LIMITS.maxBlocksPerDecision + 1 }, (_, i) => ({ blockId: `b${i}`, textHash: 'h' })) },
        /more than/,
      ],
      ['a block twice', { ...validDecide, blocks: [validDecide.blocks[0], validDecide.blocks[0]] }, /names a block twice/],
      ['a block without hash', { ...validDecide, blocks: [{ blockId: 'b' }] }, /textHash must be a string/],
      ['whole lines with an accept', { ...validDecide, decision: 'accept', wholeLines: true }, /wholeLines goes with a rejection only/],
      ['whole lines that is not a boolean', { ...validDecide, decision: 'reject', wholeLines: 'yes' }, /wholeLines must be true or false/],
      ['an undo without id', { type: 'undoAccept' }, /undoId must be a string/],
    ];
    for (const [name, message, reason] of refusals) {
      it(`refuses ${name}`, () => {
        const result = parseMessageFromPage(message);
        assert.equal(result.ok, false);
        assert.match(result.ok ? '' : result.reason, reason);
      });
    }

    it('survives getters that throw', () => {
      const hostile = Object.defineProperty({}, 'type', {
        get: () => {
          throw new Error('boom');
        },
      });
      assert.deepEqual(parseMessageFromPage(hostile), { ok: false, reason: 'message could not be read: boom' });
    });
  });

  describe('from the host', () => {
    it('accepts the state core builds, after a JSON round trip, keeping only protocol fields', () => {
      const files = coreFiles();
      const result = parseMessageFromHost(JSON.parse(JSON.stringify({ type: 'state', files, reviewer: { name: 'Ada', email: 'ada@example.com' } })));
      assert.ok(result.ok, result.ok ? '' : result.reason);
      const block = result.value.type === 'state' ? result.value.files[0].blocks[0] : undefined;
      assert.ok(block);
      assert.deepEqual(Object.keys(block).sort(), [
        'contextAfter',
        'contextBefore',
        'endLine',
        'firstInsertedAt',
        'humanChangedShare',
        'id',
        'lastInsertedAt',
        'lines',
        'origins',
        'path',
        'personTextOnLines',
        'previouslyRejected',
        'riskHints',
        'startLine',
        'suggestedScope',
        'textHash',
      ]);
      assert.deepEqual(block.lines, ['await fetch(url);']);
      assert.deepEqual(
        block.riskHints.map((h) => h.category),
        ['network'],
      );
    });

    it('accepts busy, notice and focus messages', () => {
      assert.deepEqual(parseMessageFromHost({ type: 'busy', busy: true }), { ok: true, value: { type: 'busy', busy: true } });
      assert.deepEqual(parseMessageFromHost({ type: 'notice', level: 'error', message: 'Changed', blockIds: ['b1'] }), {
        ok: true,
        value: { type: 'notice', level: 'error', message: 'Changed', blockIds: ['b1'] },
      });
      assert.deepEqual(parseMessageFromHost({ type: 'focus', blockId: 'b1' }), { ok: true, value: { type: 'focus', blockId: 'b1' } });
      assert.ok(parseMessageFromHost({ type: 'state', files: [], reviewer: null }).ok);
    });

    it('accepts an optional signing line: the key that will sign, or why reviews stay unsigned', () => {
      const signed = { type: 'state', files: [], reviewer: null, signing: { signed: true, key: 'SSH key SHA256:abc' } };
      assert.deepEqual(parseMessageFromHost(signed), { ok: true, value: signed });
      const unsigned = { type: 'state', files: [], reviewer: null, signing: { signed: false, reason: 'no key set' } };
      assert.deepEqual(parseMessageFromHost(unsigned), { ok: true, value: unsigned });
      const without = parseMessageFromHost({ type: 'state', files: [], reviewer: null });
      assert.ok(without.ok && without.value.type === 'state' && !('signing' in without.value));
    });

    it('accepts an optional undoable accept: its id and what it was', () => {
      const withUndo = { type: 'state', files: [], reviewer: null, undoableAccept: { undoId: 'undo-4', message: 'Accepted line 9 of src/cart.ts.' } };
      assert.deepEqual(parseMessageFromHost(withUndo), { ok: true, value: withUndo });
      const signedWithUndo = { ...withUndo, signing: { signed: true, key: 'SSH key SHA256:abc' } };
      assert.deepEqual(parseMessageFromHost(signedWithUndo), { ok: true, value: signedWithUndo });
    });

    function stateWith(change: (block: Record<string, unknown>) => void): unknown {
      const files = JSON.parse(JSON.stringify(coreFiles())) as Array<{ path: string; blocks: Array<Record<string, unknown>> }>;
      change(files[0].blocks[0]);
      return { type: 'state', files, reviewer: null };
    }

    const refusals: Array<[string, unknown, RegExp]> = [
      ['a state without reviewer field', { type: 'state', files: [] }, /reviewer must be an object/],
      ['lines that do not match the range', stateWith((b) => (b.endLine = 5)), /must hold lines/],
      ['a hint outside the block', stateWith((b) => (b.riskHints = [{ category: 'network', message: 'x', line: 9 }])), /line must be an integer from 1 to 1/],
      ['an unknown hint category', stateWith((b) => (b.riskHints = [{ category: 'bitcoin', message: 'x', line: 1 }])), /category must be one of/],
      ['a share above one', stateWith((b) => (b.humanChangedShare = 1.5)), /humanChangedShare/],
      ['a line that is not text', stateWith((b) => (b.lines = [42])), /lines\[0\] must be a string/],
      ['a block of another file', stateWith((b) => (b.path = 'other.ts')), /not the path of its file/],
      ['NaN time', stateWith((b) => (b.firstInsertedAt = Number.NaN)), /firstInsertedAt/],
      ['an unknown suggested scope', stateWith((b) => (b.suggestedScope = ['everything'])), /suggestedScope/],
      ['signing that is not an object', { type: 'state', files: [], reviewer: null, signing: 'SHA256:x' }, /signing must be an object/],
      ['signing without signed', { type: 'state', files: [], reviewer: null, signing: { key: 'SHA256:x' } }, /signing.signed must be true or false/],
      ['a signed state without a key', { type: 'state', files: [], reviewer: null, signing: { signed: true, key: '' } }, /signing.key must not be empty/],
      ['an overlong signing key', { type: 'state', files: [], reviewer: null, signing: { signed: true, key: 'k'.repeat(257) } }, /signing.key is longer than 256/],
      ['an unsigned state without a reason', { type: 'state', files: [], reviewer: null, signing: { signed: false } }, /signing.reason must be a string/],
      ['an empty notice', { type: 'notice', level: 'info', message: '' }, /must not be empty/],
      ['an unknown notice level', { type: 'notice', level: 'panic', message: 'x' }, /level must be one of/],
      ['busy as a string', { type: 'busy', busy: 'yes' }, /busy must be true or false/],
      ['too many context lines', stateWith((b) => (b.contextBefore = ['a', 'b', 'c', 'd'])), /contextBefore has more than 3 items/],
      ['an overlong context line', stateWith((b) => (b.contextAfter = ['x'.repeat(PROTOCOL_LIMITS.maxContextLineLength + 1)])), /contextAfter\[0\] is longer than/],
      ['replaced lines that are not text', stateWith((b) => (b.replacedLines = [1])), /replacedLines\[0\] must be a string/],
      ['person text that is not a boolean', stateWith((b) => (b.personTextOnLines = 'yes')), /personTextOnLines must be true or false/],
      ['an undo id with odd characters', { type: 'notice', level: 'info', message: 'x', undoId: 'a b' }, /characters an id may not have/],
      ['an undoable accept that is not an object', { type: 'state', files: [], reviewer: null, undoableAccept: 'undo-1' }, /undoableAccept must be an object/],
      ['an undoable accept with an odd id', { type: 'state', files: [], reviewer: null, undoableAccept: { undoId: 'a\u001b[2Kb', message: 'x' } }, /characters an id may not have/],
      ['an undoable accept without its text', { type: 'state', files: [], reviewer: null, undoableAccept: { undoId: 'undo-1', message: '' } }, /undoableAccept.message must not be empty/],
    ];
    for (const [name, message, reason] of refusals) {
      it(`refuses ${name}`, () => {
        const result = parseMessageFromHost(message);
        assert.equal(result.ok, false);
        assert.match(result.ok ? '' : result.reason, reason);
      });
    }

    it('refuses the same block id twice', () => {
      const files = coreFiles();
      const doubled = [{ path: files[0].path, blocks: [files[0].blocks[0], files[0].blocks[0]] }];
      const result = parseMessageFromHost({ type: 'state', files: doubled, reviewer: null });
      assert.match(result.ok ? '' : result.reason, /used twice/);
    });
  });

  it('refuses holes in lists (a sparse array from the page or the host)', () => {
    const result = parseMessageFromHost({ type: 'state', files: [,], reviewer: null });
    assert.deepEqual(result, { ok: false, reason: 'message.files[0] must be an object' });
  });

  describe('fuzzed with random input', () => {
    const junk = fc.anything({
      maxDepth: 4,
      withObjectString: true,
      withNullPrototype: true,
      withBigInt: true,
      withDate: true,
      withMap: true,
      withSet: true,
      withTypedArray: true,
      withSparseArray: true,
    });
    const nearlyValid = fc.record(
      {
        type: fc.constantFrom('ready', 'pageError', 'decide', 'openInEditor', 'refresh', 'state', 'busy', 'notice', 'focus', 'other'),
        blockId: fc.oneof(fc.string(), fc.integer()),
        blocks: fc.array(fc.record({ blockId: fc.string(), textHash: fc.oneof(fc.string({ unit: fc.constantFrom(...'0123456789abcdef') }), fc.constant(undefined)) }), { maxLength: 3 }),
        decision: fc.constantFrom('accept', 'reject', 'maybe'),
        intent: fc.oneof(fc.string(), fc.constant(null)),
        scope: fc.array(fc.constantFrom(...PANEL_SCOPE_TAGS, 'root'), { maxLength: 4 }),
        scopeNote: fc.string(),
        busy: fc.oneof(fc.boolean(), fc.string()),
        level: fc.constantFrom('info', 'warning', 'error', 'x'),
        message: fc.string(),
        reason: fc.oneof(fc.string(), fc.integer()),
        files: fc.oneof(fc.constant([]), junk),
        reviewer: fc.oneof(fc.constant(null), fc.record({ name: fc.string(), email: fc.string() }), junk),
      },
      { requiredKeys: ['type'] },
    );

    for (const [name, parse] of [
      ['page', parseMessageFromPage],
      ['host', parseMessageFromHost],
    ] as const) {
      it(`never throws on junk from the ${name}; what it accepts is plain data that parses to itself`, () => {
        let accepted = 0;
        fc.assert(
          fc.property(fc.oneof(junk, nearlyValid), (input) => {
            const result = parse(input);
            if (!result.ok) {
              assert.equal(typeof result.reason, 'string');
              assert.ok(result.reason.length > 0);
              return;
            }
            accepted++;
            assert.deepEqual(parse(JSON.parse(JSON.stringify(result.value))), result);
          }),
          { numRuns: 800 },
        );
        // The generator must reach the accepting paths too, or this test proves little.
        assert.ok(accepted > 20, `only ${accepted} random messages were valid`);
      });
    }
  });
});

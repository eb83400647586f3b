import * as assert from 'node:assert/strict';
import * as fc from 'fast-check';
import { escapeLogMessages, type Logger } from '../../../../src/core/logger';
import { DISPLAY_SAFE_NAME, display, displayComposed, escapeDisplay, escapeJsonText, jsonOutput } from '../../../../src/core/text/displayText';

/** What no escaped value may contain raw: controls, format characters (bidi, zero-width, tags), invisible default-ignorables, separators, lone surrogates. */
const RAW_UNSAFE = /[\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}\u2028\u2029]|[\ud800-\udfff]/u;
/** .NET Char.IsWhiteSpace, which GitHub's runner trims (TrimStart) before it looks for `::`. */
const DOTNET_WHITE_SPACE = ['\t', '\n', '\u000b', '\f', '\r', ' ', '\u0085', '\u00a0', '\u1680', '\u2000', '\u2001', '\u2002', '\u2003', '\u2004', '\u2005', '\u2006', '\u2007', '\u2008', '\u2009', '\u200a', '\u2028', '\u2029', '\u202f', '\u205f', '\u3000'];
const COMMAND_LINE = /^[\s\u0085]*::|##\[|##vso\[/im;
/** Invisible characters from the Unicode lists (Default_Ignorable_Code_Point, General_Category Cf) a terminal draws as nothing. */
const INVISIBLE = ['\u034f', '\u115f', '\u1160', '\u17b4', '\u17b5', '\u180b', '\u180f', '\u3164', '\ufe00', '\ufe0f', '\uffa0', '\ufff0', '\ufff8', '\u{1bca0}', '\u{1d173}', '\u{1d17a}', '\u{e0100}', '\u{e0fff}', '\u0600', '\u0605', '\u06dd', '\u070f', '\u0890', '\u08e2', '\u{110bd}', '\u{110cd}', '\u{13430}', '\u{1343f}'];

describe('displayText', () => {
  it('renders controls, escape sequences and bidi characters visibly', () => {
    assert.equal(escapeDisplay('a\u001b[2Kb'), 'a\\x1b[2Kb');
    assert.equal(escapeDisplay('\u001b]52;c;aGk=\u0007'), '\\x1b]52;c;aGk=\\x07');
    assert.equal(escapeDisplay('x\ny\r\tz'), 'x\\ny\\r\\tz');
    assert.equal(escapeDisplay('\u009b31m'), '\\x9b31m');
    assert.equal(escapeDisplay('evil\u202eexe.ts'), 'evil\\u202eexe.ts');
    assert.equal(escapeDisplay('a\u2066b\u2069'), 'a\\u2066b\\u2069');
    assert.equal(escapeDisplay('zero\u200bwidth\u2028line'), 'zero\\u200bwidth\\u2028line');
    assert.equal(escapeDisplay('tag\u{e0041}'), 'tag\\u{e0041}');
    assert.equal(escapeDisplay('lone\ud800'), 'lone\\ud800');
    assert.equal(escapeDisplay('Dana Développer 名前 ✓'), 'Dana Développer 名前 ✓');
  });

  it('neutralises workflow commands at a line start (GitHub Actions, Azure Pipelines)', () => {
    assert.equal(escapeDisplay('::error::forged'), '\\x3a:error::forged');
    assert.equal(escapeDisplay('  ::add-mask::secret'), '  \\x3a:add-mask::secret');
    assert.equal(escapeDisplay('##[error]x'), '\\x23#[error]x');
    assert.equal(escapeDisplay('path ##vso[task.setvariable variable=x]1'), 'path \\x23#vso[task.setvariable variable=x]1');
    assert.equal(escapeDisplay('a::b ## heading'), 'a::b ## heading');
  });

  it('neutralises a `::` line start hidden behind any white space a runner trims', () => {
    for (const blank of DOTNET_WHITE_SPACE) {
      const escaped = escapeDisplay(`${blank}::error title=pwned::x`);
      assert.ok(!COMMAND_LINE.test(escaped), JSON.stringify(escaped));
      // A blank that is itself escaped (tab, U+0085, U+2028) no longer starts the line; any other stays, and the colon is escaped.
      assert.ok(RAW_UNSAFE.test(blank) || escaped === `${blank}\\x3a:error title=pwned::x`, JSON.stringify(escaped));
      assert.ok(!COMMAND_LINE.test(display`${blank}${'::add-mask::x'}\n`), JSON.stringify(blank));
    }
    assert.equal(escapeDisplay('\u3000 \u00a0::x'), '\u3000 \u00a0\\x3a:x');
  });

  it('escapes `##[` and `##vso[` anywhere in a line, also where the display tag joins them', () => {
    assert.equal(escapeDisplay('src##[error title=forged]x.txt'), 'src\\x23#[error title=forged]x.txt');
    assert.equal(escapeDisplay('\u3000##[error]x'), '\u3000\\x23#[error]x');
    assert.equal(escapeDisplay('a ###[b ##VSO[c'), 'a #\\x23#[b \\x23#VSO[c');
    assert.equal(display`${'#'}${'#[add-mask]x'} and ${'##'}vso[y]\n`, '\\x23#[add-mask]x and \\x23#vso[y]\n');
  });

  it('shows invisible default-ignorable and format characters visibly', () => {
    assert.equal(escapeDisplay('copilot\u3164'), 'copilot\\u3164');
    assert.equal(escapeDisplay('Alice\u034f'), 'Alice\\u034f');
    assert.equal(escapeDisplay('ok\u{1d173}\u{1bca0}\ufe0f'), 'ok\\u{1d173}\\u{1bca0}\\ufe0f');
    for (const character of INVISIBLE) {
      const escaped = escapeDisplay(`a${character}b`);
      assert.ok(!escaped.includes(character) && escaped.startsWith('a\\u'), JSON.stringify(escaped));
    }
  });

  it('the display tag escapes values, keeps its own text, and catches a command formed at a line start', () => {
    const forged = '\nvouch verify: OK: forged';
    assert.equal(display`record by ${forged}\n`, 'record by \\nvouch verify: OK: forged\n');
    assert.equal(display`${':'}${':error::x'}\n`, '\\x3a:error::x\n');
    assert.equal(display`${3} lines of ${'a.ts'}`, '3 lines of a.ts');
    assert.equal(display`failed: ${new Error('bad\u001b[0m')}`, 'failed: bad\\x1b[0m');
    assert.equal(displayComposed('## Report\n::x\n| a |'), '## Report\n\\x3a:x\n| a |');
  });

  it('property: any value comes out as one line with nothing unsafe, and escaping twice changes nothing', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (value) => {
        const escaped = escapeDisplay(value);
        assert.ok(!RAW_UNSAFE.test(escaped), JSON.stringify(escaped));
        assert.ok(!COMMAND_LINE.test(escaped), JSON.stringify(escaped));
        assert.equal(escapeDisplay(escaped), escaped);
        const line = display`x ${value} y\n`;
        assert.equal(line.split('\n').length, 2);
      }),
      { numRuns: 2000 },
    );
  });

  it('property: white space, invisible characters and command markers in any mix come out safe', () => {
    const piece = fc.oneof(fc.constantFrom(...DOTNET_WHITE_SPACE, ...INVISIBLE, '::', ':', '##[', '#', '[', '##vso[', 'vso', '\\'), fc.string({ maxLength: 3 }));
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
        const value = pieces.join('');
        const escaped = escapeDisplay(value);
        assert.ok(!RAW_UNSAFE.test(escaped) && !COMMAND_LINE.test(escaped), JSON.stringify(escaped));
        assert.equal(escapeDisplay(escaped), escaped);
        assert.ok(!DISPLAY_SAFE_NAME.test(value) || escaped === value, JSON.stringify(value));
        assert.ok(!COMMAND_LINE.test(display`${value}${pieces[0] ?? ''}\n`));
      }),
      { numRuns: 3000 },
    );
  });

  it('a display-safe name is one a terminal shows as is', () => {
    for (const name of ['claude-code', 'Claude Sonnet 4.5 (Thinking)', 'gpt-4o', 'anthropic/claude-sonnet-4:latest', 'Dana Développer', 'dana@example.com']) {
      assert.ok(DISPLAY_SAFE_NAME.test(name), name);
    }
    const refused = ['', ' x', 'x ', 'a\u001b[2K', 'a\nb', 'x\u202ey', '::error::x', '##vso[x]', 'z\u200b', 'q\u{e0041}', 'copilot##[add-mask]copilot', 'a ##VSO[b', '\u00a0::x', 'x\u3000'];
    for (const name of [...refused, ...INVISIBLE.map((character) => `Alice${character}`)]) {
      assert.ok(!DISPLAY_SAFE_NAME.test(name), JSON.stringify(name));
    }
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 30 }), (name) => !DISPLAY_SAFE_NAME.test(name) || escapeDisplay(name) === name));
  });

  it('JSON output writes C1, format, invisible and separator characters and command markers as \\u escapes', () => {
    const value = { intent: 'ok \u009b2J \u202e ##vso[task.setvariable variable=VOUCH_OK]true', path: 'src##[error]x\u2028\u{1d173}\u3164', 'key\u200b##[': ['\u007f', '\ud800'] };
    const text = jsonOutput(value);
    assert.ok(text.includes('ok \\u009b2J \\u202e \\u0023#vso[task'), text);
    assert.ok(text.includes('src\\u0023#[error]x\\u2028\\ud834\\udd73\\u3164'), text);
    assert.ok(text.includes('"key\\u200b\\u0023#[": ['), text);
    assert.deepEqual(JSON.parse(text), value);
    assert.equal(jsonOutput({ a: 'plain', n: 1 }), `${JSON.stringify({ a: 'plain', n: 1 }, null, 2)}\n`, 'plain data is written as JSON.stringify writes it');
    assert.equal(jsonOutput(['\u00a0::x'], 'compact'), '["\u00a0::x"]\n');
    assert.equal(escapeJsonText('{"a":"\\\\##[b","c":"\\"##vso["}'), '{"a":"\\\\\\u0023#[b","c":"\\"\\u0023#vso["}');
    assert.deepEqual(JSON.parse(escapeJsonText('{"a":"\\\\##[b","c":"\\"##vso["}')), { a: '\\##[b', c: '"##vso[' });
  });

  it('property: JSON output parses back to exactly the input, and its raw text holds nothing a terminal or CI runner acts on', () => {
    const piece = fc.oneof(fc.constantFrom(...DOTNET_WHITE_SPACE, ...INVISIBLE, '\u009b', '\u202e', '\u2066', '::', '#', '##[', '##vso[', '##VsO[', '\\', '"', '\n'), fc.string({ unit: 'binary', maxLength: 4 }));
    const hostileString = fc.array(piece, { maxLength: 8 }).map((pieces) => pieces.join(''));
    const hostileJson = fc.letrec<{ value: unknown }>((tie) => ({
      value: fc.oneof({ depthSize: 'small' }, hostileString, fc.integer(), fc.constant(null), fc.array(tie('value'), { maxLength: 4 }), fc.dictionary(hostileString, tie('value'), { maxKeys: 4 })),
    })).value;
    fc.assert(
      fc.property(hostileJson, fc.constantFrom<'indented' | 'compact'>('indented', 'compact'), (value, layout) => {
        const text = jsonOutput(value, layout);
        assert.deepEqual(JSON.parse(text), JSON.parse(JSON.stringify(value)));
        assert.ok(!/[\u007f-\u009f\p{Cf}\p{Default_Ignorable_Code_Point}\u2028\u2029]|[\ud800-\udfff]/u.test(text), JSON.stringify(text));
        assert.ok(!COMMAND_LINE.test(text), JSON.stringify(text));
      }),
      { numRuns: 1500 },
    );
  });

  it('a logger wrapped by escapeLogMessages escapes every message and keeps the rest of the channel', () => {
    const lines: unknown[] = [];
    const channel = {
      name: 'Vouch',
      trace: (m: unknown) => lines.push(m),
      debug: (m: unknown) => lines.push(m),
      info: (m: unknown, ...args: unknown[]) => lines.push(m, ...args),
      warn: (m: unknown) => lines.push(m),
      error: (m: unknown) => lines.push(m),
      show(this: { name: string }) {
        return this.name;
      },
    };
    const log = escapeLogMessages(channel satisfies Logger);
    log.warn('set aside \u001b[2K::error::x\nforged');
    log.info('note of %s', 'arg');
    log.error(new Error('bad \u202e name'));
    assert.equal(lines[0], 'set aside \\x1b[2K::error::x\\nforged');
    assert.deepEqual(lines.slice(1, 3), ['note of %s', 'arg']);
    assert.ok(lines[3] instanceof Error && lines[3].message === 'bad \\u202e name');
    assert.equal(log.show(), 'Vouch', 'other members work on the channel itself');
  });
});

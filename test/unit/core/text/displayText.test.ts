import * as assert from 'node:assert/strict';
import * as fc from 'fast-check';
import { escapeLogMessages, type Logger } from '../../../../src/core/logger';
import { DISPLAY_SAFE_NAME, display, displayComposed, escapeDisplay } from '../../../../src/core/text/displayText';

/** What no escaped value may contain raw: C0, DEL, C1, bidi controls, invisible and separator characters. */
const RAW_UNSAFE = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]|[\u{e0000}-\u{e007f}]|[\ud800-\udfff]/u;
const COMMAND_LINE = /^[ \t]*(?:::|##\[)|##vso\[/im;

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

  it('a display-safe name is one a terminal shows as is', () => {
    for (const name of ['claude-code', 'Claude Sonnet 4.5 (Thinking)', 'gpt-4o', 'anthropic/claude-sonnet-4:latest', 'Dana Développer', 'dana@example.com']) {
      assert.ok(DISPLAY_SAFE_NAME.test(name), name);
    }
    for (const name of ['', ' x', 'x ', 'a\u001b[2K', 'a\nb', 'x\u202ey', '::error::x', '##vso[x]', 'z\u200b', 'q\u{e0041}']) {
      assert.ok(!DISPLAY_SAFE_NAME.test(name), JSON.stringify(name));
    }
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 30 }), (name) => !DISPLAY_SAFE_NAME.test(name) || escapeDisplay(name) === name));
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

/**
 * A small lexer that separates code from comments and string literals, so risk hints look for API
 * calls in code only ("fetch(" in a comment or a message string is not a network call) and for SQL
 * in string literals only. Not a parser: it knows each language's comment and string syntax and
 * nothing more, which is all the hints need.
 */
import { lineStartOffsets } from '../text/lines';

export type ScanLanguage = 'js' | 'python' | 'go' | 'java' | 'rust' | 'shell' | 'c-like' | 'hash-config' | 'plain';

export interface StringLiteral {
  /** Offset of the first character of the content (after the opening quote). */
  readonly start: number;
  /** Offset just past the content (the closing quote, or the end of the text when unterminated). */
  readonly end: number;
  readonly value: string;
  /** Letters before the quote (`f`, `r`, `b` in Python; `r` in Rust), or `` ` `` for template and raw literals. */
  readonly prefix: string;
  /** True when the literal interpolates code: JS `${}`, Python f-string `{}`, shell `"$x"`. */
  readonly interpolates: boolean;
}

export interface ScannedCode {
  /** The text with comments and string contents blanked (newlines kept, so offsets and lines match). */
  readonly skeleton: string;
  /** The text with comments blanked and strings kept. */
  readonly withoutComments: string;
  readonly strings: readonly StringLiteral[];
}

const EXTENSION_LANGUAGES: Record<string, ScanLanguage> = {
  js: 'js', mjs: 'js', cjs: 'js', jsx: 'js', ts: 'js', mts: 'js', cts: 'js', tsx: 'js', vue: 'js', svelte: 'js',
  py: 'python', pyw: 'python', pyi: 'python',
  go: 'go',
  java: 'java', kt: 'java', kts: 'java', scala: 'java', groovy: 'java', gradle: 'java',
  rs: 'rust',
  sh: 'shell', bash: 'shell', zsh: 'shell', ksh: 'shell',
  c: 'c-like', h: 'c-like', cc: 'c-like', cpp: 'c-like', hpp: 'c-like', cs: 'c-like', swift: 'c-like', php: 'c-like', dart: 'c-like',
  toml: 'hash-config', yaml: 'hash-config', yml: 'hash-config', ini: 'hash-config', cfg: 'hash-config', env: 'hash-config',
  txt: 'hash-config', properties: 'hash-config', rb: 'hash-config', gemfile: 'hash-config', pipfile: 'hash-config',
};

export function languageOfPath(path: string): ScanLanguage {
  const base = baseName(path).toLowerCase();
  if (base === 'dockerfile' || base === 'makefile' || base.startsWith('.env')) return 'shell';
  if (base === 'gemfile' || base === 'pipfile') return 'hash-config';
  const dot = base.lastIndexOf('.');
  if (dot < 0) return 'plain';
  return EXTENSION_LANGUAGES[base.slice(dot + 1)] ?? 'plain';
}

export function baseName(path: string): string {
  const slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return path.slice(slash + 1);
}

type Mode =
  | { readonly kind: 'code'; braceDepth: number }
  | { readonly kind: 'template'; readonly literal: MutableLiteral };

interface MutableLiteral {
  start: number;
  end: number;
  prefix: string;
  interpolates: boolean;
}

/**
 * A copy of a text as UTF-16 code units, in which ranges can be blanked: two bytes a character
 * (an array of one-character strings took tens of bytes each: a 45 MB file ran out of memory).
 */
class BlankableText {
  private readonly units: Uint16Array;
  /** Whether every surrogate is paired: then the decoder gives the same units back, fast. */
  private readonly wellFormed: boolean;

  constructor(text: string) {
    // With the u flag the class matches only a surrogate that is not part of a pair.
    this.wellFormed = !/[\uD800-\uDFFF]/u.test(text);
    this.units = new Uint16Array(text.length);
    for (let index = 0; index < text.length; index++) this.units[index] = text.charCodeAt(index);
  }

  /** Spaces for [from, to), line breaks kept (so offsets and line numbers stay those of the text). */
  blank(from: number, to: number): void {
    const end = Math.min(to, this.units.length);
    for (let index = from; index < end; index++) if (this.units[index] !== 0x0a) this.units[index] = 0x20;
  }

  toString(): string {
    // ignoreBOM keeps a leading U+FEFF (offsets stay the text's).
    if (this.wellFormed) return new TextDecoder('utf-16le', { ignoreBOM: true }).decode(this.units);
    // In slices: fromCharCode takes each unit as an argument (lone surrogates kept as they are).
    const parts: string[] = [];
    for (let start = 0; start < this.units.length; start += 8192) parts.push(String.fromCharCode(...this.units.subarray(start, start + 8192)));
    return parts.join('');
  }
}

export function scanCode(text: string, language: ScanLanguage): ScannedCode {
  const skeleton = new BlankableText(text);
  const withoutComments = new BlankableText(text);
  const literals: MutableLiteral[] = [];
  const blank = (from: number, to: number, target: BlankableText): void => target.blank(from, to);
  const blankComment = (from: number, to: number): void => {
    blank(from, to, skeleton);
    blank(from, to, withoutComments);
  };
  const addString = (start: number, end: number, prefix: string, interpolates: boolean): void => {
    blank(start, end, skeleton);
    literals.push({ start, end, prefix, interpolates });
  };

  const cStyle = language === 'js' || language === 'go' || language === 'java' || language === 'rust' || language === 'c-like';
  const hashComments = language === 'python' || language === 'shell' || language === 'hash-config';
  const modes: Mode[] = [{ kind: 'code', braceDepth: 0 }];
  let i = 0;
  while (i < text.length) {
    const mode = modes[modes.length - 1];
    if (mode.kind === 'template') {
      // Inside a JS template literal: text until the closing backtick or an interpolation.
      const literal = mode.literal;
      const ch = text[i];
      if (ch === '\\') {
        i += 2;
        continue;
      }
      if (ch === '`') {
        literal.end = i;
        modes.pop();
        i++;
        continue;
      }
      if (ch === '$' && text[i + 1] === '{') {
        literal.interpolates = true;
        modes.push({ kind: 'code', braceDepth: 0 });
        i += 2;
        continue;
      }
      blank(i, i + 1, skeleton);
      i++;
      continue;
    }

    const ch = text[i];
    const next = text[i + 1];
    if (cStyle && ch === '/' && next === '/') {
      const end = lineEnd(text, i);
      blankComment(i, end);
      i = end;
      continue;
    }
    if (cStyle && ch === '/' && next === '*') {
      const close = text.indexOf('*/', i + 2);
      const end = close < 0 ? text.length : close + 2;
      blankComment(i, end);
      i = end;
      continue;
    }
    if (hashComments && ch === '#' && startsHashComment(text, i, language)) {
      const end = lineEnd(text, i);
      blankComment(i, end);
      i = end;
      continue;
    }
    if (language === 'js' && ch === '`') {
      const literal: MutableLiteral = { start: i + 1, end: text.length, prefix: '`', interpolates: false };
      literals.push(literal);
      modes.push({ kind: 'template', literal });
      i++;
      continue;
    }
    if (language === 'js' && ch === '/' && startsRegexLiteral(text, i)) {
      const end = regexEnd(text, i);
      if (end > 0) {
        addString(i + 1, end, '/', false);
        i = end + 1;
        continue;
      }
    }
    if (modes.length > 1) {
      // Inside a template's ${...}: the matching } returns to the template text.
      if (ch === '{') mode.braceDepth++;
      if (ch === '}') {
        if (mode.braceDepth === 0) {
          modes.pop();
          i++;
          continue;
        }
        mode.braceDepth--;
      }
    }
    const consumed = scanStringAt(text, i, language, addString);
    if (consumed > i) {
      i = consumed;
      continue;
    }
    i++;
  }

  return {
    skeleton: skeleton.toString(),
    withoutComments: withoutComments.toString(),
    strings: literals.map((l) => ({ start: l.start, end: l.end, value: text.slice(l.start, l.end), prefix: l.prefix, interpolates: l.interpolates })),
  };
}

/** Returns the offset after the string literal starting at `i`, or `i` when none starts there. */
function scanStringAt(
  text: string,
  i: number,
  language: ScanLanguage,
  addString: (start: number, end: number, prefix: string, interpolates: boolean) => void,
): number {
  const ch = text[i];
  if (language === 'python') {
    const match = /^([rRbBfFuU]{0,2})('''|"""|'|")/.exec(text.slice(i, i + 5));
    if (!match || (match[1] && isIdentifierChar(text[i - 1]))) return i;
    const prefix = match[1].toLowerCase();
    const quote = match[2];
    const start = i + match[0].length;
    const end = findClose(text, start, quote, !prefix.includes('r'), quote.length === 3);
    const value = text.slice(start, end);
    addString(start, end, prefix, prefix.includes('f') && /\{[^{]/.test(value.replace(/\{\{/g, '')));
    return Math.min(text.length, end + quote.length);
  }
  if (language === 'rust' && (ch === 'r' || ch === 'b') && !isIdentifierChar(text[i - 1])) {
    const match = /^b?r(#*)"/.exec(text.slice(i, i + 40));
    if (match) {
      const start = i + match[0].length;
      const closer = `"${match[1]}`;
      const close = text.indexOf(closer, start);
      const end = close < 0 ? text.length : close;
      addString(start, end, 'r', false);
      return Math.min(text.length, end + closer.length);
    }
  }
  if (ch === '"') {
    const multiline = language === 'shell' || language === 'rust';
    const end = findClose(text, i + 1, '"', true, multiline);
    const value = text.slice(i + 1, end);
    addString(i + 1, end, '', language === 'shell' && /\$[\w{(]/.test(value));
    return Math.min(text.length, end + 1);
  }
  if (ch === "'") {
    if (language === 'js' || language === 'shell') {
      const end = findClose(text, i + 1, "'", language !== 'shell', language === 'shell');
      addString(i + 1, end, '', false);
      return Math.min(text.length, end + 1);
    }
    if (language === 'go' || language === 'java' || language === 'rust' || language === 'c-like') {
      // A character literal, not a Rust lifetime such as 'a.
      const match = /^'(?:\\[^\n']{1,10}|[^\\'\n]{1,2})'/.exec(text.slice(i, i + 14));
      if (!match) return i;
      addString(i + 1, i + match[0].length - 1, '', false);
      return i + match[0].length;
    }
  }
  if (ch === '`' && language === 'go') {
    const close = text.indexOf('`', i + 1);
    const end = close < 0 ? text.length : close;
    addString(i + 1, end, '`', false);
    return Math.min(text.length, end + 1);
  }
  return i;
}

function findClose(text: string, from: number, quote: string, escapes: boolean, multiline: boolean): number {
  let i = from;
  while (i < text.length) {
    const ch = text[i];
    if (escapes && ch === '\\') {
      i += 2;
      continue;
    }
    if (ch === '\n' && !multiline) return i;
    if (text.startsWith(quote, i)) return i;
    i++;
  }
  return text.length;
}

function lineEnd(text: string, from: number): number {
  const newline = text.indexOf('\n', from);
  return newline < 0 ? text.length : newline;
}

function startsHashComment(text: string, i: number, language: ScanLanguage): boolean {
  if (language === 'python') return true;
  // Shell and config files: `#` starts a comment only at the start of a word ($#, ${#x}, a#b are not comments).
  const before = text[i - 1];
  return before === undefined || before === '\n' || before === ' ' || before === '\t' || before === ';';
}

function startsRegexLiteral(text: string, i: number): boolean {
  if (text[i + 1] === '/' || text[i + 1] === '*') return false;
  let j = i - 1;
  while (j >= 0 && (text[j] === ' ' || text[j] === '\t')) j--;
  if (j < 0 || text[j] === '\n') return true;
  const before = text[j];
  if ('(,=:[!&|?{};+-*%<>~^'.includes(before)) return true;
  const word = /([A-Za-z_$][\w$]*)$/.exec(text.slice(Math.max(0, j - 10), j + 1));
  return word !== null && ['return', 'typeof', 'case', 'do', 'else', 'in', 'of', 'void', 'yield', 'await'].includes(word[1]);
}

/** Offset of the closing slash of a regex literal that starts at `i`, or -1. */
function regexEnd(text: string, i: number): number {
  let inClass = false;
  for (let j = i + 1; j < text.length; j++) {
    const ch = text[j];
    if (ch === '\n') return -1;
    if (ch === '\\') {
      j++;
      continue;
    }
    if (ch === '[') inClass = true;
    else if (ch === ']') inClass = false;
    else if (ch === '/' && !inClass) return j;
  }
  return -1;
}

function isIdentifierChar(ch: string | undefined): boolean {
  return ch !== undefined && /[\w$]/.test(ch);
}

/** 1-based line numbers of offsets in one text. */
export class LineIndex {
  private readonly starts: number[];

  constructor(text: string) {
    this.starts = lineStartOffsets(text);
  }

  lineOf(offset: number): number {
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.starts[mid] <= offset) low = mid;
      else high = mid - 1;
    }
    return low + 1;
  }
}

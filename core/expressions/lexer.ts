import { ExpressionError } from './errors.js';

export type TokenKind = 'number' | 'string' | 'identifier' | 'operator' | 'bracket' | 'pointer' | 'eof';

export interface Token {
  kind: TokenKind;
  /** Operator/bracket text, identifier name, pointer name (without `#`), or the string's value. */
  value: string;
  /** Set for number tokens. */
  number?: number;
  pos: number;
  /** Length of the token in the source. */
  length: number;
}

/** Words that act as operators when they appear in operator position. */
export const WORD_OPERATORS = new Set([
  'and',
  'or',
  'not',
  'in',
  'matches',
  'contains',
  'startsWith',
  'endsWith',
  'let',
  'if',
  'else',
]);

// Longest first, so `**` wins over `*` and `??` over `?`.
const SYMBOLS = [
  '?.',
  '??',
  '**',
  '..',
  '==',
  '!=',
  '<=',
  '>=',
  '&&',
  '||',
  '!',
  '?',
  '.',
  '*',
  '/',
  '%',
  '+',
  '-',
  '^',
  '<',
  '>',
  '=',
  '|',
  ':',
  ',',
  ';',
];
const BRACKETS = '()[]{}';

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isIdentStart = (c: string | undefined): boolean => c !== undefined && /[A-Za-z_$]/.test(c);
const isIdentPart = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9_$]/.test(c);

/** Splits expr-lang source into tokens; the last token is always `eof`. */
export function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const fail = (message: string, pos: number): never => {
    throw new ExpressionError(message, src, pos);
  };
  while (i < src.length) {
    const c = src[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '/' && src[i + 1] === '/') {
      while (i < src.length && src[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      if (end < 0) fail('unclosed comment', i);
      i = end + 2;
      continue;
    }
    const start = i;
    if (isDigit(c) || (c === '.' && isDigit(src[i + 1]) && tokens.at(-1)?.value !== '.')) {
      const { value, end } = readNumber(src, i, fail);
      tokens.push({ kind: 'number', value: src.slice(start, end), number: value, pos: start, length: end - start });
      i = end;
      continue;
    }
    if (c === '"' || c === "'" || c === '`') {
      const { value, end } = readString(src, i, fail);
      tokens.push({ kind: 'string', value, pos: start, length: end - start });
      i = end;
      continue;
    }
    if (c === '#') {
      i++;
      while (isIdentPart(src[i])) i++;
      tokens.push({ kind: 'pointer', value: src.slice(start + 1, i), pos: start, length: i - start });
      continue;
    }
    if (isIdentStart(c)) {
      while (isIdentPart(src[i])) i++;
      const word = src.slice(start, i);
      tokens.push({
        kind: WORD_OPERATORS.has(word) ? 'operator' : 'identifier',
        value: word,
        pos: start,
        length: i - start,
      });
      continue;
    }
    if (BRACKETS.includes(c)) {
      tokens.push({ kind: 'bracket', value: c, pos: start, length: 1 });
      i++;
      continue;
    }
    // `?.5` is a ternary followed by a number, not optional chaining.
    const symbol = SYMBOLS.find(
      (s) => src.startsWith(s, i) && !(s === '?.' && isDigit(src[i + 2])),
    );
    if (symbol === undefined) return fail(`unexpected character '${c}'`, i);
    tokens.push({ kind: 'operator', value: symbol, pos: start, length: symbol.length });
    i += symbol.length;
  }
  tokens.push({ kind: 'eof', value: '', pos: src.length, length: 0 });
  return tokens;
}

const RADIX_DIGITS: Record<number, RegExp> = { 2: /^[01]+$/, 8: /^[0-7]+$/, 16: /^[0-9a-f]+$/i };

function readNumber(
  src: string,
  start: number,
  fail: (message: string, pos: number) => never,
): { value: number; end: number } {
  let i = start;
  const radix = src[i] === '0' ? { x: 16, X: 16, o: 8, O: 8, b: 2, B: 2 }[src[i + 1] ?? ''] : undefined;
  if (radix !== undefined) {
    i += 2;
    const digitsStart = i;
    while (i < src.length && /[0-9a-fA-F_]/.test(src[i] as string)) i++;
    const digits = src.slice(digitsStart, i).replace(/_/g, '');
    const value = digits === '' ? NaN : parseInt(digits, radix);
    if (Number.isNaN(value) || !RADIX_DIGITS[radix]!.test(digits)) {
      fail(`invalid number literal '${src.slice(start, i)}'`, start);
    }
    return { value, end: i };
  }
  while (isDigit(src[i]) || src[i] === '_') i++;
  // A fraction needs a digit after the dot, so `1..3` stays a range and `1.foo` an error later.
  if (src[i] === '.' && isDigit(src[i + 1])) {
    i++;
    while (isDigit(src[i]) || src[i] === '_') i++;
  }
  if ((src[i] === 'e' || src[i] === 'E') && (isDigit(src[i + 1]) || (/[+-]/.test(src[i + 1] ?? '') && isDigit(src[i + 2])))) {
    i += 2;
    while (isDigit(src[i])) i++;
  }
  const text = src.slice(start, i);
  if (/_$|_\.|\._|__/.test(text)) fail(`invalid number literal '${text}'`, start);
  const value = Number(text.replace(/_/g, ''));
  if (Number.isNaN(value)) fail(`invalid number literal '${text}'`, start);
  return { value, end: i };
}

const SIMPLE_ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  a: '\x07',
  b: '\b',
  f: '\f',
  v: '\v',
  '\\': '\\',
  "'": "'",
  '"': '"',
  '`': '`',
};

/** Go-style string literal: `\n \t \xNN \uNNNN \UNNNNNNNN \NNN` escapes; backquotes are raw. */
function readString(
  src: string,
  start: number,
  fail: (message: string, pos: number) => never,
): { value: string; end: number } {
  const quote = src[start] as string;
  let i = start + 1;
  let out = '';
  while (i < src.length) {
    const c = src[i] as string;
    if (c === quote) return { value: out, end: i + 1 };
    if (c === '\\' && quote !== '`') {
      const e = src[i + 1];
      if (e === undefined) break;
      const simple = SIMPLE_ESCAPES[e];
      if (simple !== undefined) {
        out += simple;
        i += 2;
        continue;
      }
      const hexLength = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
      if (hexLength > 0) {
        const hex = src.slice(i + 2, i + 2 + hexLength);
        if (hex.length !== hexLength || !/^[0-9a-fA-F]+$/.test(hex)) fail('invalid escape sequence', i);
        const code = parseInt(hex, 16);
        if (code > 0x10ffff) fail('invalid escape sequence', i);
        out += String.fromCodePoint(code);
        i += 2 + hexLength;
        continue;
      }
      if (/[0-7]/.test(e)) {
        const oct = src.slice(i + 1, i + 4);
        if (!/^[0-7]{3}$/.test(oct)) fail('invalid escape sequence', i);
        out += String.fromCharCode(parseInt(oct, 8));
        i += 4;
        continue;
      }
      return fail(`invalid escape sequence '\\${e}'`, i);
    }
    out += c;
    i++;
  }
  return fail('unterminated string literal', start);
}

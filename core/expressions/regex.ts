/**
 * Go (RE2) regular expressions translated to JS RegExp for `matches`. Handles the leading flag
 * group (`(?i)`, `(?s)`, `(?m)`, `(?is)`...), `(?P<name>`, `\A`, `\z` and the POSIX classes. RE2
 * syntax JS lacks (inline flags mid-pattern, `\Q..\E`) fails to compile and is reported.
 */
import { FunctionError } from './errors.js';

const POSIX: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

const cache = new Map<string, RegExp>();

export function compileGoRegex(pattern: string): RegExp {
  const cached = cache.get(pattern);
  if (cached !== undefined) return cached;
  let source = pattern;
  let flags = '';
  const lead = /^\(\?([imsU]+)\)/.exec(source);
  if (lead !== null) {
    if ((lead[1] as string).includes('U')) throw new FunctionError('regexp: the (?U) flag is not supported');
    flags = [...new Set(lead[1] as string)].join('');
    source = source.slice(lead[0].length);
  }
  source = source
    .replace(/\(\?P</g, '(?<')
    .replace(/\[\[:(\^?)([a-z]+):\]\]/g, (whole, neg: string, name: string) => (POSIX[name] === undefined ? whole : `[${neg}${POSIX[name]}]`))
    .replace(/\[:([a-z]+):\]/g, (whole, name: string) => POSIX[name] ?? whole)
    .replace(/\\A/g, '^')
    .replace(/\\z/g, flags.includes('m') ? '(?![\\s\\S])' : '$');
  let re: RegExp;
  try {
    re = new RegExp(source, flags);
  } catch (err) {
    throw new FunctionError(`invalid regular expression ${JSON.stringify(pattern)}: ${(err as Error).message}`);
  }
  if (cache.size > 256) cache.clear();
  cache.set(pattern, re);
  return re;
}

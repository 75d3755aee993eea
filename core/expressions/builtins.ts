/**
 * expr-lang's builtin functions that take plain arguments (the ones taking predicates live in
 * closures.ts). Each receives evaluated arguments and throws FunctionError on misuse; the
 * evaluator adds the position.
 */
import { activeBudget, encodedLengthEstimate } from './budget.js';
import { base64Decode, base64Encode } from './encoding.js';
import { FunctionError } from './errors.js';
import { parseGoFloat, parseGoInt } from './go-strconv.js';
import { readDuration } from '../duration.js';
import { parseDate, TimeValue, toTime } from './time.js';
import {
  deepEqual,
  formatValue,
  getOwn,
  isInteger,
  isMap,
  isNil,
  parseJson,
  setOwn,
  toGoJson,
  typeName,
} from './values.js';

export interface BuiltinContext {
  variables: Record<string, unknown>;
}

export type Builtin = (args: unknown[], ctx: BuiltinContext) => unknown;

/**
 * What a call costs in operations, before it runs: one plus one per item of each array or map
 * argument and one per 16 characters of each string argument (builtins walk their arguments).
 */
export function costOf(args: readonly unknown[]): number {
  let cost = 1;
  for (const a of args) {
    if (typeof a === 'string') cost += a.length >>> 4;
    else if (Array.isArray(a)) cost += a.length;
    else if (isMap(a)) cost += Object.keys(a).length;
  }
  return cost;
}

/** Comparisons a sort of `n` items makes, about n·log2(n). */
export const sortCost = (n: number): number => (n < 2 ? 0 : Math.ceil(n * Math.log2(n)));

/** Go's strings.Count for a non-empty `sep` (no allocation). */
function countOf(s: string, sep: string): number {
  let count = 0;
  for (let at = s.indexOf(sep); at >= 0; at = s.indexOf(sep, at + sep.length)) count++;
  return count;
}

function arity(name: string, args: unknown[], min: number, max = min): void {
  if (args.length < min || args.length > max) {
    const expected = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
    throw new FunctionError(`invalid number of arguments for ${name} (expected ${expected}, got ${args.length})`);
  }
}

function str(name: string, v: unknown, which = 'argument'): string {
  if (typeof v !== 'string') throw new FunctionError(`invalid ${which} for ${name} (expected string, got ${typeName(v)})`);
  return v;
}

function num(name: string, v: unknown): number {
  if (typeof v !== 'number') throw new FunctionError(`invalid argument for ${name} (expected number, got ${typeName(v)})`);
  return v;
}

function int(name: string, v: unknown): number {
  if (!isInteger(v)) throw new FunctionError(`invalid argument for ${name} (expected int, got ${typeName(v)})`);
  return v;
}

function arr(name: string, v: unknown): unknown[] {
  if (!Array.isArray(v)) throw new FunctionError(`invalid argument for ${name} (expected array, got ${typeName(v)})`);
  return v;
}

function map(name: string, v: unknown): Record<string, unknown> {
  if (!isMap(v)) throw new FunctionError(`invalid argument for ${name} (expected map, got ${typeName(v)})`);
  return v;
}

/** splitN, refused before it builds more parts than the item budget allows. */
function splitBudgeted(s: string, sep: string, n: number, after: boolean): string[] {
  const parts = sep === '' ? s.length : countOf(s, sep) + 1;
  activeBudget().ensureItems(n < 0 ? parts : Math.min(n, parts), 'the split result');
  return splitN(s, sep, n, after);
}

/** Go's strings.SplitN (n < 0: all; n == 0: none). */
function splitN(s: string, sep: string, n: number, after: boolean): string[] {
  if (n === 0) return [];
  const chars = [...s];
  if (sep === '') {
    const parts = n < 0 || n >= chars.length ? chars : [...chars.slice(0, n - 1), chars.slice(n - 1).join('')];
    return parts;
  }
  const out: string[] = [];
  let rest = s;
  while (n < 0 || out.length < n - 1) {
    const at = rest.indexOf(sep);
    if (at < 0) break;
    out.push(rest.slice(0, after ? at + sep.length : at));
    rest = rest.slice(at + sep.length);
  }
  out.push(rest);
  return out;
}

/** Go's strings.Trim with a cutset (any of the characters). */
function trimCutset(s: string, cutset: string, left: boolean, right: boolean): string {
  const set = new Set(cutset);
  const chars = [...s];
  let a = 0;
  let b = chars.length;
  while (left && a < b && set.has(chars[a] as string)) a++;
  while (right && b > a && set.has(chars[b - 1] as string)) b--;
  return chars.slice(a, b).join('');
}

/** Numbers and strings order as expected; times by instant; anything else is an error. */
export function compareValues(a: unknown, b: unknown, op = '<'): number {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  const ta = toTime(a);
  const tb = toTime(b);
  if (ta !== undefined && tb !== undefined) return Math.sign(ta.ms - tb.ms);
  throw new FunctionError(`invalid operation: ${op} (mismatched types ${typeName(a)} and ${typeName(b)})`);
}

/** Flattens nested arrays of numbers for min/max/mean/median. */
function numbersOf(name: string, args: unknown[]): number[] {
  const out: number[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else out.push(num(name, v));
  };
  args.forEach(walk);
  return out;
}

function minMax(name: string, args: unknown[], pick: (cmp: number) => boolean): unknown {
  arity(name, args, 1, Infinity);
  const values: unknown[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else values.push(v);
  };
  args.forEach(walk);
  let best: unknown = null;
  for (const v of values) {
    if (typeof v !== 'number' && toTime(v) === undefined) {
      throw new FunctionError(`invalid argument for ${name} (type ${typeName(v)})`);
    }
    if (best === null || pick(compareValues(v, best))) best = v;
  }
  return best;
}

/** Go's math.Round: half away from zero. */
const goRound = (x: number): number => (x < 0 ? -Math.round(-x) : Math.round(x));

function flattenDeep(v: unknown[], out: unknown[] = []): unknown[] {
  const budget = activeBudget();
  for (const item of v) {
    budget.spend();
    if (Array.isArray(item)) flattenDeep(item, out);
    else out.push(item);
    if (out.length > budget.limits.items) budget.ensureItems(out.length, 'the flattened array');
  }
  return out;
}

/** Reads sort's optional order argument: true for 'desc'. */
export function isDescending(order: unknown): boolean {
  if (order === undefined || order === 'asc') return false;
  if (order === 'desc') return true;
  throw new FunctionError(`invalid order (${typeName(order)}), expected "asc" or "desc"`);
}

function sortArray(name: string, values: unknown[], order: unknown): unknown[] {
  const desc = isDescending(order);
  activeBudget().spend(sortCost(values.length));
  const copy = [...values];
  copy.sort((a, b) => (desc ? -1 : 1) * compareValues(a, b, name));
  return copy;
}

function now(ctx: BuiltinContext): TimeValue {
  const injected = getOwn(ctx.variables, '__now');
  if (isNil(injected)) throw new FunctionError('now() is not available here');
  const asTime = toTime(injected);
  if (asTime !== undefined) return asTime;
  if (typeof injected === 'number') return new TimeValue(injected);
  if (typeof injected === 'string') return parseDate(injected);
  throw new FunctionError(`__now must be a time, epoch milliseconds or an RFC 3339 string, got ${typeName(injected)}`);
}

export const BUILTINS: Record<string, Builtin> = {
  len: (a) => {
    arity('len', a, 1);
    const v = a[0];
    if (typeof v === 'string') return [...v].length;
    if (Array.isArray(v)) return v.length;
    if (isMap(v)) return Object.keys(v).length;
    throw new FunctionError(`invalid argument for len (type ${typeName(v)})`);
  },
  type: (a) => (arity('type', a, 1), typeName(a[0])),
  abs: (a) => (arity('abs', a, 1), Math.abs(num('abs', a[0]))),
  ceil: (a) => (arity('ceil', a, 1), Math.ceil(num('ceil', a[0]))),
  floor: (a) => (arity('floor', a, 1), Math.floor(num('floor', a[0]))),
  round: (a) => (arity('round', a, 1), goRound(num('round', a[0]))),
  int: (a) => {
    arity('int', a, 1);
    const v = a[0];
    if (typeof v === 'number') return Math.trunc(v);
    if (typeof v === 'string') {
      const n = parseGoInt(v);
      if (n === undefined) throw new FunctionError(`strconv.Atoi: parsing a string of ${v.length} characters: invalid syntax`);
      return n;
    }
    throw new FunctionError(`invalid operation: int(${typeName(v)})`);
  },
  float: (a) => {
    arity('float', a, 1);
    const v = a[0];
    if (typeof v === 'number') return v;
    if (typeof v === 'string') {
      const n = parseGoFloat(v);
      if (n === undefined) throw new FunctionError(`strconv.ParseFloat: parsing a string of ${v.length} characters: invalid syntax`);
      return n;
    }
    throw new FunctionError(`invalid operation: float(${typeName(v)})`);
  },
  string: (a) => {
    arity('string', a, 1);
    if (typeof a[0] === 'object' && a[0] !== null) {
      const budget = activeBudget();
      budget.ensureString(encodedLengthEstimate(a[0], 0, budget));
    }
    return formatValue(a[0]);
  },
  trim: (a) => {
    arity('trim', a, 1, 2);
    const s = str('trim', a[0]);
    return a.length === 1 ? s.replace(/^\s+|\s+$/g, '') : trimCutset(s, str('trim', a[1]), true, true);
  },
  trimPrefix: (a) => {
    arity('trimPrefix', a, 1, 2);
    const s = str('trimPrefix', a[0]);
    const prefix = a.length === 2 ? str('trimPrefix', a[1]) : ' ';
    return prefix !== '' && s.startsWith(prefix) ? s.slice(prefix.length) : s;
  },
  trimSuffix: (a) => {
    arity('trimSuffix', a, 1, 2);
    const s = str('trimSuffix', a[0]);
    const suffix = a.length === 2 ? str('trimSuffix', a[1]) : ' ';
    return suffix !== '' && s.endsWith(suffix) ? s.slice(0, -suffix.length) : s;
  },
  upper: (a) => (arity('upper', a, 1), str('upper', a[0]).toUpperCase()),
  lower: (a) => (arity('lower', a, 1), str('lower', a[0]).toLowerCase()),
  split: (a) => {
    arity('split', a, 2, 3);
    return splitBudgeted(str('split', a[0]), str('split', a[1]), a.length === 3 ? int('split', a[2]) : -1, false);
  },
  splitAfter: (a) => {
    arity('splitAfter', a, 2, 3);
    return splitBudgeted(str('splitAfter', a[0]), str('splitAfter', a[1]), a.length === 3 ? int('splitAfter', a[2]) : -1, true);
  },
  replace: (a) => {
    arity('replace', a, 3, 4);
    const s = str('replace', a[0]);
    const from = str('replace', a[1]);
    const to = str('replace', a[2]);
    const n = a.length === 4 ? int('replace', a[3]) : -1;
    const all = from === '' ? s.length + 1 : countOf(s, from);
    activeBudget().ensureString(s.length + (n < 0 ? all : Math.min(n, all)) * Math.max(0, to.length - from.length));
    if (n < 0) return from === '' ? [...s].map((c) => to + c).join('') + to : s.split(from).join(to);
    let out = s;
    let start = 0;
    for (let i = 0; i < n; i++) {
      const at = out.indexOf(from, start);
      if (at < 0) break;
      out = out.slice(0, at) + to + out.slice(at + from.length);
      start = at + to.length + (from === '' ? 1 : 0);
    }
    return out;
  },
  repeat: (a) => {
    arity('repeat', a, 2);
    const s = str('repeat', a[0]);
    const n = int('repeat', a[1]);
    if (n < 0) throw new FunctionError('invalid argument for repeat (expected a count of zero or more, got a negative number)');
    activeBudget().ensureString(s.length * n);
    return s.repeat(n);
  },
  join: (a) => {
    arity('join', a, 1, 2);
    const glue = a.length === 2 ? str('join', a[1]) : '';
    const parts = arr('join', a[0]).map((v) => str('join', v, 'element'));
    activeBudget().ensureString(parts.reduce((n, p) => n + p.length, 0) + Math.max(0, parts.length - 1) * glue.length);
    return parts.join(glue);
  },
  indexOf: (a) => (arity('indexOf', a, 2), str('indexOf', a[0]).indexOf(str('indexOf', a[1]))),
  lastIndexOf: (a) => (arity('lastIndexOf', a, 2), str('lastIndexOf', a[0]).lastIndexOf(str('lastIndexOf', a[1]))),
  hasPrefix: (a) => (arity('hasPrefix', a, 2), str('hasPrefix', a[0]).startsWith(str('hasPrefix', a[1]))),
  hasSuffix: (a) => (arity('hasSuffix', a, 2), str('hasSuffix', a[0]).endsWith(str('hasSuffix', a[1]))),
  max: (a) => minMax('max', a, (c) => c > 0),
  min: (a) => minMax('min', a, (c) => c < 0),
  mean: (a) => {
    arity('mean', a, 1, Infinity);
    const values = numbersOf('mean', a);
    return values.length === 0 ? 0 : values.reduce((x, y) => x + y, 0) / values.length;
  },
  median: (a) => {
    arity('median', a, 1, Infinity);
    const values = numbersOf('median', a).sort((x, y) => x - y);
    const n = values.length;
    if (n === 0) return 0;
    return n % 2 === 1 ? values[(n - 1) / 2] : ((values[n / 2 - 1] as number) + (values[n / 2] as number)) / 2;
  },
  toJSON: (a) => {
    arity('toJSON', a, 1);
    const budget = activeBudget();
    budget.ensureString(encodedLengthEstimate(a[0], 2, budget));
    return toGoJson(a[0], '  ');
  },
  fromJSON: (a) => {
    arity('fromJSON', a, 1);
    try {
      return parseJson(str('fromJSON', a[0]));
    } catch (err) {
      throw new FunctionError(`invalid JSON${/ at position \d+/.exec((err as Error).message)?.[0] ?? ''}`);
    }
  },
  toBase64: (a) => (arity('toBase64', a, 1), base64Encode(str('toBase64', a[0]))),
  fromBase64: (a) => (arity('fromBase64', a, 1), base64Decode(str('fromBase64', a[0]))),
  now: (a, ctx) => (arity('now', a, 0), now(ctx)),
  duration: (a) => {
    arity('duration', a, 1);
    // Go's time.ParseDuration: negative durations are values like any other here.
    const read = readDuration(str('duration', a[0]), { negative: true });
    if (!read.ok) throw new FunctionError('time: invalid duration');
    return read.ms;
  },
  date: (a) => {
    arity('date', a, 1, 2);
    const t = toTime(a[0]);
    if (t !== undefined) return t;
    return parseDate(str('date', a[0]), a.length === 2 ? str('date', a[1]) : undefined);
  },
  first: (a) => {
    arity('first', a, 1);
    return Array.isArray(a[0]) ? (a[0][0] ?? null) : null;
  },
  last: (a) => {
    arity('last', a, 1);
    return Array.isArray(a[0]) ? (a[0].at(-1) ?? null) : null;
  },
  get: (a) => {
    arity('get', a, 2);
    const [from, key] = a;
    if (Array.isArray(from) && isInteger(key)) return from.at(key) ?? null;
    if (isMap(from) && (typeof key === 'string' || typeof key === 'number')) return getOwn(from, String(key)) ?? null;
    return null;
  },
  take: (a) => {
    arity('take', a, 2);
    return arr('take', a[0]).slice(0, Math.max(0, int('take', a[1])));
  },
  keys: (a) => (arity('keys', a, 1), Object.keys(map('keys', a[0]))),
  values: (a) => {
    arity('values', a, 1);
    const m = map('values', a[0]);
    return Object.keys(m).map((k) => m[k] ?? null);
  },
  toPairs: (a) => {
    arity('toPairs', a, 1);
    const m = map('toPairs', a[0]);
    return Object.keys(m).map((k) => [k, m[k] ?? null]);
  },
  fromPairs: (a) => {
    arity('fromPairs', a, 1);
    const out: Record<string, unknown> = {};
    for (const pair of arr('fromPairs', a[0])) {
      if (!Array.isArray(pair) || pair.length !== 2) throw new FunctionError(`invalid pair (expected an array of two, got ${Array.isArray(pair) ? `an array of ${pair.length}` : typeName(pair)})`);
      const key = pair[0];
      if (typeof key !== 'string' && typeof key !== 'number') throw new FunctionError(`invalid pair key (expected string or int, got ${typeName(key)})`);
      setOwn(out, String(key), pair[1]);
    }
    return out;
  },
  reverse: (a) => (arity('reverse', a, 1), [...arr('reverse', a[0])].reverse()),
  uniq: (a) => {
    arity('uniq', a, 1);
    const out: unknown[] = [];
    const budget = activeBudget();
    for (const v of arr('uniq', a[0])) {
      budget.spend(out.length);
      if (!out.some((seen) => deepEqual(seen, v))) out.push(v);
    }
    return out;
  },
  concat: (a) => {
    arity('concat', a, 1, Infinity);
    activeBudget().ensureItems(
      a.reduce<number>((n, v) => n + arr('concat', v).length, 0),
      'the concatenated array',
    );
    const out: unknown[] = [];
    for (const v of a) for (const item of v as unknown[]) out.push(item);
    return out;
  },
  flatten: (a) => (arity('flatten', a, 1), flattenDeep(arr('flatten', a[0]))),
  sort: (a) => (arity('sort', a, 1, 2), sortArray('sort', arr('sort', a[0]), a[1])),
  bitand: (a) => (arity('bitand', a, 2), Number(BigInt(int('bitand', a[0])) & BigInt(int('bitand', a[1])))),
  bitor: (a) => (arity('bitor', a, 2), Number(BigInt(int('bitor', a[0])) | BigInt(int('bitor', a[1])))),
  bitxor: (a) => (arity('bitxor', a, 2), Number(BigInt(int('bitxor', a[0])) ^ BigInt(int('bitxor', a[1])))),
  bitnand: (a) => (arity('bitnand', a, 2), Number(BigInt(int('bitnand', a[0])) & ~BigInt(int('bitnand', a[1])))),
  bitnot: (a) => (arity('bitnot', a, 1), Number(~BigInt(int('bitnot', a[0])))),
  bitshl: (a) => {
    arity('bitshl', a, 2);
    const y = int('bitshl', a[1]);
    if (y < 0) throw new FunctionError('invalid operation: negative shift count (type int)');
    if (y >= 64) return 0;
    return Number(BigInt.asIntN(64, BigInt(int('bitshl', a[0])) << BigInt(y)));
  },
  bitshr: (a) => {
    arity('bitshr', a, 2);
    const y = int('bitshr', a[1]);
    if (y < 0) throw new FunctionError('invalid operation: negative shift count (type int)');
    const x = int('bitshr', a[0]);
    if (y >= 64) return x < 0 ? -1 : 0;
    return Number(BigInt(x) >> BigInt(y));
  },
};

import { describe, expect, it } from '@jest/globals';
import { evaluateExpression, TimeValue, type ExpressionEnv } from '../../../core/expressions/index.js';

const NOW = Date.UTC(2025, 0, 15, 10, 30, 45, 250);
const env: ExpressionEnv = {
  variables: {
    xs: [3, 1, 2],
    words: ['b', 'a', 'c'],
    m: { b: 2, a: 1 },
    __now: NOW,
    when: new Date(Date.UTC(2024, 1, 29, 23, 59, 0)),
  },
};
const run = (src: string, e: ExpressionEnv = env): unknown => evaluateExpression(src, e);

describe('builtins: strings', () => {
  it.each<[string, unknown]>([
    ["len('héllo')", 5],
    ["upper('abc')", 'ABC'],
    ["lower('ABC')", 'abc'],
    ["trim('  a b  ')", 'a b'],
    ["trim('xxaxx', 'x')", 'a'],
    ["trimPrefix('v1.2.3', 'v')", '1.2.3'],
    ["trimPrefix(' a')", 'a'],
    ["trimPrefix('a', 'v')", 'a'],
    ["trimSuffix('file.yaml', '.yaml')", 'file'],
    ["split('a,b,c', ',')", ['a', 'b', 'c']],
    ["split('a,b,c', ',', 2)", ['a', 'b,c']],
    ["split('abc', '')", ['a', 'b', 'c']],
    ["splitAfter('a,b', ',')", ['a,', 'b']],
    ["join(['a', 'b'], '-')", 'a-b'],
    ["join(['a', 'b'])", 'ab'],
    ["replace('aaa', 'a', 'b')", 'bbb'],
    ["replace('aaa', 'a', 'b', 2)", 'bba'],
    ["repeat('ab', 3)", 'ababab'],
    ["indexOf('hello', 'l')", 2],
    ["lastIndexOf('hello', 'l')", 3],
    ["indexOf('hello', 'z')", -1],
    ["hasPrefix('hello', 'he')", true],
    ["hasSuffix('hello', 'lo')", true],
    ["toBase64('héllo')", 'aMOpbGxv'],
    ["fromBase64('aMOpbGxv')", 'héllo'],
    ["fromBase64(toBase64('round trip ✓'))", 'round trip ✓'],
    ["toBase64('ab')", 'YWI='],
    ["toBase64('a')", 'YQ=='],
  ])('%s → %j', (src, expected) => {
    expect(run(src)).toEqual(expected);
  });
});

describe('builtins: numbers and conversions', () => {
  it.each<[string, unknown]>([
    ['abs(-3)', 3],
    ['ceil(1.2)', 2],
    ['floor(1.8)', 1],
    ['round(2.5)', 3],
    ['round(-2.5)', -3],
    ['round(1.4)', 1],
    ['int(3.9)', 3],
    ['int(-3.9)', -3],
    ["int('42')", 42],
    ['float(2)', 2],
    ["float('1.5')", 1.5],
    ['string(42)', '42'],
    ['string(1.5)', '1.5'],
    ['string(true)', 'true'],
    ['string(nil)', '<nil>'],
    ["string([1, 'a'])", '[1 a]'],
    ['string({b: 1, a: 2})', 'map[a:2 b:1]'],
    ['max(1, 5, 3)', 5],
    ['max(xs)', 3],
    ['min(xs)', 1],
    ['min(4, [2, 8])', 2],
    ['mean([1, 2, 3, 4])', 2.5],
    ['median([3, 1, 2])', 2],
    ['median([4, 1, 2, 3])', 2.5],
    ['bitand(12, 10)', 8],
    ['bitor(12, 10)', 14],
    ['bitxor(12, 10)', 6],
    ['bitnand(12, 10)', 4],
    ['bitnot(0)', -1],
    ['bitshl(1, 4)', 16],
    ['bitshr(16, 2)', 4],
  ])('%s → %j', (src, expected) => {
    expect(run(src)).toEqual(expected);
  });
});

describe('builtins: type()', () => {
  it.each<[string, string]>([
    ['nil', 'nil'],
    ['true', 'bool'],
    ['1', 'int'],
    ['1.5', 'float'],
    ["'s'", 'string'],
    ['[1]', 'array'],
    ['{a: 1}', 'map'],
    ['now()', 'time.Time'],
  ])('type(%s) → %s', (src, expected) => {
    expect(run(`type(${src})`)).toBe(expected);
  });
});

describe('builtins: collections', () => {
  it.each<[string, unknown]>([
    ['len(xs)', 3],
    ['len(m)', 2],
    ['first(xs)', 3],
    ['first([])', null],
    ['last(xs)', 2],
    ['get(xs, 1)', 1],
    ['get(xs, 10)', null],
    ["get(m, 'a')", 1],
    ["get(m, 'zz')", null],
    ['take(xs, 2)', [3, 1]],
    ['take(xs, 10)', [3, 1, 2]],
    ['sort(keys(m))', ['a', 'b']],
    ['sort(values(m))', [1, 2]],
    ["fromPairs([['a', 1], ['b', 2]])", { a: 1, b: 2 }],
    ['sort(xs)', [1, 2, 3]],
    ["sort(xs, 'desc')", [3, 2, 1]],
    ['sort(words)', ['a', 'b', 'c']],
    ['reverse(xs)', [2, 1, 3]],
    ['uniq([1, 2, 1, [1], [1]])', [1, 2, [1]]],
    ['concat([1], [2, 3], [])', [1, 2, 3]],
    ['flatten([1, [2, [3, [4]]]])', [1, 2, 3, 4]],
    ['toJSON({b: 1, a: [1, "<x>"]})', '{\n  "a": [\n    1,\n    "\\u003cx\\u003e"\n  ],\n  "b": 1\n}'],
    ['toJSON([])', '[]'],
    ['toJSON(nil)', 'null'],
    ['fromJSON(\'{"a": [1, true, null]}\')', { a: [1, true, null] }],
    ["fromJSON('\"s\"')", 's'],
  ])('%s → %j', (src, expected) => {
    expect(run(src)).toEqual(expected);
  });

  it('keeps toPairs pairs in order', () => {
    expect(run('toPairs(m)')).toEqual([
      ['b', 2],
      ['a', 1],
    ]);
  });
});

describe('builtins: time', () => {
  it.each<[string, unknown]>([
    ["duration('1h30m')", 5_400_000],
    ["duration('1.5s')", 1500],
    ["duration('-2m')", -120_000],
    ["duration('300ms')", 300],
    ["duration('0')", 0],
    ['now().Year()', 2025],
    ['now().Month()', 1],
    ['now().Day()', 15],
    ['now().Hour()', 10],
    ['now().Unix()', Math.floor(NOW / 1000)],
    ["now().Format('2006-01-02T15:04:05Z07:00')", '2025-01-15T10:30:45Z'],
    ["now().Format('Mon Jan _2 03:04:05.000 PM 2006')", 'Wed Jan 15 10:30:45.250 AM 2025'],
    ["now().Format('January 2, 06')", 'January 15, 25'],
    ["date('2024-03-01').Format('2006-01-02 15:04')", '2024-03-01 00:00'],
    ["date('2024-03-01T12:00:00+02:00').Hour()", 10],
    ["date('2024-03-01 08:09:10').Minute()", 9],
    ["date('01/02/2024', '01/02/2006').Month()", 1],
    ["date('Tue, 05 Mar 2024 10:00:00 UTC').Day()", 5],
    ["now() > date('2024-01-01')", true],
    ["now().After(date('2026-01-01'))", false],
    ["now().Before(date('2026-01-01'))", true],
    ["now() - date('2025-01-15T10:30:00Z')", 45_250],
    ["(now() - duration('1h')).Hour()", 9],
    ["(now() + duration('24h')).Day()", 16],
    ["now().Sub(date('2025-01-15')) > duration('10h')", true],
    ["now().AddDate(0, 1, 0).Month()", 2],
    ['when.Year()', 2024],
    ['when.AddDate(1, 0, 0).Format("2006-01-02")', '2025-03-01'],
    ["date('2024-01-01') == date('2024-01-01T00:00:00Z')", true],
    ['toJSON(now())', '"2025-01-15T10:30:45.25Z"'],
    ['string(now())', '2025-01-15 10:30:45.25 +0000 UTC'],
  ])('%s → %j', (src, expected) => {
    expect(run(src)).toEqual(expected);
  });

  it('now() reads the injected __now (epoch ms, Date, RFC 3339 string)', () => {
    expect(run('now()')).toBeInstanceOf(TimeValue);
    expect(run('now().Year()', { variables: { __now: new Date(Date.UTC(2030, 0, 1)) } })).toBe(2030);
    expect(run('now().Year()', { variables: { __now: '2031-06-01T00:00:00Z' } })).toBe(2031);
  });

  it('now() refuses to read the clock when no time is injected', () => {
    expect(() => run('now()', { variables: {} })).toThrow(/now\(\) is not available here at position 0/);
  });

  it.each<[string, RegExp]>([
    // Errors never echo evaluated values (they may come from a Secret): the expression is shown instead.
    ["duration('1x')", /^time: invalid duration at position 0 in `duration\('1x'\)`$/],
    ["duration('')", /invalid duration/],
    ["date('not a date')", /invalid date: no known layout matches/],
    ["date('2024-02-30')", /invalid date/],
    ["date('2024', '2006-01')", /parsing time: the text does not match the layout/],
    ['now().Nope()', /type time.Time has no method Nope/],
    ['now().Year', /Year is a method of time.Time; call it: Year\(\)/],
  ])('%s fails with %s', (src, message) => {
    expect(() => run(src)).toThrow(message);
  });
});

describe('builtins: argument errors', () => {
  it.each<[string, RegExp]>([
    ['upper(1)', /invalid argument for upper \(expected string, got int\)/],
    ["int('3.5')", /strconv.Atoi: parsing a string of 3 characters: invalid syntax/],
    ["float('x')", /strconv.ParseFloat/],
    ["repeat('a', -1)", /expected a count of zero or more/],
    ["repeat('a', 100000000)", /memory budget of 64 MiB for the strings, arrays and maps it builds: one value of 190.7 MiB was asked for/],
    ["join([1], ',')", /invalid element for join \(expected string, got int\)/],
    ["fromJSON('{')", /invalid JSON/],
    ["fromBase64('!!')", /illegal base64 data/],
    ["sort([1, 'a'])", /mismatched types/],
    ["sort(xs, 'sideways')", /invalid order \(string\), expected "asc" or "desc"/],
    ['keys(xs)', /expected map, got array/],
    ['toJSON(1 / 0)', /unsupported value: \+Inf/],
    ['len(1)', /invalid argument for len \(type int\)/],
  ])('%s fails with %s', (src, message) => {
    expect(() => run(src)).toThrow(message);
  });
});

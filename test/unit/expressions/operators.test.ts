import { describe, expect, it } from '@jest/globals';
import { evaluateExpression, type ExpressionEnv } from '../../../core/expressions/index.js';

const env: ExpressionEnv = {
  variables: {
    n: 10,
    s: 'hello',
    t: true,
    f: false,
    list: [1, 2, 3],
    nested: { a: { b: { c: 42 } }, 'with-dash': 'dash', empty: null },
    users: [
      { name: 'ann', age: 30, admin: true },
      { name: 'bob', age: 20, admin: false },
    ],
    nothing: null,
  },
};

const run = (src: string): unknown => evaluateExpression(src, env);

describe('evaluateExpression: literals', () => {
  it.each<[string, unknown]>([
    ['42', 42],
    ['1_000_000', 1000000],
    ['0x1F', 31],
    ['0o17', 15],
    ['0b101', 5],
    ['3.25', 3.25],
    ['1e3', 1000],
    ['.5', 0.5],
    ["'single'", 'single'],
    ['"double"', 'double'],
    ['`raw\\n`', 'raw\\n'],
    ["'tab\\there'", 'tab\there'],
    ["'quote\\'s'", "quote's"],
    ["'\\u00e9\\x41'", 'éA'],
    ['true', true],
    ['false', false],
    ['nil', null],
    ['[1, "a", nil]', [1, 'a', null]],
    ['[1, 2,]', [1, 2]],
    ['[]', []],
    ["{a: 1, 'b': 2, \"c\": 3}", { a: 1, b: 2, c: 3 }],
    ['{(s): 1}', { hello: 1 }],
    ['{}', {}],
    ['// comment\n1 /* inline */ + 1', 2],
  ])('%s → %j', (src, expected) => {
    expect(run(src)).toEqual(expected);
  });
});

describe('evaluateExpression: arithmetic and precedence', () => {
  it.each<[string, unknown]>([
    ['1 + 2 * 3', 7],
    ['(1 + 2) * 3', 9],
    ['10 - 2 - 3', 5],
    ['7 / 2', 3.5],
    ['4 / 2', 2],
    ['7 % 3', 1],
    ['-7 % 3', -1],
    ['2 ** 10', 1024],
    ['2 ^ 3', 8],
    ['2 ** 3 ** 2', 512],
    ['-2 ** 2', -4],
    ['-n', -10],
    ['+n', 10],
    ['n * 2 + 1', 21],
    ["'a' + 'b' + s", 'abhello'],
    ['1 + 2 == 3', true],
    ['1 + 2 * 3 == 7 && true', true],
    ['not true == false', true],
    ['!t || t', true],
    ['false || true && false', false],
    ['1..3', [1, 2, 3]],
    ['3..1', []],
    ['1 + 1 .. 2 + 2', [2, 3, 4]],
  ])('%s → %j', (src, expected) => {
    expect(run(src)).toEqual(expected);
  });
});

describe('evaluateExpression: comparison and logic', () => {
  it.each<[string, unknown]>([
    ['1 == 1.0', true],
    ['1 != 2', true],
    ["'a' == 'a'", true],
    ["1 == '1'", false],
    ['nil == nil', true],
    ['nothing == nil', true],
    ['[1, [2]] == [1, [2]]', true],
    ['[1, 2] == [2, 1]', false],
    ['{a: 1, b: [1]} == {b: [1], a: 1}', true],
    ['{a: 1} != {a: 2}', true],
    ['1 < 2', true],
    ['2 <= 2', true],
    ['3 > 4', false],
    ['3 >= 3', true],
    ["'abc' < 'abd'", true],
    ['1 < 2 < 3', true],
    ['1 < 3 < 2', false],
    ['t && f', false],
    ['t and not f', true],
    ['f or t', true],
    ['f && nothing.x', false],
    ['t || nothing.x', true],
  ])('%s → %j', (src, expected) => {
    expect(run(src)).toEqual(expected);
  });
});

describe('evaluateExpression: string and membership operators', () => {
  it.each<[string, unknown]>([
    ["s contains 'ell'", true],
    ["s not contains 'z'", true],
    ["s startsWith 'he'", true],
    ["s not startsWith 'x'", true],
    ["s endsWith 'lo'", true],
    ["s not endsWith 'lo'", false],
    ["s matches '^h.*o$'", true],
    ["'HELLO' matches '(?i)^hello$'", true],
    ["'v1.2.3' matches '^v(?P<major>\\\\d+)\\\\.'", true],
    ["'abc' matches '[[:digit:]]'", false],
    ["'abc' not matches 'z'", true],
    ['2 in list', true],
    ['5 in list', false],
    ['5 not in list', true],
    ['[1] in [[1], [2]]', true],
    ["'a' in {a: 1}", true],
    ["'b' in {a: 1}", false],
    ["'x' in nothing", false],
  ])('%s → %j', (src, expected) => {
    expect(run(src)).toEqual(expected);
  });
});

describe('evaluateExpression: member access, indexes and slices', () => {
  it.each<[string, unknown]>([
    ['nested.a.b.c', 42],
    ["nested['a']['b'].c", 42],
    ["nested['with-dash']", 'dash'],
    ['nested.missing', null],
    ['nested.empty', null],
    ['nested?.missing?.deeper', null],
    ['nothing?.a.b.c', null],
    ['nothing?.[0]', null],
    ['nothing?.Method()', null],
    ['nothing?.a.Method().b', null],
    ['list[0]', 1],
    ['list[-1]', 3],
    ['list[1:]', [2, 3]],
    ['list[:2]', [1, 2]],
    ['list[1:2]', [2]],
    ['list[-2:]', [2, 3]],
    ['list[:]', [1, 2, 3]],
    ['list[5:10]', []],
    ['s[1:3]', 'el'],
    ['s[0]', 'h'],
    ['users[1].name', 'bob'],
    ['$env.n', 10],
  ])('%s → %j', (src, expected) => {
    expect(run(src)).toEqual(expected);
  });
});

describe('evaluateExpression: conditionals, nil-coalescing, let, pipes', () => {
  it.each<[string, unknown]>([
    ["t ? 'yes' : 'no'", 'yes'],
    ["f ? 'yes' : 'no'", 'no'],
    ["f ? 1 : t ? 2 : 3", 2],
    ['f ?: t', true],
    ["nothing ?? 'default'", 'default'],
    ["nested.missing ?? 'default'", 'default'],
    ["n ?? 'default'", 10],
    ["nothing?.x ?? 'fallback'", 'fallback'],
    ['let x = 2; x * n', 20],
    ['let x = 2; let y = x + 1; x * y', 6],
    ['let n = 1; n', 1],
    ["if n > 5 { 'big' } else { 'small' }", 'big'],
    ["if n > 50 { 'big' } else if n > 5 { 'medium' } else { 'small' }", 'medium'],
    ["s | upper()", 'HELLO'],
    ["s | upper", 'HELLO'],
    ["'a,b' | split(',') | join('-')", 'a-b'],
    ['list | map(# * 2) | sum()', 12],
    ['users | filter(.admin) | map(.name)', ['ann']],
  ])('%s → %j', (src, expected) => {
    expect(run(src)).toEqual(expected);
  });
});

describe('evaluateExpression: closures', () => {
  it.each<[string, unknown]>([
    ['all(list, # > 0)', true],
    ['all([], false)', true],
    ['any(list, # > 2)', true],
    ['none(list, # > 3)', true],
    ['one(list, # == 2)', true],
    ['one(list, # > 1)', false],
    ['filter(list, # % 2 == 1)', [1, 3]],
    ['filter(users, .admin)', [{ name: 'ann', age: 30, admin: true }]],
    ['map(list, # * 2)', [2, 4, 6]],
    ['map(list, {# * 10})', [10, 20, 30]],
    ['map(users, .name)', ['ann', 'bob']],
    ['map(users, #.name + "!")', ['ann!', 'bob!']],
    ['map(list, #index)', [0, 1, 2]],
    ['count(list, # >= 2)', 2],
    ['count([true, false, true])', 2],
    ['find(users, .age < 25).name', 'bob'],
    ['find(list, # > 5)', null],
    ['findIndex(list, # == 3)', 2],
    ['findIndex(list, # == 9)', -1],
    ['findLast(list, # < 3)', 2],
    ['findLastIndex(list, # < 3)', 1],
    ['sum(list)', 6],
    ['sum(users, .age)', 50],
    ['groupBy(users, .admin)', { true: [{ name: 'ann', age: 30, admin: true }], false: [{ name: 'bob', age: 20, admin: false }] }],
    ['map(groupBy(list, # % 2 == 0 ? "even" : "odd").odd, # * 1)', [1, 3]],
    ['sortBy(users, .age)[0].name', 'bob'],
    ["sortBy(users, .name, 'desc')[0].name", 'bob'],
    ['reduce(list, #acc + #)', 6],
    ['reduce(list, #acc + #, 10)', 16],
    ["reduce(['a', 'b'], #acc + #, '')", 'ab'],
    ['reduce([], #acc + #)', null],
    ['map(list, filter(list, # > 1))', [[2, 3], [2, 3], [2, 3]]],
    ['map([[1, 2], [3]], sum(#))', [3, 3]],
    ['let k = 2; filter(list, # > k)', [3]],
  ])('%s → %j', (src, expected) => {
    expect(run(src)).toEqual(expected);
  });
});

describe('evaluateExpression: runtime errors', () => {
  it.each<[string, RegExp]>([
    ['unknownVar.field', /^cannot read field field of nil at position 10 in `unknownVar.field`$/],
    ['1 + missing', /invalid operation: \+ \(mismatched types int and nil\) at position 2/],
    ['nothing.field', /cannot read field field of nil at position 7/],
    ['nested.missing.deeper', /cannot read field deeper of nil/],
    ['list[5]', /index out of range: 5 \(array length is 3\)/],
    ["1 + 'a'", /invalid operation: \+ \(mismatched types int and string\)/],
    ['1 < "a"', /invalid operation: < \(mismatched types int and string\)/],
    ['n && true', /invalid operation: && \(mismatched types int and bool\)/],
    ['!n', /invalid operation: ! \(mismatched type int\)/],
    ['n ? 1 : 2', /non-bool expression \(type int\) used as condition/],
    ['1 % 0', /integer divide by zero/],
    ['1.5 % 2', /invalid operation: %/],
    ['nope(1)', /unknown function nope at position 0/],
    ['len', /function len must be called/],
    ["'x' in 5", /operator "in" not defined on int/],
    ["s matches '('", /invalid regular expression/],
    ['filter(n, # > 1)', /cannot iterate over int in filter/],
    ['filter(list, #)', /predicate of filter must return bool, got int/],
    ['map(list)', /invalid number of arguments for map/],
    ['len(1, 2)', /invalid number of arguments for len \(expected 1, got 2\)/],
    ['n.Major()', /type int has no method Major/],
    ['1..2000000', /item budget: the range 1..2000000 of 2000000 items \(the limit is 1000000\)/],
    ['let xs = 1..2000; sum(xs, sum(xs, # * 2 + 1))', /operation budget: more than 10000000 operations/],
  ])('%s fails with %s', (src, message) => {
    expect(() => run(src)).toThrow(message);
  });

  it('reports errors as ExpressionError with code InvalidExpression and a position', () => {
    let caught: unknown;
    try {
      run('1 + missing');
    } catch (err) {
      caught = err;
    }
    expect(caught).toMatchObject({ code: 'InvalidExpression', position: 2, expression: '1 + missing' });
  });

  it('never reaches prototypes', () => {
    expect(run('nested.constructor')).toBeNull();
    expect(run("nested['__proto__']")).toBeNull();
    expect(run("{}.toString")).toBeNull();
    expect(() => run('s.constructor')).toThrow(/cannot read field constructor of string/);
    expect(() => run('nested.toString()')).toThrow(/type map has no method toString/);
    expect(run("{'__proto__': 1}")).toEqual(JSON.parse('{"__proto__": 1}'));
  });

  it('accepts a parsed Ast as well as source', async () => {
    const { parseExpression } = await import('../../../core/expressions/index.js');
    expect(evaluateExpression(parseExpression('n + 1'), env)).toBe(11);
  });

  it('calls injected functions, which override builtins', () => {
    const withFns: ExpressionEnv = {
      variables: { x: 2 },
      functions: { double: (v) => (v as number) * 2, upper: () => 'overridden', boom: () => { throw new Error('kaput'); } },
    };
    expect(evaluateExpression('double(x) + 1', withFns)).toBe(5);
    expect(evaluateExpression("upper('a')", withFns)).toBe('overridden');
    expect(() => evaluateExpression('1 + boom()', withFns)).toThrow(/kaput at position 4/);
  });

  it('calls functions found in the data as methods', () => {
    const withData: ExpressionEnv = { variables: { request: { header: (k: unknown) => `value of ${String(k)}` } } };
    expect(evaluateExpression("request.header('X-Id')", withData)).toBe('value of X-Id');
  });
});

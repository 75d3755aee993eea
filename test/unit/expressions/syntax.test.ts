import { describe, expect, it } from '@jest/globals';
import {
  checkExpressionSyntax,
  ExpressionError,
  parseExpression,
} from '../../../core/expressions/index.js';

describe('parseExpression: syntax errors name what and where', () => {
  it.each<[string, string]>([
    ['a + )', "unexpected token ')' at position 4 in `a + )`"],
    ['', 'empty expression at position 0 in ``'],
    ['1 +', 'unexpected end of expression at position 3 in `1 +`'],
    ['(1 + 2', "unexpected end of expression (expected ')') at position 6 in `(1 + 2`"],
    ['[1, 2', "unexpected end of expression (expected ',') at position 5 in `[1, 2`"],
    ["'abc", 'unterminated string literal at position 0 in `\'abc`'],
    ['1 @ 2', "unexpected character '@' at position 2 in `1 @ 2`"],
    ['a.', 'unexpected end of expression (expected a field name) at position 2 in `a.`'],
    ['1 2', "unexpected token '2' at position 2 in `1 2`"],
    ['# > 1', "cannot use pointer accessor '#' outside a predicate at position 0 in `# > 1`"],
    ['a ?? b || c', "operator '||' and '??' cannot be mixed; wrap either in parentheses at position 7 in `a ?? b || c`"],
    ['a not b', "unexpected token 'not' at position 2 in `a not b`"],
    ['let = 1; 2', "unexpected token '=' at position 4 in `let = 1; 2`"],
    ['let x = 1 x', "unexpected token 'x' (expected ';') at position 10 in `let x = 1 x`"],
    ["'\\q'", "invalid escape sequence '\\q' at position 1 in `'\\q'`"],
    ['0x', "invalid number literal '0x' at position 0 in `0x`"],
    ['{a 1}', "unexpected token '1' (expected ':') at position 3 in `{a 1}`"],
    ['a ? b', "unexpected end of expression (expected ':') at position 5 in `a ? b`"],
    ['/* open', 'unclosed comment at position 0 in `/* open`'],
  ])('%j', (src, message) => {
    expect(() => parseExpression(src)).toThrow(message);
  });

  it('throws ExpressionError carrying the position and expression', () => {
    let caught: unknown;
    try {
      parseExpression('a + )');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ExpressionError);
    expect(caught).toMatchObject({ position: 4, expression: 'a + )', code: 'InvalidExpression' });
  });

  it('rejects absurd nesting instead of overflowing the stack', () => {
    expect(() => parseExpression('('.repeat(500) + '1' + ')'.repeat(500))).toThrow(/nested too deeply/);
  });
});

describe('parseExpression: tree shape', () => {
  it('builds a binary tree honouring precedence', () => {
    expect(parseExpression('1 + 2 * 3')).toMatchObject({
      type: 'Binary',
      operator: '+',
      left: { type: 'Literal', value: 1 },
      right: { type: 'Binary', operator: '*' },
    });
  });

  it('turns a pipe into a call with the left side first', () => {
    expect(parseExpression("x | f('y')")).toMatchObject({
      type: 'Call',
      callee: 'f',
      args: [{ type: 'Identifier', name: 'x' }, { type: 'Literal', value: 'y' }],
    });
  });

  it('parses predicate arguments as closures and .field as #.field', () => {
    expect(parseExpression('filter(xs, .on)')).toMatchObject({
      type: 'Call',
      args: [{ type: 'Identifier' }, { type: 'Closure', body: { type: 'Member', object: { type: 'Pointer', name: '' } } }],
    });
  });

  it('wraps optional chains', () => {
    expect(parseExpression('a?.b.c')).toMatchObject({ type: 'Chain', expression: { type: 'Member', optional: false } });
  });

  it('normalises word operators', () => {
    expect(parseExpression('a and b or not c')).toMatchObject({ operator: '||', left: { operator: '&&' }, right: { type: 'Unary', operator: 'not' } });
  });
});

describe('checkExpressionSyntax', () => {
  it.each<[string, string | undefined]>([
    ['a + b', undefined],
    ["filter(xs, .enabled) | map(.name)", undefined],
    ['unknownButValid(1)', undefined],
    ['a + )', "unexpected token ')' at position 4 in `a + )`"],
  ])('%j → %j', (src, expected) => {
    expect(checkExpressionSyntax(src)).toBe(expected);
  });
});

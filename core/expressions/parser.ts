import type { Ast, ClosureNode } from './ast.js';
import { ExpressionError } from './errors.js';
import { tokenize, type Token } from './lexer.js';

interface OperatorInfo {
  precedence: number;
  rightAssociative?: boolean;
}

/** expr-lang v1.17's binary operator table (parser/operator/operator.go). */
const BINARY: Record<string, OperatorInfo> = {
  '|': { precedence: 0 },
  or: { precedence: 10 },
  '||': { precedence: 10 },
  and: { precedence: 15 },
  '&&': { precedence: 15 },
  '==': { precedence: 20 },
  '!=': { precedence: 20 },
  '<': { precedence: 20 },
  '>': { precedence: 20 },
  '>=': { precedence: 20 },
  '<=': { precedence: 20 },
  in: { precedence: 20 },
  matches: { precedence: 20 },
  contains: { precedence: 20 },
  startsWith: { precedence: 20 },
  endsWith: { precedence: 20 },
  '..': { precedence: 25 },
  '+': { precedence: 30 },
  '-': { precedence: 30 },
  '*': { precedence: 60 },
  '/': { precedence: 60 },
  '%': { precedence: 60 },
  '**': { precedence: 100, rightAssociative: true },
  '^': { precedence: 100, rightAssociative: true },
  '??': { precedence: 500 },
};
const UNARY: Record<string, number> = { not: 50, '!': 50, '-': 90, '+': 90 };
const NEGATABLE = new Set(['in', 'matches', 'contains', 'startsWith', 'endsWith']);
/** Comparisons that chain: `a < b < c` is `a < b && b < c`. */
const CHAINABLE = new Set(['<', '>', '<=', '>=']);
const NORMALISED: Record<string, string> = { and: '&&', or: '||', '^': '**' };

/**
 * Builtins whose arguments after the first are predicates (closures): `#` is the current
 * element there, `.field` is `#.field`. Value: the argument indexes that are closures.
 */
export const CLOSURE_BUILTINS: Record<string, number[]> = {
  all: [1],
  none: [1],
  any: [1],
  one: [1],
  filter: [1],
  map: [1],
  find: [1],
  findIndex: [1],
  findLast: [1],
  findLastIndex: [1],
  count: [1],
  sum: [1],
  groupBy: [1],
  sortBy: [1],
  reduce: [1],
};

const MAX_DEPTH = 200;

/** Parses one expr-lang expression. Throws ExpressionError naming the offending position. */
export function parseExpression(src: string): Ast {
  return new Parser(src).parse();
}

/** Returns a description of the first syntax error in a bare expression, or undefined. */
export function checkExpressionSyntax(src: string): string | undefined {
  try {
    parseExpression(src);
    return undefined;
  } catch (err) {
    if (err instanceof ExpressionError) return err.message;
    throw err;
  }
}

class Parser {
  private readonly tokens: Token[];
  private index = 0;
  /** >0 inside a closure argument, where `#` and `.field` are allowed. */
  private closureDepth = 0;
  private nesting = 0;

  constructor(private readonly src: string) {
    this.tokens = tokenize(src);
  }

  parse(): Ast {
    if (this.is('eof')) this.fail('empty expression', this.current);
    const node = this.parseExpression(0);
    if (!this.is('eof')) this.unexpected();
    return node;
  }

  private get current(): Token {
    return this.tokens[this.index] as Token;
  }

  private peek(offset = 1): Token {
    return this.tokens[Math.min(this.index + offset, this.tokens.length - 1)] as Token;
  }

  private next(): Token {
    const token = this.current;
    if (this.index < this.tokens.length - 1) this.index++;
    return token;
  }

  private is(kind: Token['kind'], value?: string): boolean {
    return this.current.kind === kind && (value === undefined || this.current.value === value);
  }

  private expect(kind: Token['kind'], value?: string): Token {
    if (!this.is(kind, value)) this.unexpected(value === undefined ? undefined : `expected '${value}'`);
    return this.next();
  }

  private fail(message: string, token: Token): never {
    throw new ExpressionError(message, this.src, token.pos);
  }

  private unexpected(expectation?: string): never {
    const token = this.current;
    const what = token.kind === 'eof' ? 'end of expression' : `token '${this.src.slice(token.pos, token.pos + token.length)}'`;
    this.fail(`unexpected ${what}${expectation === undefined ? '' : ` (${expectation})`}`, token);
  }

  private parseExpression(precedence: number): Ast {
    if (++this.nesting > MAX_DEPTH) this.fail('expression is nested too deeply', this.current);
    try {
      return this.parseExpressionInner(precedence);
    } finally {
      this.nesting--;
    }
  }

  private parseExpressionInner(precedence: number): Ast {
    if (precedence === 0 && this.is('operator', 'let')) return this.parseLet();
    if (precedence === 0 && this.is('operator', 'if')) return this.parseIf();

    let left = this.parsePrimary();
    let previous = '';
    for (;;) {
      const token = this.current;
      if (token.kind !== 'operator') break;
      let operator = token.value;
      if (operator === 'not') {
        const suffix = this.peek();
        if (suffix.kind !== 'operator' || !NEGATABLE.has(suffix.value)) this.unexpected();
        if ((BINARY[suffix.value] as OperatorInfo).precedence < precedence) break;
        this.next();
        operator = `not ${suffix.value}`;
      }
      const info = BINARY[operator.startsWith('not ') ? operator.slice(4) : operator];
      if (info === undefined || info.precedence < precedence) break;
      this.next();

      if (operator === '|') {
        left = this.parsePipe(left);
      } else if (previous === '??' && operator !== '??') {
        this.fail(`operator '${operator}' and '??' cannot be mixed; wrap either in parentheses`, token);
      } else if (CHAINABLE.has(operator)) {
        left = this.parseComparison(left, operator, token, info.precedence);
      } else {
        const right = this.parseExpression(info.rightAssociative ? info.precedence : info.precedence + 1);
        left = { type: 'Binary', operator: NORMALISED[operator] ?? operator, left, right, pos: token.pos };
      }
      previous = operator;
    }
    if (precedence === 0) left = this.parseConditional(left);
    return left;
  }

  /** `a < b < c` → `(a < b) && (b < c)`; the middle operand is evaluated twice (it is side-effect free). */
  private parseComparison(left: Ast, operator: string, token: Token, precedence: number): Ast {
    let result: Ast | undefined;
    let lhs = left;
    let op = operator;
    let opToken = token;
    for (;;) {
      const rhs = this.parseExpression(precedence + 1);
      const comparison: Ast = { type: 'Binary', operator: op, left: lhs, right: rhs, pos: opToken.pos };
      result =
        result === undefined
          ? comparison
          : { type: 'Binary', operator: '&&', left: result, right: comparison, pos: opToken.pos };
      if (this.current.kind === 'operator' && CHAINABLE.has(this.current.value)) {
        opToken = this.next();
        op = opToken.value;
        lhs = rhs;
        continue;
      }
      return result;
    }
  }

  private parseConditional(test: Ast): Ast {
    let node = test;
    while (this.is('operator', '?')) {
      const token = this.next();
      let consequent: Ast;
      let alternate: Ast;
      if (this.is('operator', ':')) {
        // `a ?: b` is `a ? a : b`.
        this.next();
        consequent = node;
        alternate = this.parseExpression(0);
      } else {
        consequent = this.parseExpression(0);
        this.expect('operator', ':');
        alternate = this.parseExpression(0);
      }
      node = { type: 'Conditional', test: node, consequent, alternate, pos: token.pos };
    }
    return node;
  }

  private parseLet(): Ast {
    const token = this.next();
    const name = this.expect('identifier').value;
    this.expect('operator', '=');
    const value = this.parseExpression(0);
    this.expect('operator', ';');
    const body = this.parseExpression(0);
    return { type: 'Let', name, value, body, pos: token.pos };
  }

  /** `if cond { a } else { b }` (expr-lang ≥ 1.17); `else if` chains. */
  private parseIf(): Ast {
    const token = this.next();
    const test = this.parseExpression(0);
    this.expect('bracket', '{');
    const consequent = this.parseExpression(0);
    this.expect('bracket', '}');
    this.expect('operator', 'else');
    let alternate: Ast;
    if (this.is('operator', 'if')) {
      alternate = this.parseIf();
    } else {
      this.expect('bracket', '{');
      alternate = this.parseExpression(0);
      this.expect('bracket', '}');
    }
    return { type: 'Conditional', test, consequent, alternate, pos: token.pos };
  }

  private parsePipe(left: Ast): Ast {
    const name = this.expect('identifier');
    if (this.is('bracket', '(')) return this.parseCall(name, [left]);
    return { type: 'Call', callee: name.value, args: [left], pos: name.pos };
  }

  private parsePrimary(): Ast {
    const token = this.current;
    if (token.kind === 'operator' && UNARY[token.value] !== undefined) {
      this.next();
      const operand = this.parseExpression(UNARY[token.value] as number);
      return { type: 'Unary', operator: token.value as '!' | 'not' | '-' | '+', operand, pos: token.pos };
    }
    if (this.is('bracket', '(')) {
      this.next();
      const inner = this.parseExpression(0);
      this.expect('bracket', ')');
      return this.parsePostfix(inner);
    }
    if (token.kind === 'pointer') {
      if (this.closureDepth === 0) this.fail(`cannot use pointer accessor '#${token.value}' outside a predicate`, token);
      this.next();
      return this.parsePostfix({ type: 'Pointer', name: token.value, pos: token.pos });
    }
    if (this.is('operator', '.') && this.closureDepth > 0 && this.isPropertyName(this.peek())) {
      // `.field` inside a predicate is `#.field`.
      this.next();
      const name = this.next();
      const member: Ast = {
        type: 'Member',
        object: { type: 'Pointer', name: '', pos: token.pos },
        property: { type: 'Literal', value: name.value, pos: name.pos },
        optional: false,
        pos: token.pos,
      };
      return this.parsePostfix(member);
    }
    return this.parsePostfix(this.parseAtom());
  }

  private parseAtom(): Ast {
    const token = this.current;
    switch (token.kind) {
      case 'number':
        this.next();
        return { type: 'Literal', value: token.number as number, pos: token.pos };
      case 'string':
        this.next();
        return { type: 'Literal', value: token.value, pos: token.pos };
      case 'identifier': {
        this.next();
        if (token.value === 'true' || token.value === 'false') {
          return { type: 'Literal', value: token.value === 'true', pos: token.pos };
        }
        if (token.value === 'nil') return { type: 'Literal', value: null, pos: token.pos };
        if (this.is('bracket', '(')) return this.parseCall(token, []);
        return { type: 'Identifier', name: token.value, pos: token.pos };
      }
      case 'bracket':
        if (token.value === '[') return this.parseArray();
        if (token.value === '{') return this.parseMap();
        return this.unexpected();
      default:
        return this.unexpected();
    }
  }

  private parseArguments(name: Token, initial: Ast[], builtin: boolean): Ast[] {
    this.expect('bracket', '(');
    const args = [...initial];
    const closures = builtin ? (CLOSURE_BUILTINS[name.value] ?? []) : [];
    while (!this.is('bracket', ')')) {
      if (args.length > initial.length) {
        this.expect('operator', ',');
        if (this.is('bracket', ')')) break;
      }
      args.push(closures.includes(args.length) ? this.parseClosure() : this.parseExpression(0));
    }
    this.expect('bracket', ')');
    return args;
  }

  private parseCall(name: Token, initial: Ast[]): Ast {
    return { type: 'Call', callee: name.value, args: this.parseArguments(name, initial, true), pos: name.pos };
  }

  private parseClosure(): ClosureNode {
    const start = this.current;
    const braces = this.is('bracket', '{');
    if (braces) this.next();
    this.closureDepth++;
    const body = this.parseExpression(0);
    this.closureDepth--;
    if (braces) this.expect('bracket', '}');
    return { type: 'Closure', body, pos: start.pos };
  }

  private parseArray(): Ast {
    const start = this.next();
    const elements: Ast[] = [];
    while (!this.is('bracket', ']')) {
      if (elements.length > 0) {
        this.expect('operator', ',');
        if (this.is('bracket', ']')) break;
      }
      elements.push(this.parseExpression(0));
    }
    this.expect('bracket', ']');
    return { type: 'Array', elements, pos: start.pos };
  }

  private parseMap(): Ast {
    const start = this.next();
    const entries: { key: Ast; value: Ast }[] = [];
    while (!this.is('bracket', '}')) {
      if (entries.length > 0) {
        this.expect('operator', ',');
        if (this.is('bracket', '}')) break;
      }
      const keyToken = this.current;
      let key: Ast;
      if (keyToken.kind === 'string' || keyToken.kind === 'number' || this.isPropertyName(keyToken)) {
        this.next();
        const value = keyToken.kind === 'number' ? String(keyToken.number) : keyToken.value;
        key = { type: 'Literal', value, pos: keyToken.pos };
      } else if (this.is('bracket', '(')) {
        this.next();
        key = this.parseExpression(0);
        this.expect('bracket', ')');
      } else {
        return this.unexpected('expected a map key');
      }
      this.expect('operator', ':');
      entries.push({ key, value: this.parseExpression(0) });
    }
    this.expect('bracket', '}');
    return { type: 'Map', entries, pos: start.pos };
  }

  private isPropertyName(token: Token): boolean {
    return token.kind === 'identifier' || (token.kind === 'operator' && /^[A-Za-z]/.test(token.value));
  }

  private parsePostfix(node: Ast): Ast {
    let result = node;
    let optionalSeen = false;
    for (;;) {
      const token = this.current;
      if (this.is('operator', '.') || this.is('operator', '?.')) {
        const optional = token.value === '?.';
        this.next();
        if (optional && this.is('bracket', '[')) {
          optionalSeen = true;
          this.next();
          const property = this.parseExpression(0);
          this.expect('bracket', ']');
          result = { type: 'Member', object: result, property, optional: true, pos: token.pos };
          continue;
        }
        if (!this.isPropertyName(this.current)) this.unexpected('expected a field name');
        const name = this.next();
        optionalSeen ||= optional;
        if (this.is('bracket', '(')) {
          const args = this.parseArguments(name, [], false);
          result = { type: 'MethodCall', object: result, method: name.value, args, optional, pos: name.pos };
        } else {
          result = {
            type: 'Member',
            object: result,
            property: { type: 'Literal', value: name.value, pos: name.pos },
            optional,
            pos: token.pos,
          };
        }
        continue;
      }
      if (this.is('bracket', '[')) {
        this.next();
        if (this.is('operator', ':')) {
          this.next();
          const to = this.is('bracket', ']') ? undefined : this.parseExpression(0);
          this.expect('bracket', ']');
          result = { type: 'Slice', object: result, ...(to ? { to } : {}), pos: token.pos };
          continue;
        }
        const index = this.parseExpression(0);
        if (this.is('operator', ':')) {
          this.next();
          const to = this.is('bracket', ']') ? undefined : this.parseExpression(0);
          this.expect('bracket', ']');
          result = { type: 'Slice', object: result, from: index, ...(to ? { to } : {}), pos: token.pos };
          continue;
        }
        this.expect('bracket', ']');
        result = { type: 'Member', object: result, property: index, optional: false, pos: token.pos };
        continue;
      }
      break;
    }
    return optionalSeen ? { type: 'Chain', expression: result, pos: node.pos } : result;
  }
}

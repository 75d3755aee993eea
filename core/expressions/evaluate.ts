/**
 * A tree-walking evaluator for parsed expressions. No eval, no Function constructor, no access to
 * prototypes: member access reads own properties of plain data only, and methods are callable only
 * on MethodValue instances (which list them) or when a caller put a function into the data.
 */
import type { Ast, ClosureNode } from './ast.js';
import { type BudgetExceededError, ExpressionBudget, isBudgetExceeded, runWithBudget } from './budget.js';
import { BUILTINS, compareValues, costOf } from './builtins.js';
import { callClosureBuiltin, isClosureBuiltin, type ClosureFrame } from './closures.js';
import { ExpressionError, FunctionError } from './errors.js';
import { parseExpression } from './parser.js';
import { compileGoRegex } from './regex.js';
import { TimeValue, toTime } from './time.js';
import {
  deepEqual,
  getOwn,
  goTypeName,
  hasOwn,
  isInteger,
  isMap,
  isNil,
  MethodValue,
  setOwn,
  typeName,
} from './values.js';

export type ExpressionFunction = (...args: unknown[]) => unknown;

/**
 * What an expression can see: variables by name, and extra functions (which override builtins).
 * `budget`: the memory/operation/time budget to spend (budget.ts); share one between several
 * evaluations to make them one budget. Absent: each evaluation gets the default budget.
 */
export interface ExpressionEnv {
  variables: Record<string, unknown>;
  functions?: Record<string, ExpressionFunction>;
  budget?: ExpressionBudget;
  /**
   * What `$env` is when the environment is not a mapping (a parsed list or scalar document, or
   * nil: Kargo runs freight creation criteria with no environment). Every name is then an error
   * (`cannot fetch x from <nil>`), as in expr-lang.
   */
  root?: { value: unknown };
  /**
   * How a name that is neither a variable nor a function evaluates. `'nil'` (the default) is
   * Kargo's: its expressions are compiled without `expr.Env`, so a name is a key of the
   * environment map and a missing key is nil (`quote(missing)`, `outputs.x ?? 'd'`).
   * `'error'` refuses it (`unknown name x`), for languages that declare their environment.
   */
  unknownNames?: 'nil' | 'error';
}

/** Returned by `?.` on nil; a ChainNode turns it into nil for the whole chain. */
const SHORT_CIRCUIT: unique symbol = Symbol('short-circuit');

interface Scope {
  name: string;
  value: unknown;
  parent: Scope | undefined;
}

/**
 * Evaluates a bare expr-lang expression (source or a parsed Ast). Unknown names and missing map
 * keys are nil (see ExpressionEnv.unknownNames). Throws ExpressionError for syntax and runtime
 * errors.
 */
export function evaluateExpression(src: string | Ast, env: ExpressionEnv): unknown {
  const source = typeof src === 'string' ? src : '<ast>';
  const ast = typeof src === 'string' ? parseExpression(src) : src;
  const result = new Evaluator(source, env).run(ast);
  return result === undefined ? null : result;
}

class Evaluator {
  private readonly budget: ExpressionBudget;
  /** The node entered last: where a budget ran out. */
  private current: Ast | undefined;

  constructor(
    private readonly src: string,
    private readonly env: ExpressionEnv,
  ) {
    this.budget = env.budget ?? new ExpressionBudget();
  }

  run(ast: Ast): unknown {
    try {
      return runWithBudget(this.budget, () => this.evaluateNode(ast, undefined, undefined));
    } catch (err) {
      if (isBudgetExceeded(err)) this.overBudget(err, this.current ?? ast);
      throw err;
    }
  }

  private fail(message: string, node: Ast): never {
    throw new ExpressionError(message, this.src, node.pos);
  }

  private overBudget(err: BudgetExceededError, node: Ast): never {
    throw new ExpressionError(err.message, this.src, node.pos, undefined, 'BudgetExceeded');
  }

  /** A value this evaluation has just built: paid for from the memory budget. */
  private built<T>(value: T): T {
    this.budget.charge(value);
    return value;
  }

  private evaluateNode(node: Ast, scope: Scope | undefined, frame: ClosureFrame | undefined): unknown {
    this.current = node;
    this.budget.spend();
    switch (node.type) {
      case 'Literal':
        return node.value;
      case 'Identifier':
        return this.identifier(node.name, node, scope);
      case 'Pointer':
        return this.pointer(node.name, node, frame);
      case 'Unary':
        return this.unary(node.operator, this.evaluateNode(node.operand, scope, frame), node);
      case 'Binary':
        return this.binary(node.operator, node.left, node.right, node, scope, frame);
      case 'Conditional': {
        const test = this.evaluateNode(node.test, scope, frame);
        if (typeof test !== 'boolean') this.fail(`non-bool expression (type ${typeName(test)}) used as condition`, node.test);
        return this.evaluateNode(test ? node.consequent : node.alternate, scope, frame);
      }
      case 'Member': {
        const object = this.evaluateNode(node.object, scope, frame);
        if (object === SHORT_CIRCUIT) return SHORT_CIRCUIT;
        const key = this.evaluateNode(node.property, scope, frame);
        if (isNil(object) && node.optional) return SHORT_CIRCUIT;
        return this.member(object, key, node);
      }
      case 'Slice': {
        const object = this.evaluateNode(node.object, scope, frame);
        if (object === SHORT_CIRCUIT) return SHORT_CIRCUIT;
        const from = node.from === undefined ? undefined : this.evaluateNode(node.from, scope, frame);
        const to = node.to === undefined ? undefined : this.evaluateNode(node.to, scope, frame);
        return this.built(this.slice(object, from, to, node));
      }
      case 'Call':
        return this.call(node.callee, node.args, node, scope, frame);
      case 'MethodCall': {
        const object = this.evaluateNode(node.object, scope, frame);
        if (object === SHORT_CIRCUIT) return SHORT_CIRCUIT;
        if (isNil(object) && node.optional) return SHORT_CIRCUIT;
        const args = node.args.map((a) => this.evaluateNode(a, scope, frame));
        this.budget.spend(costOf(args));
        return this.built(this.method(object, node.method, args, node));
      }
      case 'Closure':
        return this.fail('a predicate can only be passed to a builtin such as filter or map', node);
      case 'Array': {
        const out = node.elements.map((e) => this.evaluateNode(e, scope, frame));
        return this.built(out.map((v) => (v === undefined ? null : v)));
      }
      case 'Map': {
        const out: Record<string, unknown> = {};
        for (const entry of node.entries) {
          const key = this.evaluateNode(entry.key, scope, frame);
          if (typeof key !== 'string' && typeof key !== 'number') {
            this.fail(`map key must be a string, got ${typeName(key)}`, entry.key);
          }
          setOwn(out, String(key), this.evaluateNode(entry.value, scope, frame) ?? null);
        }
        return this.built(out);
      }
      case 'Let': {
        const value = this.evaluateNode(node.value, scope, frame);
        return this.evaluateNode(node.body, { name: node.name, value, parent: scope }, frame);
      }
      case 'Chain': {
        const value = this.evaluateNode(node.expression, scope, frame);
        return value === SHORT_CIRCUIT ? null : value;
      }
    }
  }

  private identifier(name: string, node: Ast, scope: Scope | undefined): unknown {
    for (let s = scope; s !== undefined; s = s.parent) if (s.name === name) return s.value;
    if (name === '$env') return this.env.root ? this.env.root.value : this.env.variables;
    if (hasOwn(this.env.variables, name)) return this.env.variables[name] ?? null;
    if (this.isFunction(name)) this.fail(`function ${name} must be called: ${name}()`, node);
    this.failWithoutMapRoot(name, node);
    if (this.env.unknownNames === 'error') return this.fail(`unknown name ${name}`, node);
    return null;
  }

  /** expr-lang reads every name from the environment, and only a map has keys. */
  private failWithoutMapRoot(name: string, node: Ast): void {
    if (this.env.root !== undefined && !isMap(this.env.root.value)) {
      this.fail(`cannot fetch ${name} from ${goTypeName(this.env.root.value)}`, node);
    }
  }

  private isFunction(name: string): boolean {
    const injected = this.env.functions !== undefined && hasOwn(this.env.functions, name);
    return injected || hasOwn(BUILTINS, name) || isClosureBuiltin(name);
  }

  private pointer(name: string, node: Ast, frame: ClosureFrame | undefined): unknown {
    if (frame === undefined) return this.fail('cannot use pointer accessor outside a predicate', node);
    if (name === '') return frame.element;
    if (name === 'index') return frame.index;
    if (name === 'acc') {
      if (frame.acc === undefined) this.fail('#acc is only available in reduce', node);
      return frame.acc.value;
    }
    return this.fail(`unknown pointer #${name}`, node);
  }

  private unary(op: string, value: unknown, node: Ast): unknown {
    if (op === '!' || op === 'not') {
      if (typeof value !== 'boolean') this.fail(`invalid operation: ${op} (mismatched type ${typeName(value)})`, node);
      return !value;
    }
    if (typeof value !== 'number') this.fail(`invalid operation: ${op} (mismatched type ${typeName(value)})`, node);
    return op === '-' ? -value : value;
  }

  private binary(
    op: string,
    leftNode: Ast,
    rightNode: Ast,
    node: Ast,
    scope: Scope | undefined,
    frame: ClosureFrame | undefined,
  ): unknown {
    const left = this.evaluateNode(leftNode, scope, frame);
    // Short-circuiting operators look at the right side only when needed.
    if (op === '&&' || op === '||') {
      if (typeof left !== 'boolean') this.fail(`invalid operation: ${op} (mismatched types ${typeName(left)} and bool)`, node);
      if (op === '&&' ? !left : left) return left;
      const right = this.evaluateNode(rightNode, scope, frame);
      if (typeof right !== 'boolean') this.fail(`invalid operation: ${op} (mismatched types bool and ${typeName(right)})`, node);
      return right;
    }
    if (op === '??') return isNil(left) ? (this.evaluateNode(rightNode, scope, frame) ?? null) : left;
    const right = this.evaluateNode(rightNode, scope, frame);
    try {
      return this.built(applyBinary(op, left, right, this.budget));
    } catch (err) {
      if (err instanceof FunctionError) this.fail(err.message, node);
      throw err;
    }
  }

  private member(object: unknown, key: unknown, node: Ast): unknown {
    // A computed key is an evaluated value (maybe from a secret): errors name only written keys.
    const shown = node.type === 'Member' && node.property.type !== 'Literal' ? '[computed key]' : String(key);
    if (isNil(object)) return this.fail(`cannot read field ${shown} of nil`, node);
    if (Array.isArray(object) || typeof object === 'string') {
      if (!isInteger(key)) return this.fail(`cannot read field ${shown} of ${typeName(object)}`, node);
      this.budget.spend(costOf([object]));
      const items = typeof object === 'string' ? [...object] : object;
      const index = key < 0 ? items.length + key : key;
      if (index < 0 || index >= items.length) this.fail(`index out of range: ${shown} (array length is ${items.length})`, node);
      return items[index] ?? null;
    }
    if (isMap(object)) {
      if (typeof key !== 'string' && typeof key !== 'number') this.fail(`cannot use ${typeName(key)} as a map key`, node);
      return getOwn(object, String(key)) ?? null;
    }
    if (object instanceof MethodValue && object.methodNames().includes(shown)) {
      return this.fail(`${shown} is a method of ${object.typeName}; call it: ${shown}()`, node);
    }
    return this.fail(`cannot read field ${shown} of ${typeName(object)}`, node);
  }

  private slice(object: unknown, from: unknown, to: unknown, node: Ast): unknown {
    if (!Array.isArray(object) && typeof object !== 'string') return this.fail(`cannot slice ${typeName(object)}`, node);
    if ((from !== undefined && !isInteger(from)) || (to !== undefined && !isInteger(to))) {
      return this.fail('slice bounds must be integers', node);
    }
    this.budget.spend(costOf([object]));
    const items = typeof object === 'string' ? [...object] : object;
    const length = items.length;
    const clamp = (i: number): number => Math.min(length, Math.max(0, i < 0 ? length + i : i));
    const b = clamp(to ?? length);
    const a = Math.min(clamp(from ?? 0), b);
    const part = items.slice(a, b);
    return typeof object === 'string' ? part.join('') : part;
  }

  private call(name: string, argNodes: Ast[], node: Ast, scope: Scope | undefined, frame: ClosureFrame | undefined): unknown {
    try {
      if (isClosureBuiltin(name) && !(this.env.functions !== undefined && hasOwn(this.env.functions, name))) {
        return this.built(
          callClosureBuiltin(name, argNodes, {
            value: (n) => this.evaluateNode(n, scope, frame),
            run: (closure: ClosureNode, inner: ClosureFrame) => this.evaluateNode(closure.body, scope, inner),
            spend: (n) => this.budget.spend(n),
          }),
        );
      }
      const args = argNodes.map((a) =>
        a.type === 'Closure' ? this.fail('unexpected predicate', a) : this.evaluateNode(a, scope, frame),
      );
      this.current = node;
      // A call costs one operation per item (or per 16 characters) of its arguments.
      this.budget.spend(costOf(args));
      const fn = this.env.functions !== undefined && hasOwn(this.env.functions, name) ? this.env.functions[name] : undefined;
      if (typeof fn === 'function') return this.built(fn(...args) ?? null);
      const builtin = hasOwn(BUILTINS, name) ? BUILTINS[name] : undefined;
      if (builtin !== undefined) return this.built(builtin(args, { variables: this.env.variables }) ?? null);
      const variable = getOwn(this.env.variables, name);
      if (typeof variable === 'function') return this.built((variable as ExpressionFunction)(...args) ?? null);
      this.failWithoutMapRoot(name, node);
      return this.fail(`unknown function ${name}`, node);
    } catch (err) {
      return this.rethrow(err, node);
    }
  }

  private method(object: unknown, name: string, args: unknown[], node: Ast): unknown {
    try {
      if (isNil(object)) return this.fail(`cannot call method ${name} of nil`, node);
      const time = toTime(object);
      const target = time ?? object;
      if (target instanceof MethodValue) {
        if (!target.methodNames().includes(name)) this.fail(`type ${target.typeName} has no method ${name}`, node);
        return target.callMethod(name, args) ?? null;
      }
      // Functions placed in the data by the caller (e.g. a webhook's request.header(k)).
      if (isMap(object) && typeof getOwn(object, name) === 'function') {
        return (getOwn(object, name) as ExpressionFunction)(...args) ?? null;
      }
      return this.fail(`type ${typeName(object)} has no method ${name}`, node);
    } catch (err) {
      return this.rethrow(err, node);
    }
  }

  private rethrow(err: unknown, node: Ast): never {
    if (err instanceof ExpressionError) throw err;
    if (isBudgetExceeded(err)) return this.overBudget(err, this.current ?? node);
    const message = err instanceof Error ? err.message : String(err);
    return this.fail(message, node);
  }
}

/**
 * The non-short-circuiting binary operators. Throws FunctionError on type mismatches and
 * BudgetExceededError before building a string or range the budget cannot hold.
 */
function applyBinary(op: string, left: unknown, right: unknown, budget: ExpressionBudget): unknown {
  const mismatch = (): never => {
    throw new FunctionError(`invalid operation: ${op} (mismatched types ${typeName(left)} and ${typeName(right)})`);
  };
  const strings = (): [string, string] => (typeof left === 'string' && typeof right === 'string' ? [left, right] : mismatch());
  const numbers = (): [number, number] => (typeof left === 'number' && typeof right === 'number' ? [left, right] : mismatch());
  switch (op) {
    case '==':
      return deepEqual(left, right);
    case '!=':
      return !deepEqual(left, right);
    case '<':
      return compareValues(left, right, op) < 0;
    case '>':
      return compareValues(left, right, op) > 0;
    case '<=':
      return compareValues(left, right, op) <= 0;
    case '>=':
      return compareValues(left, right, op) >= 0;
    case '+': {
      if (typeof left === 'string' && typeof right === 'string') {
        budget.ensureString(left.length + right.length);
        return left + right;
      }
      const lt = toTime(left);
      if (lt !== undefined && typeof right === 'number') return new TimeValue(lt.ms + right);
      const rt = toTime(right);
      if (rt !== undefined && typeof left === 'number') return new TimeValue(rt.ms + left);
      const [a, b] = numbers();
      return a + b;
    }
    case '-': {
      const lt = toTime(left);
      const rt = toTime(right);
      if (lt !== undefined && rt !== undefined) return lt.ms - rt.ms;
      if (lt !== undefined && typeof right === 'number') return new TimeValue(lt.ms - right);
      const [a, b] = numbers();
      return a - b;
    }
    case '*': {
      const [a, b] = numbers();
      return a * b;
    }
    case '/': {
      const [a, b] = numbers();
      return a / b;
    }
    case '%': {
      const [a, b] = numbers();
      if (!Number.isInteger(a) || !Number.isInteger(b)) mismatch();
      if (b === 0) throw new FunctionError('integer divide by zero');
      return a % b;
    }
    case '**': {
      const [a, b] = numbers();
      return a ** b;
    }
    case '..': {
      if (!isInteger(left) || !isInteger(right)) mismatch();
      const from = left as number;
      const to = right as number;
      budget.ensureItems(to - from + 1, `the range ${from}..${to}`);
      budget.spend(Math.max(0, to - from + 1));
      const out: number[] = [];
      for (let i = from; i <= to; i++) out.push(i);
      return out;
    }
    case 'in':
    case 'not in': {
      budget.spend(costOf([right]));
      const found = contains(right, left);
      return op === 'in' ? found : !found;
    }
    case 'matches':
    case 'not matches': {
      const [s, pattern] = strings();
      budget.spend(costOf([s]));
      const found = compileGoRegex(pattern).test(s);
      return op === 'matches' ? found : !found;
    }
    case 'contains':
    case 'not contains': {
      const [a, b] = strings();
      return op === 'contains' ? a.includes(b) : !a.includes(b);
    }
    case 'startsWith':
    case 'not startsWith': {
      const [a, b] = strings();
      return op === 'startsWith' ? a.startsWith(b) : !a.startsWith(b);
    }
    case 'endsWith':
    case 'not endsWith': {
      const [a, b] = strings();
      return op === 'endsWith' ? a.endsWith(b) : !a.endsWith(b);
    }
  }
  throw new FunctionError(`unknown operator ${op}`);
}

/** expr-lang's `in`: array membership (deep equality), map key; `in nil` is false. */
function contains(haystack: unknown, needle: unknown): boolean {
  if (isNil(haystack)) return false;
  if (Array.isArray(haystack)) return haystack.some((item) => deepEqual(item, needle));
  if (isMap(haystack)) {
    if (typeof needle !== 'string' && typeof needle !== 'number') return false;
    return hasOwn(haystack, String(needle));
  }
  throw new FunctionError(`operator "in" not defined on ${typeName(haystack)}`);
}

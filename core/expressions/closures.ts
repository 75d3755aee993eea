/**
 * expr-lang's builtins that take a predicate: all any none one filter map find findIndex
 * findLast findLastIndex count sum groupBy sortBy reduce. Inside the predicate `#` is the current
 * element, `#index` its index and, in reduce, `#acc` the accumulator.
 */
import type { Ast, ClosureNode } from './ast.js';
import { compareValues, isDescending, sortCost } from './builtins.js';
import { FunctionError } from './errors.js';
import { formatValue, isNil, setOwn, typeName } from './values.js';

export interface ClosureFrame {
  element: unknown;
  index: number;
  acc?: { value: unknown };
}

/** What the evaluator lends to closure builtins. */
export interface ClosureRuntime {
  /** Evaluates a plain argument. */
  value(node: Ast): unknown;
  /** Evaluates a predicate for one element. */
  run(closure: ClosureNode, frame: ClosureFrame): unknown;
  /** Counts work done outside the predicate (sorting) against the operation budget. */
  spend(operations: number): void;
}

export const isClosureBuiltin = (name: string): boolean => Object.prototype.hasOwnProperty.call(CLOSURE_IMPLS, name);

export function callClosureBuiltin(name: string, args: Ast[], rt: ClosureRuntime): unknown {
  const impl = CLOSURE_IMPLS[name] as ClosureImpl;
  if (args.length < impl.min || args.length > impl.max) {
    const expected = impl.min === impl.max ? `${impl.min}` : `${impl.min} to ${impl.max}`;
    throw new FunctionError(`invalid number of arguments for ${name} (expected ${expected}, got ${args.length})`);
  }
  const source = rt.value(args[0] as Ast);
  if (!Array.isArray(source)) {
    throw new FunctionError(`cannot iterate over ${isNil(source) ? 'nil' : typeName(source)} in ${name}`);
  }
  const closure = args[1] as ClosureNode | undefined;
  const call = (element: unknown, index: number): unknown => rt.run(closure as ClosureNode, { element, index });
  const test = (element: unknown, index: number): boolean => {
    const result = call(element, index);
    if (typeof result !== 'boolean') {
      throw new FunctionError(`predicate of ${name} must return bool, got ${typeName(result)}`);
    }
    return result;
  };
  return impl.fn({ name, source, closure, call, test, rest: args.slice(2), rt });
}

interface ClosureCall {
  name: string;
  source: unknown[];
  closure: ClosureNode | undefined;
  call(element: unknown, index: number): unknown;
  test(element: unknown, index: number): boolean;
  rest: Ast[];
  rt: ClosureRuntime;
}

interface ClosureImpl {
  min: number;
  max: number;
  fn(c: ClosureCall): unknown;
}

const CLOSURE_IMPLS: Record<string, ClosureImpl> = {
  all: { min: 2, max: 2, fn: (c) => c.source.every((e, i) => c.test(e, i)) },
  any: { min: 2, max: 2, fn: (c) => c.source.some((e, i) => c.test(e, i)) },
  none: { min: 2, max: 2, fn: (c) => !c.source.some((e, i) => c.test(e, i)) },
  one: {
    min: 2,
    max: 2,
    fn: (c) => {
      let count = 0;
      for (let i = 0; i < c.source.length && count < 2; i++) if (c.test(c.source[i], i)) count++;
      return count === 1;
    },
  },
  filter: { min: 2, max: 2, fn: (c) => c.source.filter((e, i) => c.test(e, i)) },
  map: { min: 2, max: 2, fn: (c) => c.source.map((e, i) => c.call(e, i) ?? null) },
  find: { min: 2, max: 2, fn: (c) => c.source.find((e, i) => c.test(e, i)) ?? null },
  findIndex: { min: 2, max: 2, fn: (c) => c.source.findIndex((e, i) => c.test(e, i)) },
  findLast: {
    min: 2,
    max: 2,
    fn: (c) => {
      for (let i = c.source.length - 1; i >= 0; i--) if (c.test(c.source[i], i)) return c.source[i];
      return null;
    },
  },
  findLastIndex: {
    min: 2,
    max: 2,
    fn: (c) => {
      for (let i = c.source.length - 1; i >= 0; i--) if (c.test(c.source[i], i)) return i;
      return -1;
    },
  },
  count: {
    min: 1,
    max: 2,
    fn: (c) =>
      c.source.filter((e, i) => {
        if (c.closure !== undefined) return c.test(e, i);
        if (typeof e !== 'boolean') throw new FunctionError(`count without a predicate needs bool elements, got ${typeName(e)}`);
        return e;
      }).length,
  },
  sum: {
    min: 1,
    max: 2,
    fn: (c) =>
      c.source.reduce<number>((total, e, i) => {
        const v = c.closure === undefined ? e : c.call(e, i);
        if (typeof v !== 'number') throw new FunctionError(`invalid operation: sum of ${typeName(v)}`);
        return total + v;
      }, 0),
  },
  groupBy: {
    min: 2,
    max: 2,
    fn: (c) => {
      const groups: Record<string, unknown[]> = {};
      c.source.forEach((e, i) => {
        const key = c.call(e, i);
        if (typeof key !== 'string' && typeof key !== 'number' && typeof key !== 'boolean' && !isNil(key)) {
          throw new FunctionError(`groupBy key must be a string, number or bool, got ${typeName(key)}`);
        }
        const name = typeof key === 'string' ? key : formatValue(key);
        const group = Object.prototype.hasOwnProperty.call(groups, name) ? groups[name] : undefined;
        if (group === undefined) setOwn(groups, name, [e]);
        else group.push(e);
      });
      return groups;
    },
  },
  sortBy: {
    min: 2,
    max: 3,
    fn: (c) => {
      const desc = isDescending(c.rest[0] === undefined ? undefined : c.rt.value(c.rest[0]));
      const keyed = c.source.map((e, i) => ({ e, key: c.call(e, i) }));
      c.rt.spend(sortCost(keyed.length));
      // Array.prototype.sort is stable, as expr-lang's sortBy is.
      return keyed
        .sort((x, y) => (desc ? -1 : 1) * compareValues(x.key, y.key, 'sortBy'))
        .map((x) => x.e);
    },
  },
  reduce: {
    min: 2,
    max: 3,
    fn: (c) => {
      let start = 0;
      let acc: unknown;
      if (c.rest[0] !== undefined) {
        acc = c.rt.value(c.rest[0]);
      } else {
        if (c.source.length === 0) return null;
        acc = c.source[0];
        start = 1;
      }
      for (let i = start; i < c.source.length; i++) {
        acc = c.rt.run(c.closure as ClosureNode, { element: c.source[i], index: i, acc: { value: acc } });
      }
      return acc ?? null;
    },
  },
};

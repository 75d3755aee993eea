/**
 * Issue 13, finding 7: one expression must not exhaust the worker's heap or keep it busy. Every
 * evaluation runs within one budget (core/expressions/budget.ts): bytes of the values it builds,
 * operations, items per array, and wall-clock time where a clock is injected. These run in-process:
 * before the budget, the first one grew the jest worker's heap until it crashed.
 */
import { describe, expect, it } from '@jest/globals';
import { ExpressionBudget } from '../../../core/expressions/budget.js';
import { evaluateExpression, renderString, renderTemplate, type ExpressionEnv } from '../../../core/expressions/index.js';

const env: ExpressionEnv = { variables: { list: [1, 2, 3] } };

function failureOf(run: () => unknown): { code?: string; message: string } {
  try {
    run();
  } catch (err) {
    return err as { code?: string; message: string };
  }
  throw new Error('expected the evaluation to fail');
}

describe('expression budget: the expression of the report', () => {
  it("len(map(1..999999, repeat('x', 100))) fails with the memory budget error instead of filling the heap", () => {
    const err = failureOf(() => evaluateExpression("len(map(1..999999, repeat('x', 100)))", env));
    expect(err.code).toBe('BudgetExceeded');
    expect(err.message).toMatch(
      /^expression exceeded its memory budget of 64 MiB for the strings, arrays and maps it builds at position \d+ in `len\(map\(1\.\.999999, repeat\('x', 100\)\)\)`$/,
    );
  });
});

describe('expression budget: every way to expand', () => {
  it.each<[string, string, RegExp]>([
    ['repeat', "repeat('x', 40000000)", /memory budget of 64 MiB .*: one value of 76.3 MiB was asked for/],
    ['string concatenation in a loop', "len(reduce(1..100000, #acc + 'xxxxxxxxxx', ''))", /memory budget of 64 MiB/],
    ['a range', '1..5000000', /item budget: the range 1..5000000 of 5000000 items \(the limit is 1000000\)/],
    ['nested map', 'len(map(1..1000, map(1..1000, 1..10)))', /memory budget of 64 MiB/],
    ['nested filter', 'len(filter(1..1000, len(filter(map(1..1000, [#, #, #, #]), true)) > 0))', /memory budget of 64 MiB/],
    ['toJSON of shared parts', 'len(toJSON(map(1..1000, let row = 1..1000; map(1..50, row))))', /operation budget: more than 10000000 operations/],
    ['string() of shared parts', 'len(string(map(1..1000, let row = 1..1000; map(1..50, row))))', /operation budget: more than 10000000 operations/],
    ['join with a long glue', "len(join(map(1..100000, 'x'), repeat('y', 10000)))", /one value of 1907.5 MiB was asked for/],
    ['replace growing every match', "len(replace(repeat('a', 1000000), 'a', repeat('b', 1000)))", /one value of 1907.3 MiB was asked for/],
    ['split into characters', "len(split(repeat('a', 3000000), ''))", /item budget: the split result of 3000000 items/],
    ['concat', 'len(concat(1..800000, 1..800000))', /item budget: the concatenated array of 1600000 items/],
    ['flatten', 'len(flatten(map(1..2000, 1..900)))', /memory budget of 64 MiB|item budget: the flattened array/],
    ['uniq (quadratic)', 'len(uniq(1..100000))', /operation budget: more than 10000000 operations/],
    ['sort', 'len(sort(map(1..1000000, -#)))', /operation budget: more than 10000000 operations/],
    ['plain loops', 'let xs = 1..2000; sum(xs, sum(xs, # * 2 + 1))', /operation budget: more than 10000000 operations/],
  ])('%s: %s', (_what, src, message) => {
    const err = failureOf(() => evaluateExpression(src, env));
    expect(err.code).toBe('BudgetExceeded');
    expect(err.message).toMatch(message);
  });

  it.each<[string, RegExp]>([
    ['${{ map(1..1000, let row = 1..1000; map(1..50, row)) }}', /operation budget/],
    ['${{ asJSON(map(1..1000, let row = 1..1000; map(1..50, row))) }}', /operation budget/],
    ['${{ asYAML(map(1..1000, let row = 1..1000; map(1..50, row))) }}', /operation budget/],
    ['${{ quote(map(1..1000, let row = 1..1000; map(1..50, row))) }}', /operation budget/],
    ['${{ asJSON(map(1..100, let row = 1..1000; map(1..50, row))) }}', /memory budget of 64 MiB .*: one value of \d+(\.\d)? MiB was asked for/],
  ])('a template encoding a value of shared parts: %s', (template, message) => {
    const err = failureOf(() => renderString(template, env));
    expect(err.code).toBe('BudgetExceeded');
    expect(err.message).toMatch(message);
  });

  it('leaves ordinary expressions alone', () => {
    expect(evaluateExpression("len(map(1..1000, repeat('x', 100)))", env)).toBe(1000);
    expect(evaluateExpression("len(join(map(1..10000, string(#)), ','))", env)).toBe(48893);
    expect(evaluateExpression('sum(1..1000000)', env)).toBe(500000500000);
    expect(evaluateExpression('toJSON(map(1..2, [#]))', env)).toBe('[\n  [\n    1\n  ],\n  [\n    2\n  ]\n]');
    expect(renderString('${{ map(1..2, [#]) }}', env)).toEqual([[1], [2]]);
  });
});

describe('expression budget: one budget across evaluations, limits and clock', () => {
  it('charges every expression of a value to the budget the caller shares', () => {
    const config = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`k${i}`, "${{ len(repeat('x', 5000000)) }}"]));
    expect(renderTemplate(config, env)).toMatchObject({ k0: 5000000, k7: 5000000 });
    const shared: ExpressionEnv = { ...env, budget: new ExpressionBudget() };
    const err = failureOf(() => renderTemplate(config, shared));
    expect(err).toMatchObject({ code: 'BudgetExceeded' });
    expect(err.message).toMatch(/^k6: expression exceeded its memory budget of 64 MiB/);
  });

  it('takes smaller limits', () => {
    const budget = new ExpressionBudget({ limits: { memoryBytes: 1024 * 1024, operations: 1000, items: 10 } });
    expect(failureOf(() => evaluateExpression('1..11', { ...env, budget: new ExpressionBudget({ limits: { items: 10 } }) })).message).toMatch(
      /item budget: the range 1..11 of 11 items \(the limit is 10\)/,
    );
    expect(failureOf(() => evaluateExpression("repeat('x', 600000)", { ...env, budget })).message).toMatch(/memory budget of 1 MiB/);
    expect(
      failureOf(() => evaluateExpression('sum(1..10, sum(1..10, sum(1..10, #)))', { ...env, budget: new ExpressionBudget({ limits: { operations: 1000 } }) }))
        .message,
    ).toMatch(/operation budget: more than 1000 operations/);
  });

  it('stops at the time budget when a clock is injected (activities), reading it only every few thousand operations', () => {
    let now = 0;
    let reads = 0;
    const clock = (): number => {
      reads++;
      return (now += 100);
    };
    const budget = new ExpressionBudget({ clock, limits: { timeMs: 5_000 } });
    const err = failureOf(() => evaluateExpression('sum(1..100000, # % 7)', { ...env, budget }));
    expect(err).toMatchObject({ code: 'BudgetExceeded' });
    expect(err.message).toMatch(/^expression exceeded its time budget of 5000 ms at position \d+/);
    expect(reads).toBeLessThan(60);
  });

  it('never reads a clock without one (workflows: the operation count is the time budget)', () => {
    const budget = new ExpressionBudget();
    expect(evaluateExpression('sum(1..100000, # % 7)', { ...env, budget })).toBe(300000);
    expect(budget.operationsUsed).toBeGreaterThan(300000);
  });
});

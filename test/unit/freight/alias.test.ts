import { ALIAS_ADJECTIVES, ALIAS_ANIMALS, aliasProblem, freightAlias } from '../../../core/freight/alias.js';
import { Alias } from '../../../core/manifests/freight.js';

/** A fixed sequence of "random" numbers, repeated. */
function sequence(...values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length] ?? 0;
}

describe('freightAlias', () => {
  it('picks <adjective>-<animal> from the two lists', () => {
    expect(freightAlias(sequence(0, 0), new Set())).toBe(`${ALIAS_ADJECTIVES[0]}-${ALIAS_ANIMALS[0]}`);
    expect(freightAlias(sequence(0.999999, 0.999999), new Set())).toBe(
      `${ALIAS_ADJECTIVES[ALIAS_ADJECTIVES.length - 1]}-${ALIAS_ANIMALS[ALIAS_ANIMALS.length - 1]}`,
    );
  });

  it('retries until it finds an unused alias', () => {
    const first = `${ALIAS_ADJECTIVES[0]}-${ALIAS_ANIMALS[0]}`;
    expect(freightAlias(sequence(0, 0, 0.5, 0.5), new Set([first]))).toBe(
      `${ALIAS_ADJECTIVES[Math.floor(0.5 * ALIAS_ADJECTIVES.length)]}-${ALIAS_ANIMALS[Math.floor(0.5 * ALIAS_ANIMALS.length)]}`,
    );
  });

  it('falls back to a numeric suffix when random draws keep colliding', () => {
    const only = `${ALIAS_ADJECTIVES[0]}-${ALIAS_ANIMALS[0]}`;
    expect(freightAlias(sequence(0), new Set([only]))).toBe(`${only}-2`);
    expect(freightAlias(sequence(0), new Set([only, `${only}-2`]))).toBe(`${only}-3`);
  });

  it('clamps a random() of 1', () => {
    expect(freightAlias(sequence(1), new Set())).toBe(
      `${ALIAS_ADJECTIVES[ALIAS_ADJECTIVES.length - 1]}-${ALIAS_ANIMALS[ALIAS_ANIMALS.length - 1]}`,
    );
  });

  it('has word lists of about 60 unique lowercase words each', () => {
    for (const list of [ALIAS_ADJECTIVES, ALIAS_ANIMALS]) {
      expect(list.length).toBeGreaterThanOrEqual(60);
      expect(new Set(list).size).toBe(list.length);
      for (const w of list) expect(w).toMatch(/^[a-z]+$/);
    }
  });

  it('is deterministic for the same random sequence', () => {
    const taken = new Set<string>();
    const a = freightAlias(sequence(0.1, 0.7, 0.3), taken);
    const b = freightAlias(sequence(0.1, 0.7, 0.3), taken);
    expect(a).toBe(b);
  });
});

describe('the alias rule (a non-empty label value)', () => {
  it.each([
    ['an empty alias', '', 'must not be empty'],
    ['64 characters', 'a'.repeat(64), 'must be at most 63 characters'],
    ['spaces', 'my alias', `"my alias" is not a valid alias: use letters, digits, '-', '_' and '.'`],
    ['a trailing dot', 'fox.', `"fox." is not a valid alias: use letters, digits, '-', '_' and '.'`],
    ['63 characters of every kind allowed', `a${'-_.9Z'.repeat(12)}bc`, undefined],
  ])('%s: the same answer from the rule and from the Freight manifest schema', (_what, alias, problem) => {
    expect(aliasProblem(alias)).toBe(problem);
    const parsed = Alias.safeParse(alias);
    expect(parsed.success ? undefined : parsed.error.issues.map((i) => i.message)).toEqual(problem === undefined ? undefined : [problem]);
  });
});

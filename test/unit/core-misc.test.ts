import { jest } from '@jest/globals';
import { stableStringify } from '../../core/stable-stringify.js';
import { ulid } from '../../core/ulid.js';

/** A fixed sequence of "random" numbers, repeated. */
function sequence(...values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length] ?? 0;
}

const CROCKFORD_LOWER = /^[0-9a-hjkmnp-tv-z]{26}$/;

describe('ulid', () => {
  it.each<[string, number, () => number, string]>([
    ['time 0 and random 0', 0, sequence(0), '00000000000000000000000000'],
    ['the ULID spec example time (1469918176385)', 1469918176385, sequence(0), '01aryz6s410000000000000000'],
    ['the largest 48-bit time', 2 ** 48 - 1, sequence(0), '7zzzzzzzzz0000000000000000'],
    ['random just below 1', 0, sequence(0.999999), '0000000000zzzzzzzzzzzzzzzz'],
    ['each random value picking one character', 32, sequence(...Array.from({ length: 16 }, (_, i) => (i * 2 + 0.5) / 32)), '000000001002468acegjmprtwy'],
    ['a fractional millisecond (floored)', 1469918176385.9, sequence(0), '01aryz6s410000000000000000'],
  ])('encodes %s', (_, nowMs, random, expected) => {
    // act
    const id = ulid(nowMs, random);

    // assert
    expect(id).toBe(expected);
    expect(id).toMatch(CROCKFORD_LOWER);
  });

  it('draws 16 random values, one per random character', () => {
    // arrange
    const random = jest.fn(() => 0.5);

    // act
    const id = ulid(1000, random);

    // assert
    expect(random).toHaveBeenCalledTimes(16);
    expect(id.slice(10)).toBe('g'.repeat(16));
  });

  it.each<[string, number, number]>([
    ['one millisecond apart', 1000, 1001],
    ['across a 32 ms boundary', 31, 32],
    ['across a 32^2 ms boundary', 1023, 1024],
    ['a year apart', Date.parse('2024-01-01T00:00:00Z'), Date.parse('2025-01-01T00:00:00Z')],
  ])('sorts ids %s in creation order whatever the randomness', (_, earlier, later) => {
    // act
    const first = ulid(earlier, sequence(0.999999));
    const second = ulid(later, sequence(0));

    // assert
    expect(first < second).toBe(true);
  });
});

describe('stableStringify', () => {
  it.each<[string, unknown, string]>([
    ['a string', 'x', '"x"'],
    ['a number', 1.5, '1.5'],
    ['a boolean', true, 'true'],
    ['null', null, 'null'],
    ['an empty object', {}, '{}'],
    ['an empty array', [], '[]'],
    ['object keys, sorted', { b: 1, a: 2, c: 3 }, '{"a":2,"b":1,"c":3}'],
    ['nested object keys, sorted', { z: { y: 1, x: 2 }, a: [] }, '{"a":[],"z":{"x":2,"y":1}}'],
    ['objects inside arrays, sorted, the array order kept', [{ b: 1, a: 1 }, 3, { d: 1, c: 1 }], '[{"a":1,"b":1},3,{"c":1,"d":1}]'],
    ['keys set to undefined, left out like JSON.stringify', { b: undefined, a: 1 }, '{"a":1}'],
    ['undefined inside an array, as null like JSON.stringify', [undefined, 1], '[null,1]'],
    ['strings escaped like JSON.stringify', { k: 'a"b\\c\n' }, '{"k":"a\\"b\\\\c\\n"}'],
  ])('writes %s', (_, value, expected) => {
    // act
    const text = stableStringify(value);

    // assert
    expect(text).toBe(expected);
  });

  it.each<[string, unknown, unknown, boolean]>([
    ['the same keys in another order', { a: 1, b: { c: 2, d: 3 } }, { b: { d: 3, c: 2 }, a: 1 }, true],
    ['an absent key and a key set to undefined', { a: 1 }, { a: 1, b: undefined }, true],
    ['arrays in another order', { a: [1, 2] }, { a: [2, 1] }, false],
    ['a different value', { a: 1 }, { a: '1' }, false],
  ])('compares %s as equal: %s', (_, one, two, equal) => {
    // act
    const same = stableStringify(one) === stableStringify(two);

    // assert
    expect(same).toBe(equal);
  });

  it('does not reorder the keys of its input', () => {
    // arrange
    const value = { b: 1, a: { d: 1, c: 1 } };

    // act
    stableStringify(value);

    // assert
    expect(Object.keys(value)).toEqual(['b', 'a']);
    expect(Object.keys(value.a)).toEqual(['d', 'c']);
  });
});

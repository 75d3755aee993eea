import { describe, expect, it } from '@jest/globals';
import {
  formatDuration,
  KARGO_DURATION_PATTERN,
  parseDuration,
  readDuration,
  SHUNT_DURATION_PATTERN,
} from '../../core/duration.js';
import { Duration, ShuntDuration } from '../../core/manifests/common.js';

const HINT = 'use Go syntax such as 30s, 5m or 1h30m';
const HINT_DAYS = 'use Go syntax such as 30s, 5m, 1h30m or 2d';

describe('parseDuration: what Go time.ParseDuration reads', () => {
  it.each([
    ['0', 0],
    ['+0', 0],
    ['0s', 0],
    ['45s', 45_000],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['1.5h', 5_400_000],
    ['.5m', 30_000],
    ['5.s', 5_000],
    ['+5s', 5_000],
    ['500ms', 500],
    ['1m30.5s', 90_500],
    ['5m0s', 300_000],
    ['1000us', 1],
    ['1000µs', 1], // U+00B5 micro sign
    ['1000μs', 1], // U+03BC Greek mu
    ['1000000ns', 1],
    ['1500ns', 0.0015],
    ['1.0000000001s', 1000], // below a nanosecond: dropped, as in Go
    ['2562047h47m16.854775807s', 9_223_372_036_854.775],
  ])('%j is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBeCloseTo(ms, 9);
  });

  it.each([
    ['', 'it is empty'],
    ['+', 'it is empty'],
    ['5', 'a unit is missing'],
    ['1h30', 'a unit is missing'],
    ['m', 'expected a number'],
    ['.s', 'expected a number'],
    ['h1', 'expected a number'],
    ['5 m', 'unknown unit " m"'],
    [' 10s', 'expected a number'],
    ['10s ', 'unknown unit "s "'],
    ['5x', 'unknown unit "x"'],
    ['5minutes', 'unknown unit "minutes"'],
    ['2d', 'unknown unit "d"'],
    ['1h-30m', 'unknown unit "h-"'],
    ['-5m', 'it must not be negative'],
    ['-0s', 'it must not be negative'],
    ['2562047h47m16.854775808s', 'it is too long (Go allows at most 2562047h47m16.854775807s)'],
  ])('refuses %j: %s', (text, reason) => {
    expect(readDuration(text)).toEqual({ ok: false, reason });
    expect(() => parseDuration(text)).toThrow(
      expect.objectContaining({ code: 'BadRequest', message: `invalid duration ${JSON.stringify(text)}: ${reason}; ${HINT}` }),
    );
  });

  it('reads days only where a field takes them (Shunt’s own fields), and says so in the hint', () => {
    expect(parseDuration('2d', { days: true })).toBe(172_800_000);
    expect(parseDuration('1d12h', { days: true })).toBe(129_600_000);
    expect(parseDuration('1.5d', { days: true })).toBe(129_600_000);
    expect(() => parseDuration('2w', { days: true })).toThrow(`invalid duration "2w": unknown unit "w"; ${HINT_DAYS}`);
  });

  it('reads negative values only where they are asked for (the expression function duration())', () => {
    expect(parseDuration('-2m', { negative: true })).toBe(-120_000);
    expect(parseDuration('-1h30m', { negative: true })).toBe(-5_400_000);
    expect(parseDuration('-0', { negative: true })).toBe(0);
    // Go allows one nanosecond more below zero than above.
    expect(readDuration('-2562047h47m16.854775808s', { negative: true }).ok).toBe(true);
    expect(readDuration('-2562047h47m16.854775809s', { negative: true })).toEqual({
      ok: false,
      reason: 'it is too long (Go allows at most 2562047h47m16.854775807s)',
    });
  });
});

describe('formatDuration: what Go time.Duration.String writes', () => {
  it.each([
    [0, '0s'],
    [0.000_25, '250ns'],
    [0.5, '500µs'],
    [0.0015, '1.5µs'],
    [250, '250ms'],
    [1.5, '1.5ms'],
    [1500, '1.5s'],
    [45_000, '45s'],
    [60_000, '1m0s'],
    [61_000, '1m1s'],
    [300_000, '5m0s'],
    [3_600_000, '1h0m0s'],
    [5_400_000, '1h30m0s'],
    [3_723_000, '1h2m3s'],
    [36 * 3_600_000, '36h0m0s'],
    [90_500, '1m30.5s'],
    [-5_000, '-5s'],
    [-1.5, '-1.5ms'],
  ])('%d ms is %j', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it.each([0, 250, 1500, 61_000, 5_400_000, 36 * 3_600_000, 90_500])('reads back what it writes: %d ms', (ms) => {
    expect(parseDuration(formatDuration(ms))).toBe(ms);
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])('refuses %d', (ms) => {
    expect(() => formatDuration(ms)).toThrow(expect.objectContaining({ code: 'BadRequest' }));
  });
});

describe('the manifest fields', () => {
  it.each(['30s', '5m', '1h30m', '1.5h', '500ms', '10us', '10µs'])('a Kargo field takes %j', (text) => {
    expect(KARGO_DURATION_PATTERN.test(text)).toBe(true);
    expect(Duration.safeParse(text).success).toBe(true);
  });

  it.each([
    ['1d', `"1d" is not a duration; ${HINT}`],
    ['0', `"0" is not a duration; ${HINT}`],
    ['.5s', `".5s" is not a duration; ${HINT}`],
    ['-5m', `"-5m" is not a duration; ${HINT}`],
    ['1 hour', `"1 hour" is not a duration; ${HINT}`],
    ['9999999h', '"9999999h" is not a duration: it is too long (Go allows at most 2562047h47m16.854775807s)'],
  ])('a Kargo field refuses %j (as Kargo’s CRD pattern and Go do)', (text, message) => {
    const result = Duration.safeParse(text);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.message)).toEqual([message]);
  });

  it('Shunt’s own fields also take days', () => {
    expect(SHUNT_DURATION_PATTERN.test('1d12h')).toBe(true);
    expect(ShuntDuration.safeParse('2d').success).toBe(true);
    expect(ShuntDuration.safeParse('2w').error?.issues.map((i) => i.message)).toEqual([`"2w" is not a duration; ${HINT_DAYS}`]);
  });
});

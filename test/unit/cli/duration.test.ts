import { describe, expect, it } from '@jest/globals';
import { parseDuration } from '../../../cli/duration.js';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['45s', 45_000],
    ['10m', 600_000],
    ['1h30m', 5_400_000],
    ['1.5h', 5_400_000],
    ['2m30s', 150_000],
    [' 10s ', 10_000],
    ['0', 0],
  ])('reads %s as %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each([
    ['', 'it is empty'],
    ['10', 'a unit is missing'],
    ['10 minutes', 'unknown unit " minutes"'],
    ['1d', 'unknown unit "d"'],
    ['-5s', 'it must not be negative'],
    ['m', 'expected a number'],
  ])('refuses %j: %s', (text, reason) => {
    expect(() => parseDuration(text, '--timeout')).toThrow(
      `invalid --timeout ${JSON.stringify(text)}: ${reason}; use Go syntax such as 30s, 5m or 1h30m`,
    );
  });
});

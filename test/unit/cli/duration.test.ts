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
  ])('reads %s as %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '10', '10 minutes', '1d', '-5s', 'm'])('refuses %j', (text) => {
    expect(() => parseDuration(text, '--timeout')).toThrow(
      `invalid --timeout "${text}": expected a duration such as 30s, 10m or 1h30m`,
    );
  });
});

/** The form of the processes' logs (launcher/logger.ts): pretty on a terminal, JSON otherwise, SHUNT_LOG_FORMAT first. */
import { LogFormatSetting, logFormat } from '../../launcher/logger.js';

describe('logFormat', () => {
  it('is pretty on a terminal and JSON on a pipe or file', () => {
    expect(logFormat(undefined, true)).toBe('pretty');
    expect(logFormat(undefined, false)).toBe('json');
  });

  it('follows SHUNT_LOG_FORMAT either way', () => {
    expect(logFormat('json', true)).toBe('json');
    expect(logFormat('pretty', false)).toBe('pretty');
  });
});

describe('SHUNT_LOG_FORMAT (a setting of the api and the worker)', () => {
  it('takes json and pretty; empty or unset leaves the choice to the terminal', () => {
    expect(LogFormatSetting.parse('json')).toBe('json');
    expect(LogFormatSetting.parse('pretty')).toBe('pretty');
    expect(LogFormatSetting.parse('')).toBeUndefined();
    expect(LogFormatSetting.parse(undefined)).toBeUndefined();
  });

  it('refuses another value, saying what it accepts', () => {
    const parsed = LogFormatSetting.safeParse('text');
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toBe('expected "json" or "pretty" (default: pretty on a terminal, else json)');
  });
});

/** The form of the processes' logs (launcher/logger.ts): pretty on a terminal, JSON otherwise, SHUNT_LOG_FORMAT first. */
import { logFormat } from '../../launcher/logger.js';

describe('logFormat', () => {
  it('is pretty on a terminal and JSON on a pipe or file', () => {
    expect(logFormat({}, true)).toBe('pretty');
    expect(logFormat({}, false)).toBe('json');
    expect(logFormat({ SHUNT_LOG_FORMAT: '' }, true)).toBe('pretty');
  });

  it('follows SHUNT_LOG_FORMAT either way', () => {
    expect(logFormat({ SHUNT_LOG_FORMAT: 'json' }, true)).toBe('json');
    expect(logFormat({ SHUNT_LOG_FORMAT: 'pretty' }, false)).toBe('pretty');
  });

  it('refuses another SHUNT_LOG_FORMAT, saying what it accepts', () => {
    expect(() => logFormat({ SHUNT_LOG_FORMAT: 'text' }, true)).toThrow('SHUNT_LOG_FORMAT="text": expected "json" or "pretty" (default: pretty on a terminal, else json)');
  });
});

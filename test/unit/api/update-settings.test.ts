import { jest } from '@jest/globals';
import { loadApiConfig } from '../../../api/config.js';
import { UPDATES_IN_FLIGHT_PER_PROJECT } from '../../../api/temporal-backend.js';

const env = { TEMPORAL_ADDRESS: '127.0.0.1:7233' };

describe('SHUNT_UPDATES_IN_FLIGHT_PER_PROJECT', () => {
  it("defaults to 8, below a stock Temporal's 10 updates in flight to one workflow, and takes a whole number from 1", () => {
    expect(UPDATES_IN_FLIGHT_PER_PROJECT).toBe(8);
    expect(loadApiConfig(env).updatesInFlightPerProject).toBe(8);
    expect(loadApiConfig({ ...env, SHUNT_UPDATES_IN_FLIGHT_PER_PROJECT: '1' }).updatesInFlightPerProject).toBe(1);
    expect(loadApiConfig({ ...env, SHUNT_UPDATES_IN_FLIGHT_PER_PROJECT: '50' }).updatesInFlightPerProject).toBe(50);
  });

  it.each([
    ['0', 'config: SHUNT_UPDATES_IN_FLIGHT_PER_PROJECT: must be at least 1\n'],
    ['2.5', 'config: SHUNT_UPDATES_IN_FLIGHT_PER_PROJECT: must be a whole number\n'],
    ['5000', 'config: SHUNT_UPDATES_IN_FLIGHT_PER_PROJECT: must be at most 1000\n'],
  ])('refuses %s, saying why', (value, message) => {
    const exit = jest.spyOn(process, 'exit').mockImplementation(() => {
      throw new Error('exit');
    });
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(() => loadApiConfig({ ...env, SHUNT_UPDATES_IN_FLIGHT_PER_PROJECT: value })).toThrow('exit');
      expect(stderr.mock.calls.map((c) => c[0])).toEqual([message]);
    } finally {
      exit.mockRestore();
      stderr.mockRestore();
    }
  });
});

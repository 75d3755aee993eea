import { loadApiConfig } from '../../../api/config.js';
import { configRefusal } from '../../support/config-refusal.js';
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
  ])('refuses %s, saying why', async (value, message) => {
    expect(await configRefusal(() => loadApiConfig({ ...env, SHUNT_UPDATES_IN_FLIGHT_PER_PROJECT: value }))).toBe(message);
  });
});

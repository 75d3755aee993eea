import { loadApiConfig } from '../../../api/config.js';
import { configRefusal } from '../../support/config-refusal.js';
import { DEFAULT_READ_SNAPSHOT_MS } from '../../../api/project-reads.js';

const env = { TEMPORAL_ADDRESS: '127.0.0.1:7233' };

describe('SHUNT_READ_SNAPSHOT_MS', () => {
  it('defaults to a quarter of a second and takes 0 (no snapshot, readers still share a query)', () => {
    expect(loadApiConfig(env).readSnapshotMs).toBe(DEFAULT_READ_SNAPSHOT_MS);
    expect(DEFAULT_READ_SNAPSHOT_MS).toBe(250);
    expect(loadApiConfig({ ...env, SHUNT_READ_SNAPSHOT_MS: '0' }).readSnapshotMs).toBe(0);
    expect(loadApiConfig({ ...env, SHUNT_READ_SNAPSHOT_MS: '1000' }).readSnapshotMs).toBe(1000);
  });

  it.each([
    ['-1', 'config: SHUNT_READ_SNAPSHOT_MS: must be 0 (no snapshot) or more\n'],
    ['60000', 'config: SHUNT_READ_SNAPSHOT_MS: must be at most 10000 (10 s)\n'],
  ])('refuses %s, saying why', async (value, message) => {
    expect(await configRefusal(() => loadApiConfig({ ...env, SHUNT_READ_SNAPSHOT_MS: value }))).toBe(message);
  });
});

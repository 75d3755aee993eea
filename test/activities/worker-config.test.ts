/**
 * The worker's SHUNT_UI_BASE_URL, SHUNT_STEP_HEARTBEAT_TIMEOUT and SHUNT_MAX_CACHED_WORKFLOWS settings: what they become, and what a bad
 * value gets (the worker stops at start, naming the setting).
 */
import { DEFAULT_MAX_CACHED_WORKFLOWS, loadWorkerConfig } from '../../worker/config.js';
import { configRefusal } from '../support/config-refusal.js';

const BASE = { TEMPORAL_ADDRESS: '127.0.0.1:7233', SHUNT_KUBERNETES: 'off', SHUNT_DATA_DIR: '/tmp/shunt-worker-config-test' };

/** What the worker writes when `env` stops it at start; fails unless it exits with the configuration error code. */
const configErrorFor = (env: Record<string, string>): Promise<string> => configRefusal(() => loadWorkerConfig({ ...BASE, ...env }));

describe('SHUNT_UI_BASE_URL', () => {
  it("becomes the worker's uiBaseUrl", async () => {
    const config = await loadWorkerConfig({ ...BASE, SHUNT_UI_BASE_URL: 'https://shunt.example.com' });
    expect(config.uiBaseUrl).toBe('https://shunt.example.com');
  });

  it('is absent when not set (steps see an empty ctx.uiBaseUrl)', async () => {
    const config = await loadWorkerConfig({ ...BASE });
    expect(config).not.toHaveProperty('uiBaseUrl');
  });

  it.each([['a host without a scheme', 'shunt.example.com'], ['another scheme', 'javascript:alert(1)']])('stops the worker with a configuration error for %s, naming the setting', async (_, value) => {
    expect(await configErrorFor({ SHUNT_UI_BASE_URL: value })).toContain('config: SHUNT_UI_BASE_URL: SHUNT_UI_BASE_URL must be an absolute http(s) URL such as https://shunt.example.com');
  });
});

describe('SHUNT_STEP_HEARTBEAT_TIMEOUT', () => {
  it('is 1m0s (1m as Go writes it) when not set', async () => {
    expect((await loadWorkerConfig({ ...BASE })).stepHeartbeatTimeout).toBe('1m0s');
  });

  it('becomes the step heartbeat timeout the worker names for its workspaces, as a normalised Go duration', async () => {
    expect((await loadWorkerConfig({ ...BASE, SHUNT_STEP_HEARTBEAT_TIMEOUT: '90s' })).stepHeartbeatTimeout).toBe('1m30s');
    expect((await loadWorkerConfig({ ...BASE, SHUNT_STEP_HEARTBEAT_TIMEOUT: '5s' })).stepHeartbeatTimeout).toBe('5s');
  });

  it.each([
    ['not a duration', 'soon', 'is not a duration: use Go syntax such as 30s, 1m or 1m30s'],
    ['a number without a unit', '30', 'is not a duration'],
    ['shorter than 2s', '500ms', 'is out of range: between 2s and 1h'],
    ['longer than 1h', '2h', 'is out of range: between 2s and 1h'],
  ])('stops the worker with a configuration error for %s, naming the setting', async (_, value, expected) => {
    expect(await configErrorFor({ SHUNT_STEP_HEARTBEAT_TIMEOUT: value })).toContain(`config: SHUNT_STEP_HEARTBEAT_TIMEOUT=${JSON.stringify(value)} ${expected}`);
  });
});

describe('SHUNT_MAX_CACHED_WORKFLOWS', () => {
  it('is 300 when not set, not Temporal\'s default (10 under the worker\'s heap cap)', async () => {
    expect((await loadWorkerConfig({ ...BASE })).maxCachedWorkflows).toBe(DEFAULT_MAX_CACHED_WORKFLOWS);
    expect(DEFAULT_MAX_CACHED_WORKFLOWS).toBe(300);
  });

  it('takes a whole number; 0 turns the cache off', async () => {
    expect((await loadWorkerConfig({ ...BASE, SHUNT_MAX_CACHED_WORKFLOWS: '50' })).maxCachedWorkflows).toBe(50);
    expect((await loadWorkerConfig({ ...BASE, SHUNT_MAX_CACHED_WORKFLOWS: '0' })).maxCachedWorkflows).toBe(0);
  });

  it.each(['-1', 'many', '2.5'])('stops the worker at start for %j, naming the setting', async (value) => {
    expect(await configErrorFor({ SHUNT_MAX_CACHED_WORKFLOWS: value })).toContain('config: SHUNT_MAX_CACHED_WORKFLOWS');
  });
});

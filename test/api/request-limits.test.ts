/**
 * Issue 13, finding 8: 8.8 MB of deeply nested YAML posted to /api/v1/apply with a viewer
 * token exhausted the api's memory, because the body was parsed to decide the permission.
 * Now who may apply at all is decided before any body is read, bodies are capped
 * (SHUNT_MAX_BODY_BYTES) and YAML nesting is capped before parsing.
 */
import { DEFAULT_MAX_BODY_BYTES } from '../../api/body-limits.js';
import { enforcedAccess } from '../../api/auth/index.js';
import { loadApiConfig } from '../../api/config.js';
import { MAX_YAML_DEPTH } from '../../core/manifests/yaml-limits.js';
import { authConfig, bearer, TOKENS } from './auth-fixtures.js';
import { demoBackend, request, startApi, type RunningApi } from './support.js';

let api: RunningApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

const deepYaml = (bytes: number): string => `${'- '.repeat(Math.floor(bytes / 2))}x\n`;
const applyBody = (content: string): string => JSON.stringify({ files: [{ name: 'deep.yaml', content }] });

describe('an apply from a caller who may not apply anywhere', () => {
  beforeEach(async () => {
    api = await startApi({ backend: demoBackend(), access: enforcedAccess(authConfig()) });
  });

  it('is refused before its body is read: a viewer\'s deep YAML over the size limit gets 403, not 413', async () => {
    const res = await request(api!, 'POST', '/api/v1/apply', { rawBody: applyBody(deepYaml(DEFAULT_MAX_BODY_BYTES + 1024)), headers: bearer(TOKENS.viewer) });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toBe(
      'vera-viewer (roles viewer on demo/*) may not change anything: that needs the admin role in some project',
    );
    expect(api!.backend.calls).toEqual([]);
  });

  it('is refused with 403 for a viewer\'s deep YAML under the limit too, and nothing is parsed or applied', async () => {
    const res = await request(api!, 'POST', '/api/v1/apply', { rawBody: applyBody(deepYaml(1024 * 1024)), headers: bearer(TOKENS.viewer) });
    expect(res.status).toBe(403);
    expect(api!.backend.calls).toEqual([]);
  });

  it('gets 401 without a token, whatever its body, on every route', async () => {
    const big = applyBody(deepYaml(DEFAULT_MAX_BODY_BYTES + 1024));
    for (const path of ['/api/v1/apply', '/api/v1/projects/demo/promotions', '/api/v1/nothing']) {
      expect({ path, status: (await request(api!, 'POST', path, { rawBody: big })).status }).toEqual({ path, status: 401 });
    }
  });
});

describe('an admin\'s apply', () => {
  it('is capped in size: 413 naming the limit and its setting', async () => {
    api = await startApi({ backend: demoBackend(), access: enforcedAccess(authConfig()), maxBodyBytes: 4096 });
    const body = applyBody('x'.repeat(5000));
    const res = await request(api!, 'POST', '/api/v1/apply', { rawBody: body, headers: bearer(TOKENS.admin) });
    expect(res.status).toBe(413);
    expect(res.body.error.message).toBe(`request body of ${body.length} bytes is larger than the limit of 4096 bytes (SHUNT_MAX_BODY_BYTES)`);
  });

  it('is capped in YAML depth: 400 with a clear error, before the YAML is parsed', async () => {
    api = await startApi({ backend: demoBackend(), access: enforcedAccess(authConfig()) });
    const res = await request(api!, 'POST', '/api/v1/apply', { rawBody: applyBody(deepYaml(DEFAULT_MAX_BODY_BYTES - 4096)), headers: bearer(TOKENS.admin) });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({
      code: 'InvalidManifest',
      message: `deep.yaml: document 1: the YAML is nested deeper than ${MAX_YAML_DEPTH} levels; no manifest needs that many`,
    });
    expect(api!.backend.calls).toEqual([]);
  });
});

describe('the settings', () => {
  const env = { TEMPORAL_ADDRESS: '127.0.0.1:7233' };

  it('default to a 2 MiB body and no extra host names; SHUNT_HOST counts when it is a name', () => {
    expect(loadApiConfig(env)).toMatchObject({ maxBodyBytes: 2 * 1024 * 1024, allowedHosts: [] });
    expect(loadApiConfig({ ...env, SHUNT_HOST: 'shunt.internal', SHUNT_ALLOWED_HOSTS: ' shunt.example.com, ci.example.com ' })).toMatchObject({
      allowedHosts: ['shunt.internal', 'shunt.example.com', 'ci.example.com'],
    });
    expect(loadApiConfig({ ...env, SHUNT_HOST: '0.0.0.0', SHUNT_MAX_BODY_BYTES: '65536' })).toMatchObject({ maxBodyBytes: 65536, allowedHosts: [] });
  });
});

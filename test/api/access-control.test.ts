/**
 * Access control over every route of the contract: 401 without or with a bad token, 403 with
 * the reason for a role that lacks the permission, success for one that has it; prod promotion
 * and approval only for release managers; each action and each denial in the audit trail.
 */
import { aClusterPromotionTask, aProject, yamlOf } from '../support/manifests.js';
import { bearer, promoteAs, startAccessControlledApi, TOKENS } from './auth-fixtures.js';
import { FREIGHT_A, request, type RunningApi } from './support.js';

let api: RunningApi;

beforeEach(async () => {
  api = await startAccessControlledApi();
});
afterEach(() => api.close());

const promote = (token: string, stage: string) => promoteAs(api, token, stage);

describe('authentication', () => {
  it('answers 401 with the reason and a WWW-Authenticate header when no token is sent', async () => {
    const res = await request(api, 'GET', '/api/v1/projects');
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('Unauthenticated');
    expect(res.body.error.message).toMatch(/requires a bearer token.*SHUNT_TOKEN/);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="shunt", error="invalid_token"/);
  });

  it.each([
    ['a Basic header', 'Basic dXNlcjpwYXNz', /malformed Authorization header: expected "Bearer <token>"/],
    ['Bearer with no token', 'Bearer ', /malformed Authorization header/],
    ['an unknown token', 'Bearer not-a-known-token', /unknown token: it matches no token/],
    ['a JWT with no issuer configured', 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.c2ln', /looks like a JWT, but no OIDC issuer is configured/],
  ])('answers 401 for %s', async (_what, header, reason) => {
    const res = await request(api, 'GET', '/api/v1/projects', { headers: { authorization: header } });
    expect(res.status).toBe(401);
    expect(res.body.error.message).toMatch(reason);
  });

  it('ignores x-shunt-actor when tokens are required: the token names the actor', async () => {
    const res = await request(api, 'GET', '/api/v1/whoami', { headers: { ...bearer(TOKENS.viewer), 'x-shunt-actor': 'mallory' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: 'vera-viewer', via: 'token', mode: 'enforced' });
  });

  it('logs each request as JSON with its id and actor, and never the token', async () => {
    const res = await request(api, 'GET', '/api/v1/projects', { headers: { ...bearer(TOKENS.developer), 'x-request-id': 'req-42' } });
    expect(res.headers.get('x-request-id')).toBe('req-42');
    const line = api.logs.find((l) => l['msg'] === 'request completed' && l['requestId'] === 'req-42');
    expect(line).toMatchObject({ actor: 'dev-dana', status: 200, path: '/api/v1/projects' });
    expect(JSON.stringify(api.logs)).not.toContain(TOKENS.developer);
  });

  it('leaves /healthz open', async () => {
    expect((await request(api, 'GET', '/healthz')).status).toBe(200);
  });
});

describe('roles', () => {
  it('lets a viewer read its project and refuses other projects with the reason', async () => {
    expect((await request(api, 'GET', '/api/v1/projects/demo/stages', { headers: bearer(TOKENS.viewer) })).status).toBe(200);
    const other = await request(api, 'GET', '/api/v1/projects/demo/stages', { headers: bearer(TOKENS.outsider) });
    expect(other.status).toBe(403);
    expect(other.body.error).toMatchObject({ code: 'PermissionDenied' });
    expect(other.body.error.message).toBe(
      'otto-outsider (roles viewer on other/*) may not read project "demo": that needs the viewer role there',
    );
  });

  it('lists only the projects the caller may read', async () => {
    const names = async (token: string) =>
      (await request(api, 'GET', '/api/v1/projects', { headers: bearer(token) })).body.items.map((p: { metadata: { name: string } }) => p.metadata.name);
    expect(await names(TOKENS.viewer)).toEqual(['demo']);
    expect(await names(TOKENS.outsider)).toEqual([]);
  });

  it('refuses a viewer a promotion, naming the role it needs', async () => {
    const res = await promote(TOKENS.viewer, 'dev');
    expect(res.status).toBe(403);
    expect(res.body.error.message).toMatch(/vera-viewer .* may not promote to stage "dev" of project "demo": that needs the promoter role there/);
    expect(api.backend.calls.filter((c) => c.method === 'promote')).toHaveLength(0);
  });

  it('lets a developer promote to staging, and records the promotion under their name', async () => {
    const res = await promote(TOKENS.developer, 'staging');
    expect(res.status).toBe(201);
    expect(res.body.metadata.annotations['kargo.akuity.io/create-actor']).toBe('dev-dana');
  });

  it('refuses a developer a prod promotion: only release managers promote prod', async () => {
    const res = await promote(TOKENS.developer, 'prod');
    expect(res.status).toBe(403);
    expect(res.body.error.message).toMatch(/dev-dana .* may not promote to stage "prod" of project "demo": that needs the promoter role there/);
  });

  it('lets a release manager promote prod', async () => {
    const res = await promote(TOKENS.releaseManager, 'prod');
    expect(res.status).toBe(201);
    expect(res.body.spec.stage).toBe('prod');
  });

  it('lets only an admin apply and delete', async () => {
    const manifest = {
      files: [{ name: 'p.yaml', content: yamlOf(aProject('demo')) }],
    };
    const refused = await request(api, 'POST', '/api/v1/apply', { body: manifest, headers: bearer(TOKENS.releaseManager) });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toMatch(/rita-release .* may not change anything: that needs the admin role in some project/);
    expect((await request(api, 'POST', '/api/v1/apply', { body: manifest, headers: bearer(TOKENS.admin) })).status).toBe(200);

    const del = await request(api, 'DELETE', '/api/v1/projects/demo/stages/prod', { headers: bearer(TOKENS.developer) });
    expect(del.status).toBe(403);
    expect((await request(api, 'DELETE', '/api/v1/projects/demo/stages/prod', { headers: bearer(TOKENS.admin) })).status).toBe(200);
  });

  it('refuses an apply to a caller who is admin nowhere, before reading the manifests', async () => {
    const body = { files: [{ name: 't.yaml', content: yamlOf(aClusterPromotionTask('t')) }] };
    const res = await request(api, 'POST', '/api/v1/apply', { body, headers: bearer(TOKENS.developer) });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toMatch(/^dev-dana .* may not change anything: that needs the admin role in some project$/);
  });

  it('checks the routes other issues add by method and path: approve, retry, abort, refresh, verify', async () => {
    // Whether or not these routes exist yet, the permission check runs first.
    const cases: [string, string, unknown, string, number][] = [
      ['POST', `/api/v1/projects/demo/freight/${FREIGHT_A}/approve`, { stage: 'prod' }, TOKENS.developer, 403],
      ['POST', '/api/v1/projects/demo/promotions/dev.000001.aaaaaaa/retry', {}, TOKENS.viewer, 403],
      ['POST', '/api/v1/projects/demo/promotions/dev.000001.aaaaaaa/abort', {}, TOKENS.viewer, 403],
      ['POST', '/api/v1/projects/demo/promotions/dev.000001.aaaaaaa/approve', {}, TOKENS.viewer, 403],
      ['POST', '/api/v1/projects/demo/warehouses/app/refresh', {}, TOKENS.viewer, 403],
      ['POST', '/api/v1/projects/demo/stages/prod/verify', {}, TOKENS.developer, 403],
      ['POST', '/api/v1/projects/demo/stages/prod/verification/abort', {}, TOKENS.developer, 403],
    ];
    for (const [method, path, body, token, status] of cases) {
      const res = await request(api, method, path, { body, headers: bearer(token) });
      expect({ path, status: res.status }).toEqual({ path, status });
    }
    // The stage of a promotion-named route is the promotion's: dana may retry a dev promotion.
    const retry = await request(api, 'POST', '/api/v1/projects/demo/promotions/dev.000001.aaaaaaa/retry', { body: {}, headers: bearer(TOKENS.developer) });
    expect(retry.status).not.toBe(403);
  });

  it('tells the page what the caller may do on each stage, with the reason when not', async () => {
    const res = await request(api, 'GET', '/api/v1/whoami?project=demo', { headers: bearer(TOKENS.developer) });
    expect(res.status).toBe(200);
    expect(res.body.project.stages.dev.promote).toEqual({ allowed: true });
    expect(res.body.project.stages.staging.approve).toEqual({ allowed: true });
    expect(res.body.project.stages.prod.promote.allowed).toBe(false);
    expect(res.body.project.stages.prod.promote.reason).toMatch(/needs the promoter role/);
    expect(res.body.project.admin.allowed).toBe(false);
  });
});

describe('audit trail', () => {
  it('records each action and each denial with who, what, when and the outcome, newest first', async () => {
    await promote(TOKENS.developer, 'staging');
    await promote(TOKENS.developer, 'prod');
    await promote(TOKENS.releaseManager, 'nonexistent');
    await request(api, 'DELETE', '/api/v1/projects/demo/stages/prod', { headers: bearer(TOKENS.admin) });

    const res = await request(api, 'GET', '/api/v1/projects/demo/audit', { headers: bearer(TOKENS.viewer) });
    expect(res.status).toBe(200);
    const events = res.body.items;
    expect(events.map((e: { actor: string; action: string; outcome: string; status: number }) => [e.actor, e.action, e.outcome, e.status])).toEqual([
      ['adam-admin', 'delete', 'succeeded', 200],
      ['rita-release', 'promote', 'refused', 404],
      ['dev-dana', 'promote', 'denied', 403],
      ['dev-dana', 'promote', 'succeeded', 201],
    ]);
    const [deleted, refused, denied, promoted] = events;
    expect(promoted).toMatchObject({
      kind: 'AuditEvent',
      metadata: { namespace: 'demo' },
      via: 'token',
      method: 'POST',
      path: '/api/v1/projects/demo/promotions',
      target: { stage: 'staging', freight: 'tidy-otter', promotion: expect.stringMatching(/^staging\./) },
    });
    expect(Date.parse(promoted.time)).not.toBeNaN();
    expect(denied.message).toMatch(/needs the promoter role/);
    expect(refused.message).toMatch(/nonexistent/);
    expect(deleted.target).toEqual({ stage: 'prod' });
  });

  it('does not record reads', async () => {
    await request(api, 'GET', '/api/v1/projects/demo/stages', { headers: bearer(TOKENS.viewer) });
    const res = await request(api, 'GET', '/api/v1/projects/demo/audit', { headers: bearer(TOKENS.viewer) });
    expect(res.body.items).toEqual([]);
  });
});

/** /openapi.json describes every route the app serves; /metrics needs a token when access control is on; the page is open. */
import { createApp } from '../../api/app.js';
import { enforcedAccess, openAccess } from '../../api/auth/index.js';
import { routeDoc, routeKey } from '../../api/openapi.js';
import { listRoutes } from '../../api/route-list.js';
import { vendorModule } from '../../api/web-assets.js';
import { authConfig, bearer, TOKENS } from './auth-fixtures.js';
import { demoBackend, request, startApi, type RunningApi } from './support.js';

describe('/openapi.json', () => {
  let api: RunningApi;
  beforeAll(async () => {
    api = await startApi({ backend: demoBackend(), access: enforcedAccess(authConfig()) });
  });
  afterAll(() => api.close());

  it('describes every route of app.ts, with no entry for a route the app does not serve', async () => {
    const routes = listRoutes(createApp({ backend: demoBackend(), access: openAccess() }));
    expect(routes.length).toBeGreaterThan(15);
    const undescribed = routes.filter((route) => routeDoc(route) === undefined).map(routeKey);
    expect(undescribed).toEqual([]);

    const res = await request(api, 'GET', '/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    const described = Object.entries(res.body.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
    );
    expect(described.sort()).toEqual(routes.map(routeKey).sort());
  });

  it('takes request bodies from the routes\' zod schemas and names the role each route needs', async () => {
    const { body } = await request(api, 'GET', '/openapi.json');
    const promote = body.paths['/api/v1/projects/{project}/promotions'].post;
    expect(promote['x-shunt-role']).toBe('promoter');
    expect(promote.requestBody.content['application/json'].schema).toMatchObject({
      type: 'object',
      required: ['stage', 'freight'],
      properties: { stage: { type: 'string' }, freight: { type: 'string' } },
    });
    expect(promote.responses['403'].description).toMatch(/lacks the role/);
    expect(body.paths['/api/v1/apply'].post['x-shunt-role']).toBe('admin');
    expect(body.paths['/api/v1/projects/{project}/events'].get.parameters).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'limit', in: 'query' }), expect.objectContaining({ name: 'since', in: 'query' })]),
    );
    expect(body.paths['/api/v1/projects/{project}/events/stream'].get.summary).toMatch(/Last-Event-ID/);
    expect(body.paths['/metrics'].get.security).toBeUndefined();
    expect(body.paths['/healthz'].get.security).toEqual([]);
  });
});

describe('/metrics and the page', () => {
  let api: RunningApi;
  beforeAll(async () => {
    const backend = demoBackend();
    const state = backend.projects.get('demo')!;
    state.stages['staging'] = { freightHistory: [], queue: ['staging.000002.aaaaaaa', 'staging.000003.bbbbbbb'], currentPromotion: 'staging.000001.aaaaaaa' };
    api = await startApi({
      backend,
      access: enforcedAccess(authConfig()),
      workerMetrics: async () => '# HELP shunt_promotions_total x\n# TYPE shunt_promotions_total counter\nshunt_promotions_total{project="demo",stage="dev",phase="Succeeded"} 3\n',
    });
  });
  afterAll(() => api.close());

  async function scrape(): Promise<string> {
    const res = await fetch(`${api.url}/metrics`, { headers: bearer(TOKENS.viewer) });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    return res.text();
  }

  it('serves queue depths read from the project, the api\'s request counts, and the worker\'s metrics', async () => {
    await request(api, 'GET', '/api/v1/projects/demo/stages', { headers: bearer(TOKENS.viewer) });
    await request(api, 'GET', '/api/v1/projects/demo/stages');
    const text = await scrape();
    expect(text).toContain('shunt_stage_queue_depth{project="demo",stage="staging"} 2');
    expect(text).toContain('shunt_stage_queue_depth{project="demo",stage="prod"} 0');
    expect(text).toContain('shunt_stage_promotion_running{project="demo",stage="staging"} 1');
    expect(text).toMatch(/shunt_api_requests_total\{method="GET",route="\/api\/v1\/projects\/:project\/stages",status="200"\} 1/);
    expect(text).toMatch(/shunt_api_requests_total\{method="GET",route="\/api\/v1\/\(unmatched\)",status="401"\} 1/);
    expect(text).toContain('shunt_promotions_total{project="demo",stage="dev",phase="Succeeded"} 3');
  });

  it('needs a token when access control is on: the stage names of every project are not for anyone (issue 13)', async () => {
    const res = await request(api, 'GET', '/metrics');
    expect(res.status).toBe(401);
    expect(res.body.error.message).toMatch(/requires a bearer token/);
    expect((await request(api, 'GET', '/metrics', { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
  });

  it('keeps counters monotonic across scrapes', async () => {
    const count = (text: string): number =>
      Number(/shunt_api_requests_total\{method="GET",route="\/metrics",status="200"\} (\d+)/.exec(text)?.[1] ?? '0');
    const first = count(await scrape());
    const second = count(await scrape());
    expect(second).toBe(first + 1);
  });

  it('serves the page and its assets without a token', async () => {
    const page = await fetch(`${api.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const html = await page.text();
    expect(html).toContain('<script type="module" src="/app.js"></script>');
    for (const asset of ['/app.js', '/style.css', '/components/App.js', '/lib/stream.js']) expect((await fetch(`${api.url}${asset}`)).status).toBe(200);
  });

  it('serves preact, its hooks and htm under /vendor/ with the page\'s strict CSP, and nothing else from node_modules', async () => {
    for (const file of ['preact.mjs', 'hooks.mjs', 'htm.mjs']) {
      const res = await fetch(`${api.url}/vendor/${file}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/javascript/);
      expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
    // The hooks import preact by a path a browser resolves, not the bare "preact".
    const hooks = await (await fetch(`${api.url}/vendor/hooks.mjs`)).text();
    expect(hooks).toContain('from"/vendor/preact.mjs"');
    expect(hooks).not.toMatch(/from\s*["']preact["']/);
    for (const path of ['/vendor/', '/vendor/package.json', '/vendor/../package.json', '/vendor/preact/dist/preact.mjs', '/vendor/hooks.mjs.map']) {
      expect((await fetch(`${api.url}${path}`)).status).toBe(404);
    }
  });

  it('refuses a hooks module that no longer imports "preact" rather than serving one the browser cannot load', () => {
    expect(() => vendorModule('hooks.mjs', 'import{options}from"./x.js"')).toThrow(/no longer imports "preact": check \/vendor\/ in api\/web-assets.ts/);
    expect(vendorModule('htm.mjs', 'export default 1')).toBe('export default 1');
  });
});

import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { demoBackend, FREIGHT_A, FREIGHT_B, request, startApi, type RunningApi } from './support.js';

describe('reading a project', () => {
  let api: RunningApi;
  beforeEach(async () => {
    api = await startApi({ backend: demoBackend(), temporalUiUrl: 'http://localhost:8233/', namespace: 'shunt' });
  });
  afterEach(async () => api.close());

  it('lists projects as Kargo Project objects', async () => {
    const res = await request(api, 'GET', '/api/v1/projects');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      apiVersion: 'v1',
      kind: 'List',
      items: [
        {
          apiVersion: 'kargo.akuity.io/v1alpha1',
          kind: 'Project',
          metadata: { name: 'demo' },
          status: { stats: { warehouses: { count: 1 }, stages: { count: 3 }, freight: { count: 2 } } },
        },
      ],
    });
  });

  it('gets one project', async () => {
    const res = await request(api, 'GET', '/api/v1/projects/demo');
    expect(res.status).toBe(200);
    expect(res.body.metadata).toEqual({ name: 'demo' });
  });

  it.each(['warehouses', 'stages', 'freight', 'promotions'])('answers 404 for the %s of an unknown project', async (kind) => {
    const res = await request(api, 'GET', `/api/v1/projects/nope/${kind}`);
    expect(res.status).toBe(404);
    expect(res.body.error).toEqual({ code: 'NotFound', message: 'project "nope" not found', details: [] });
  });

  it('lists and gets warehouses with their last freight', async () => {
    const list = await request(api, 'GET', '/api/v1/projects/demo/warehouses');
    const one = await request(api, 'GET', '/api/v1/projects/demo/warehouses/app');
    expect(list.body.items).toHaveLength(1);
    expect(one.status).toBe(200);
    expect(one.body).toEqual({
      apiVersion: 'kargo.akuity.io/v1alpha1',
      kind: 'Warehouse',
      metadata: { name: 'app', namespace: 'demo' },
      spec: { interval: '5m', subscriptions: [{ image: { repoURL: 'ghcr.io/acme/app', constraint: '^1.0.0' } }] },
      status: { lastFreightID: FREIGHT_B },
    });
    expect(list.body.items[0]).toEqual(one.body);
  });

  it('answers 404 for an unknown warehouse, stage or promotion', async () => {
    const warehouse = await request(api, 'GET', '/api/v1/projects/demo/warehouses/nope');
    const stage = await request(api, 'GET', '/api/v1/projects/demo/stages/nope');
    const promotion = await request(api, 'GET', '/api/v1/projects/demo/promotions/nope');
    expect([warehouse.status, stage.status, promotion.status]).toEqual([404, 404, 404]);
    expect(warehouse.body.error.message).toBe('warehouse "nope" not found in project "demo"');
    expect(stage.body.error.message).toBe('stage "nope" not found in project "demo"');
    expect(promotion.body.error.message).toBe('promotion "nope" not found in project "demo"');
  });

  it('lists stages by name and renders their status the way Kargo does', async () => {
    const list = await request(api, 'GET', '/api/v1/projects/demo/stages');
    expect(list.body.items.map((s: { metadata: { name: string } }) => s.metadata.name)).toEqual(['dev', 'prod', 'staging']);
    const dev = await request(api, 'GET', '/api/v1/projects/demo/stages/dev');
    expect(dev.body).toMatchObject({
      apiVersion: 'kargo.akuity.io/v1alpha1',
      kind: 'Stage',
      metadata: { name: 'dev', namespace: 'demo', labels: { tier: 'dev' } },
      spec: { requestedFreight: [{ origin: { kind: 'Warehouse', name: 'app' }, sources: { direct: true } }] },
      status: {
        freightHistory: [
          {
            id: 'c'.repeat(40),
            items: {
              'Warehouse/app': {
                name: FREIGHT_A,
                origin: { kind: 'Warehouse', name: 'app' },
                images: [{ repoURL: 'ghcr.io/acme/app', tag: '1.0.0', digest: 'sha256:abc' }],
                commits: [],
                charts: [],
              },
            },
          },
        ],
        lastPromotion: {
          name: 'dev.000001.aaaaaaa',
          freight: { name: FREIGHT_A },
          status: { phase: 'Succeeded', finishedAt: '2026-01-01T00:10:00.000Z' },
          finishedAt: '2026-01-01T00:10:00.000Z',
        },
        freightSummary: FREIGHT_A,
        health: { status: 'Healthy' },
      },
    });
    const prod = list.body.items[1];
    const notVerified = (freight: string, alias: string) => ({
      freight,
      alias,
      origin: 'app',
      available: false,
      reason: `freight ${alias} is not available to stage "prod": it must first be verified in its upstream stage (not verified in "staging"), or approved for "prod"`,
      blockers: [{ kind: 'NotVerified', stage: 'staging' }],
    });
    expect(prod.status).toEqual({
      freightHistory: [],
      freightSummary: '0/1 Fulfilled',
      autoPromotionEnabled: false,
      // Shunt: what the page offers to promote, decided by the rule a promotion request is refused by.
      freightAvailability: [notVerified(FREIGHT_B, 'brave-fox'), notVerified(FREIGHT_A, 'tidy-otter')],
    });
    expect(dev.body.status.freightAvailability.map((e: { alias: string; via: string }) => [e.alias, e.via])).toEqual([
      ['brave-fox', 'direct'],
      ['tidy-otter', 'direct'],
    ]);
  });

  it('lists freight newest first, Kargo-shaped', async () => {
    const res = await request(api, 'GET', '/api/v1/projects/demo/freight');
    expect(res.body.items.map((f: { alias: string }) => f.alias)).toEqual(['brave-fox', 'tidy-otter']);
    expect(res.body.items[1]).toEqual({
      apiVersion: 'kargo.akuity.io/v1alpha1',
      kind: 'Freight',
      metadata: {
        name: FREIGHT_A,
        namespace: 'demo',
        labels: { 'kargo.akuity.io/alias': 'tidy-otter' },
        creationTimestamp: '2026-01-01T00:00:00.000Z',
      },
      alias: 'tidy-otter',
      discoveredAt: '2026-01-01T00:00:00.000Z',
      origin: { kind: 'Warehouse', name: 'app' },
      images: [{ repoURL: 'ghcr.io/acme/app', tag: '1.0.0', digest: 'sha256:abc' }],
      commits: [],
      charts: [],
      status: {
        currentlyIn: { dev: { since: '2026-01-01T00:10:00.000Z' } },
        verifiedIn: { dev: { verifiedAt: '2026-01-01T00:11:00.000Z', longestSoak: '1h2m3s' } },
        approvedFor: {},
      },
    });
  });

  it('gets freight by id or by alias, and 404 for neither', async () => {
    const byId = await request(api, 'GET', `/api/v1/projects/demo/freight/${FREIGHT_A}`);
    const byAlias = await request(api, 'GET', '/api/v1/projects/demo/freight/tidy-otter');
    const missing = await request(api, 'GET', '/api/v1/projects/demo/freight/lazy-cat');
    expect(byId.status).toBe(200);
    expect(byAlias.body).toEqual(byId.body);
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toBe('freight "lazy-cat" (id or alias) not found in project "demo"');
  });

  it('lists and gets promotions with step metadata and a Temporal UI link', async () => {
    const list = await request(api, 'GET', '/api/v1/projects/demo/promotions');
    const one = await request(api, 'GET', '/api/v1/projects/demo/promotions/dev.000001.aaaaaaa');
    expect(one.status).toBe(200);
    expect(list.body.items).toEqual([one.body]);
    expect(one.body).toEqual({
      apiVersion: 'kargo.akuity.io/v1alpha1',
      kind: 'Promotion',
      metadata: {
        name: 'dev.000001.aaaaaaa',
        namespace: 'demo',
        labels: { 'kargo.akuity.io/stage': 'dev' },
        annotations: { 'kargo.akuity.io/create-actor': 'alice' },
        creationTimestamp: '2026-01-01T00:09:00.000Z',
      },
      spec: { stage: 'dev', freight: FREIGHT_A },
      status: {
        phase: 'Succeeded',
        freight: { name: FREIGHT_A, origin: { kind: 'Warehouse', name: 'app' } },
        startedAt: '2026-01-01T00:09:01.000Z',
        finishedAt: '2026-01-01T00:10:00.000Z',
        currentStep: 1,
        stepExecutionMetadata: [
          { alias: 'clone', uses: 'git-clone', startedAt: '2026-01-01T00:09:01.000Z', finishedAt: '2026-01-01T00:09:30.000Z', errorCount: 0, status: 'Succeeded' },
          { alias: 'push', uses: 'git-push', startedAt: '2026-01-01T00:09:30.000Z', finishedAt: '2026-01-01T00:10:00.000Z', errorCount: 0, status: 'Succeeded' },
        ],
        state: { push: { commit: 'deadbeef' } },
        workflowId: `promotion:demo:dev:${FREIGHT_A}`,
        temporalUiUrl: `http://localhost:8233/namespaces/shunt/workflows/promotion:demo:dev:${FREIGHT_A}`,
      },
    });
  });
});

describe('waiting for a promotion to end (?wait=)', () => {
  let api: RunningApi;
  beforeEach(async () => {
    api = await startApi({ backend: demoBackend() });
  });
  afterEach(() => api.close());
  const waits = () => api.backend.calls.filter((c) => c.method === 'getPromotion').map((c) => c.args[2]);

  it('passes how long to wait to the backend, as milliseconds', async () => {
    const one = await request(api, 'GET', '/api/v1/projects/demo/promotions/dev.000001.aaaaaaa?wait=1m');
    const half = await request(api, 'GET', '/api/v1/projects/demo/promotions/dev.000001.aaaaaaa?wait=1.5s');
    const plain = await request(api, 'GET', '/api/v1/projects/demo/promotions/dev.000001.aaaaaaa');
    expect([one.status, half.status, plain.status]).toEqual([200, 200, 200]);
    expect(one.body).toEqual(plain.body);
    expect(waits()).toEqual([{ waitMs: 60_000 }, { waitMs: 1500 }, undefined]);
  });

  it.each([
    ['not a duration', 'soon', 'wait: not a duration (expected a number); use Go syntax such as 30s'],
    ['a unit Go does not know', '30x', 'wait: not a duration (unknown unit "x"); '],
    ['longer than a minute', '61s', 'wait: must be at most 60s'],
    ['negative', '-1s', 'wait: not a duration (it must not be negative); '],
  ])('answers 400 for a wait that is %s, and waits for nothing', async (_what, wait, message) => {
    const res = await request(api, 'GET', `/api/v1/projects/demo/promotions/dev.000001.aaaaaaa?wait=${encodeURIComponent(wait)}`);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain(message);
    expect(waits()).toEqual([]);
  });
});

describe('deleting', () => {
  let api: RunningApi;
  beforeEach(async () => {
    api = await startApi({ backend: demoBackend() });
  });
  afterEach(async () => api.close());

  it('deletes a stage, passing the actor', async () => {
    const res = await request(api, 'DELETE', '/api/v1/projects/demo/stages/prod', { headers: { 'x-shunt-actor': 'bob' } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      apiVersion: 'v1',
      kind: 'Status',
      status: 'Success',
      details: { group: 'kargo.akuity.io', kind: 'Stage', name: 'prod', namespace: 'demo' },
    });
    expect(api.backend.calls.at(-1)).toEqual({ method: 'deleteResource', args: ['demo', 'Stage', 'prod', 'bob'] });
    expect((await request(api, 'GET', '/api/v1/projects/demo/stages/prod')).status).toBe(404);
  });

  it('deletes a warehouse', async () => {
    const res = await request(api, 'DELETE', '/api/v1/projects/demo/warehouses/app');
    expect(res.status).toBe(200);
    expect(res.body.details).toEqual({ group: 'kargo.akuity.io', kind: 'Warehouse', name: 'app', namespace: 'demo' });
    expect(api.backend.calls.at(-1)).toEqual({ method: 'deleteResource', args: ['demo', 'Warehouse', 'app', 'anonymous'] });
  });

  it('deletes a project', async () => {
    const res = await request(api, 'DELETE', '/api/v1/projects/demo');
    expect(res.status).toBe(200);
    expect(res.body.details).toEqual({ group: 'kargo.akuity.io', kind: 'Project', name: 'demo' });
    expect((await request(api, 'GET', '/api/v1/projects')).body.items).toEqual([]);
  });

  it.each([
    ['/api/v1/projects/demo/stages/nope', 'stage "nope" not found in project "demo"'],
    ['/api/v1/projects/demo/warehouses/nope', 'warehouse "nope" not found in project "demo"'],
    ['/api/v1/projects/nope', 'project "nope" not found'],
  ])('answers 404 for DELETE %s', async (path, message) => {
    const res = await request(api, 'DELETE', path);
    expect(res.status).toBe(404);
    expect(res.body.error).toEqual({ code: 'NotFound', message, details: [] });
  });
});

/**
 * Issue 17, "Webhook receivers": the generic receiver's actions as Kargo's (generic.go,
 * generic_actions.go, list.go, and the examples of its generic receiver docs): `whenExpression`
 * over the request, targets by name, labels and the `subscribedURLs` index with `${{ }}` values,
 * per-action results, and 500 when an action errs.
 */
import type { Warehouse } from '../../core/model.js';
import { receiverToken } from '../../api/webhooks/verify.js';
import { emptyProject, FakeBackend } from './fake-backend.js';
import { startApi, type RunningApi } from './support.js';

const secrets = { forProject: () => ({ secret: async () => ({ secret: 'generic-secret' }) }) };

function warehouse(name: string, repoURL: string, labels: Record<string, string>): Warehouse {
  return { apiVersion: 'kargo.akuity.io/v1alpha1', kind: 'Warehouse', metadata: { name, namespace: 'kargo-demo', labels }, spec: { subscriptions: [{ git: { repoURL, branch: 'main' } }] } } as Warehouse;
}

let api: RunningApi;
let backend: FakeBackend;

async function withReceiver(generic: Record<string, unknown>): Promise<string> {
  backend = new FakeBackend();
  const state = emptyProject('kargo-demo');
  state.specs.config = { apiVersion: 'kargo.akuity.io/v1alpha1', kind: 'ProjectConfig', metadata: { name: 'kargo-demo', namespace: 'kargo-demo' }, spec: { webhookReceivers: [{ name: 'my-receiver', generic: { secretRef: { name: 'wh-secret' }, ...generic } }] } };
  state.specs.warehouses['my-warehouse'] = warehouse('my-warehouse', 'https://github.com/example/my-warehouse.git', { environment: 'prod', service: 'ui' });
  state.specs.warehouses['api'] = warehouse('api', 'https://github.com/example/api', { environment: 'prod', service: 'api' });
  state.specs.warehouses['staging'] = warehouse('staging', 'https://github.com/example/staging', { environment: 'staging' });
  state.promotions.push({ name: 'prod.01j.abc', stage: 'prod', freight: 'f', freightAlias: 'a', origin: 'w', phase: 'Running', createdAt: '2026-01-01T00:00:00Z' } as (typeof state.promotions)[number]);
  backend.projects.set('kargo-demo', state);
  api = await startApi({ backend, secrets });
  return `/webhooks/generic/${receiverToken('kargo-demo', 'my-receiver', 'generic-secret')}`;
}
afterEach(async () => {
  await api.close();
});

async function call(path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: { results?: Record<string, unknown>[]; refreshed?: string[] } }> {
  const res = await fetch(`${api.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as { results?: Record<string, unknown>[] } };
}
const refreshed = (): string[] => backend.calls.filter((c) => c.method === 'refreshWarehouse').map((c) => String(c.args[1]));

describe('generic receiver actions', () => {
  it('whenExpression on a header (case-insensitive) and a name from the body', async () => {
    const path = await withReceiver({
      actions: [{ action: 'Refresh', whenExpression: "request.header('X-Event-Type') == 'push'", targetSelectionCriteria: [{ kind: 'Warehouse', name: '${{ request.body.repository.name }}' }] }],
    });
    const res = await call(path, { repository: { name: 'my-warehouse' } }, { 'x-event-type': 'push' });
    expect(res).toEqual({
      status: 200,
      body: {
        receiver: 'my-receiver',
        project: 'kargo-demo',
        results: [
          expect.objectContaining({
            action: 'Refresh',
            matchedWhenExpression: true,
            selectedTargets: [{ namespace: 'kargo-demo', name: 'my-warehouse', kind: 'Warehouse', success: true }],
            result: 'Success',
            summary: 'Refreshed 1 of 1 selected resources',
          }),
        ],
      },
    });
    expect(refreshed()).toEqual(['my-warehouse']);

    const other = await call(path, { repository: { name: 'my-warehouse' }, n: 2 }, { 'x-event-type': 'tag' });
    expect(other).toMatchObject({ status: 200, body: { results: [{ matchedWhenExpression: false, result: 'NotApplicable', summary: 'Request did not match whenExpression' }] } });
    expect(refreshed()).toEqual(['my-warehouse']);
  });

  it('the same body with other headers is another call, not a replay; an exact replay is ignored', async () => {
    const path = await withReceiver({
      actions: [{ action: 'Refresh', targetSelectionCriteria: [{ kind: 'Warehouse', name: "${{ request.header('X-Target') }}" }] }],
    });
    expect((await call(path, {}, { 'x-target': 'api' })).body.results?.[0]).toMatchObject({ result: 'Success' });
    expect((await call(path, {}, { 'x-target': 'staging' })).body.results?.[0]).toMatchObject({ result: 'Success' });
    expect((await call(`${path}?again=1`, {}, { 'x-target': 'staging' })).body.results?.[0]).toMatchObject({ result: 'Success' });
    expect(await call(path, {}, { 'x-target': 'staging' })).toMatchObject({ status: 200, body: { duplicate: true } });
    expect(refreshed()).toEqual(['api', 'staging', 'staging']);
  });

  it('labels: matchLabels and matchExpressions (In), values may be expressions over params', async () => {
    const path = await withReceiver({
      actions: [
        {
          action: 'Refresh',
          parameters: { env: 'prod' },
          targetSelectionCriteria: [{ kind: 'Warehouse', labelSelector: { matchLabels: { environment: '${{ params.env }}' }, matchExpressions: [{ key: 'service', operator: 'In', values: ['ui', 'api'] }] } }],
        },
      ],
    });
    expect((await call(path, {})).body.results?.[0]).toMatchObject({ result: 'Success', summary: 'Refreshed 2 of 2 selected resources' });
    expect(refreshed()).toEqual(['api', 'my-warehouse']);
  });

  it('the subscribedURLs index with a normalized URL from the body; query params through request.params', async () => {
    const path = await withReceiver({
      actions: [
        {
          action: 'Refresh',
          whenExpression: "request.params('kind') == 'push'",
          targetSelectionCriteria: [{ kind: 'Warehouse', indexSelector: { matchIndices: [{ key: 'subscribedURLs', operator: 'Equals', value: '${{ normalizeGit(request.body.repository.url) }}' }] } }],
        },
      ],
    });
    const res = await call(`${path}?kind=push`, { repository: { url: 'https://GitHub.com/example/api.git/' } });
    expect(res.body.results?.[0]).toMatchObject({ result: 'Success', selectedTargets: [{ name: 'api' }] });
    expect(refreshed()).toEqual(['api']);
  });

  it('an expression error is the action\'s Error result and the call answers 500; other actions still run', async () => {
    const path = await withReceiver({
      actions: [
        { action: 'Refresh', whenExpression: 'request.body.count + 1', targetSelectionCriteria: [{ kind: 'Warehouse', name: 'api' }] },
        { action: 'Refresh', targetSelectionCriteria: [{ kind: 'Warehouse', name: '${{ request.body.count }}' }] },
        { action: 'Refresh', targetSelectionCriteria: [{ kind: 'Warehouse', name: 'staging' }] },
      ],
    });
    const res = await call(path, { count: 1 });
    expect(res.status).toBe(500);
    expect(res.body.results).toEqual([
      expect.objectContaining({ result: 'Error', summary: 'Error evaluating whenExpression', error: expect.stringContaining('expected bool') }),
      expect.objectContaining({ result: 'Error', summary: 'Error evaluating targetSelectionCriteria', error: expect.stringContaining('not a string') }),
      expect.objectContaining({ result: 'Success', selectedTargets: [expect.objectContaining({ name: 'staging' })] }),
    ]);
    expect(refreshed()).toEqual(['staging']);
  });

  it('Promotions are selected but not woken, and say why', async () => {
    const path = await withReceiver({ actions: [{ action: 'Refresh', targetSelectionCriteria: [{ kind: 'Promotion', name: '${{ request.body.promotion }}' }] }] });
    const res = await call(path, { promotion: 'prod.01j.abc' });
    expect(res).toMatchObject({
      status: 200,
      body: { results: [{ result: 'NotApplicable', selectedTargets: [{ name: 'prod.01j.abc', kind: 'Promotion', success: false, message: expect.stringContaining('poll') }] }] },
    });
    expect(refreshed()).toEqual([]);
  });

  it('a body that is not JSON is 400, as Kargo', async () => {
    const path = await withReceiver({ actions: [{ action: 'Refresh' }] });
    expect(await call(path, 'not json')).toMatchObject({ status: 400, body: { error: { code: 'BadRequest' } } });
  });

  it('without actions Shunt scans the warehouses subscribed to the URLs given (its own extension)', async () => {
    const path = await withReceiver({});
    expect(await call(path, { repoURL: 'https://github.com/example/api' })).toMatchObject({ status: 200, body: { refreshed: ['api'] } });
  });
});

/**
 * Issue 13, finding 9: 1,000 calls to made-up receiver paths each queried every project twice
 * (202 s, api reads delayed up to 14 s), and a valid GitHub delivery could be replayed at will.
 * Receivers now come from the api's index, deliveries are remembered, and each receiver is
 * rate-limited. Backend calls are counted on the hand-written fake backend.
 */
import { createHmac } from 'node:crypto';
import type { Warehouse } from '../../core/model.js';
import { DeliveryLog, deliveryKeys } from '../../api/webhooks/delivery-log.js';
import { noteApplied, WebhookReceiverIndex } from '../../api/webhooks/receiver-index.js';
import { receiverToken } from '../../api/webhooks/verify.js';
import { emptyProject, FakeBackend } from './fake-backend.js';
import { startApi, type RunningApi } from './support.js';

const REPO = 'https://github.com/acme/app.git';
const SECRETS: Record<string, Record<string, string>> = { gh: { secret: 'hmac-secret' }, hub: { secret: 'hub-secret' } };
const secrets = { forProject: () => ({ secret: async (name: string) => ({ ...(SECRETS[name] ?? {}) }) }) };

function projectWithReceivers(name: string, receivers: Array<{ name: string } & Record<string, unknown>>): ReturnType<typeof emptyProject> {
  const state = emptyProject(name);
  state.specs.config = { apiVersion: 'kargo.akuity.io/v1alpha1', kind: 'ProjectConfig', metadata: { name, namespace: name }, spec: { webhookReceivers: receivers } };
  state.specs.warehouses['config'] = {
    apiVersion: 'kargo.akuity.io/v1alpha1',
    kind: 'Warehouse',
    metadata: { name: 'config', namespace: name },
    spec: { subscriptions: [{ git: { repoURL: REPO, branch: 'main' } }] },
  } as Warehouse;
  return state;
}

let api: RunningApi;
let backend: FakeBackend;
const ghPath = `/webhooks/github/${receiverToken('proja', 'gh', SECRETS['gh']!['secret']!)}`;
const hubPath = `/webhooks/dockerhub/${receiverToken('proja', 'hub', SECRETS['hub']!['secret']!)}`;

/** The api's rate-limit clock (epoch ms), moved by the tests only. */
let clock = 0;

beforeEach(async () => {
  backend = new FakeBackend();
  backend.projects.set('proja', projectWithReceivers('proja', [
    { name: 'gh', github: { secretRef: { name: 'gh' } } },
    { name: 'hub', dockerhub: { secretRef: { name: 'hub' } } },
  ]));
  for (let i = 0; i < 20; i++) backend.projects.set(`other${i}`, emptyProject(`other${i}`));
  clock = Date.now();
  // The receivers' rate limit reads this clock: a slow machine does not refill it mid-test.
  api = await startApi({ backend, secrets, webhookOptions: { rateLimit: { now: () => clock } } });
});
afterEach(async () => {
  await api.close();
});

const push = JSON.stringify({ ref: 'refs/heads/main', repository: { clone_url: REPO } });
const sign = (raw: string): string => `sha256=${createHmac('sha256', 'hmac-secret').update(raw).digest('hex')}`;

async function call(path: string, raw: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const res = await fetch(`${api.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: raw });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}
const refreshes = (): number => backend.calls.filter((c) => c.method === 'refreshWarehouse').length;
const backendCalls = (): number => backend.calls.length;

describe('webhook receivers', () => {
  it('a flood of made-up receiver paths answers 404 from the index with no backend call', async () => {
    // The first call builds the index (getClusterConfig, listProjects and one getProject per project).
    expect((await call(`/webhooks/github/${'0'.repeat(64)}`, '{}')).status).toBe(404);
    const afterBuild = backendCalls();
    expect(afterBuild).toBe(1 + 1 + 21); // getClusterConfig, listProjects, getProject ×21
    for (let i = 0; i < 300; i++) {
      const res = await call(`/webhooks/${i % 2 ? 'github' : 'quay'}/${i.toString(16).padStart(64, 'f')}`, '{}');
      expect(res).toMatchObject({ status: 404, body: { error: { message: 'no webhook receiver at this path' } } });
    }
    expect(backendCalls()).toBe(afterBuild);
  });

  it('a replayed GitHub delivery is ignored: same delivery id, or the same signed body under a new id', async () => {
    const headers = { 'x-github-event': 'push', 'x-hub-signature-256': sign(push), 'x-github-delivery': 'd-1' };
    const first = await call(ghPath, push, headers);
    expect(first).toMatchObject({ status: 200, body: { receiver: 'gh', project: 'proja', refreshed: ['config'] } });
    expect(refreshes()).toBe(1);

    const replay = await call(ghPath, push, headers);
    expect(replay).toMatchObject({ status: 200, body: { duplicate: true, message: 'duplicate delivery, ignored', refreshed: [] } });
    const newId = await call(ghPath, push, { ...headers, 'x-github-delivery': 'd-2' });
    expect(newId.body).toMatchObject({ duplicate: true });
    expect(refreshes()).toBe(1);

    const other = JSON.stringify({ ref: 'refs/heads/main', repository: { clone_url: REPO }, after: 'abc' });
    const next = await call(ghPath, other, { 'x-github-event': 'push', 'x-hub-signature-256': sign(other), 'x-github-delivery': 'd-3' });
    expect(next).toMatchObject({ status: 200, body: { refreshed: ['config'] } });
    expect(refreshes()).toBe(2);
  });

  it('a call without a delivery id is known by its body; a delivery that failed here may be retried', async () => {
    const hub = JSON.stringify({ repository: { repo_name: 'ghcr.io/acme/app' }, push_data: { tag: '1.0.0' } });
    expect((await call(hubPath, hub)).body).toMatchObject({ refreshed: [] });
    expect((await call(hubPath, hub)).body).toMatchObject({ duplicate: true });

    backend.failWith = new Error('temporal is down');
    const body = JSON.stringify({ ref: 'refs/heads/main', repository: { clone_url: REPO }, after: 'def' });
    const headers = { 'x-github-event': 'push', 'x-hub-signature-256': sign(body), 'x-github-delivery': 'd-9' };
    expect((await call(ghPath, body, headers)).status).toBe(500);
    backend.failWith = undefined;
    expect(await call(ghPath, body, headers)).toMatchObject({ status: 200, body: { refreshed: ['config'] } });
  });

  it('rate-limits each receiver with 429 and Retry-After; other receivers are unaffected', async () => {
    const statuses: number[] = [];
    let limited: Awaited<ReturnType<typeof call>> | undefined;
    for (let i = 0; i < 31; i++) {
      const raw = JSON.stringify({ repository: { repo_name: 'ghcr.io/acme/app' }, push_data: { tag: `1.0.${i}` } });
      const res = await call(hubPath, raw);
      statuses.push(res.status);
      if (res.status === 429) limited = res;
    }
    expect(statuses.slice(0, 30).every((s) => s === 200)).toBe(true);
    expect(statuses[30]).toBe(429);
    expect(limited?.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(limited?.body).toMatchObject({ error: { message: expect.stringContaining('webhook receiver "hub": too many calls') } });
    const other = await call(ghPath, push, { 'x-github-event': 'push', 'x-hub-signature-256': sign(push) });
    expect(other.status).toBe(200);
    // Once Retry-After has passed, the receiver takes a call again.
    clock += Number(limited?.headers.get('retry-after')) * 1000;
    const again = JSON.stringify({ repository: { repo_name: 'ghcr.io/acme/app' }, push_data: { tag: '2.0.0' } });
    expect((await call(hubPath, again)).status).toBe(200);
  });

  it('an unauthenticated call to a known receiver does not reach the backend', async () => {
    await call(ghPath, push, { 'x-github-event': 'push', 'x-hub-signature-256': sign(push) });
    const before = backendCalls();
    for (let i = 0; i < 10; i++) expect((await call(ghPath, push, { 'x-github-event': 'push', 'x-hub-signature-256': 'sha256=00' })).status).toBe(401);
    expect(backendCalls()).toBe(before);
  });

  it('a receiver added by an apply through this api answers at once', async () => {
    expect((await call(`/webhooks/github/${'0'.repeat(64)}`, '{}')).status).toBe(404);
    backend.projects.set('projb', projectWithReceivers('projb', [{ name: 'gh', github: { secretRef: { name: 'gh' } } }]));
    // What the apply route does after a successful apply (the fake backend cannot apply a ProjectConfig).
    await noteApplied(backend, { results: [{ project: 'projb', kind: 'ProjectConfig', name: 'projb', action: 'created' }], hints: [], dryRun: false });
    const path = `/webhooks/github/${receiverToken('projb', 'gh', SECRETS['gh']!['secret']!)}`;
    expect(await call(path, push, { 'x-github-event': 'push', 'x-hub-signature-256': sign(push) })).toMatchObject({ status: 200, body: { project: 'projb', refreshed: ['config'] } });
  });
});

describe('the receiver index and the delivery log', () => {
  it('rebuilds when older than its max age, once, in the background (a receiver applied through another api)', async () => {
    let now = 0;
    const index = new WebhookReceiverIndex(backend, secrets, { maxAgeMs: 30_000, now: () => now });
    const token = receiverToken('projb', 'gh', SECRETS['gh']!['secret']!);
    expect(await index.lookup('github', token)).toBeUndefined();
    backend.projects.set('projb', projectWithReceivers('projb', [{ name: 'gh', github: { secretRef: { name: 'gh' } } }]));
    now = 29_000;
    expect(await index.lookup('github', token)).toBeUndefined();
    const calls = backendCalls();
    now = 31_000;
    await Promise.all([index.lookup('github', token), index.lookup('github', token)]);
    await index.rebuild(); // joins the rebuild the stale lookups started
    expect(backend.calls.slice(calls).filter((c) => c.method === 'listProjects')).toHaveLength(1);
    expect(await index.lookup('github', token)).toMatchObject({ project: 'projb', receiver: { name: 'gh' } });
  });

  it('forgets deliveries after the TTL and keeps at most its bound', () => {
    let now = 0;
    const log = new DeliveryLog({ ttlMs: 1000, max: 3, now: () => now });
    log.record(['a']);
    now = 1000;
    expect(log.has(['a'])).toBe(true);
    now = 1001;
    expect(log.has(['a'])).toBe(false);
    for (const k of ['b', 'c', 'd', 'e']) log.record([k]);
    expect(['b', 'c', 'd', 'e'].map((k) => log.has([k]))).toEqual([false, true, true, true]);
  });

  it('keys a delivery by its id header and its body', () => {
    const header = (name: string): string | undefined => ({ 'x-github-delivery': 'g-1', 'x-gitlab-event-uuid': 'l-1' })[name];
    const raw = Buffer.from('{}');
    expect(deliveryKeys('p/r', 'github', header, raw)).toEqual([expect.stringMatching(/^p\/r body [0-9a-f]{64}$/), 'p/r id g-1']);
    expect(deliveryKeys('p/r', 'gitlab', header, raw)[1]).toBe('p/r id l-1');
    expect(deliveryKeys('p/r', 'quay', header, raw)).toHaveLength(1);
  });
});

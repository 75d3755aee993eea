/**
 * Issue 13, finding 10: with access control off (the loopback default), a form POST from any
 * page the operator opened approved a waiting production promotion. Unsafe requests now need a
 * JSON body and, when they carry one, an Origin that is the api's own; the Host header must
 * name the api (DNS rebinding). Webhook receivers are exempt by their route only.
 */
import { request as httpRequest } from 'node:http';
import { ShuntClient } from '../../cli/client.js';
import { request, startApi, type RunningApi, demoBackend } from './support.js';

let api: RunningApi;
let promotion: string;

beforeEach(async () => {
  api = await startApi({ backend: demoBackend(), allowedHosts: ['shunt.example.com'] });
  // A prod promotion waiting for its approval gate.
  const backend = api.backend;
  const state = backend.projects.get('demo')!;
  promotion = 'prod.000001.aaaaaaa';
  const done = state.promotions[0]!;
  state.promotions.push({
    ...structuredClone(done),
    name: promotion,
    stage: 'prod',
    phase: 'Running',
    waitingForApproval: { gate: 'stage', since: done.createdAt, approverNotRequester: false },
  });
});
afterEach(() => api.close());

/** A request with exactly these headers (fetch would not let a test set Host). */
function raw(method: string, path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; body: any }> {
  const url = new URL(api.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, method, path, headers: { ...headers, ...(body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) }) } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text === '' ? undefined : JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const approvePath = () => `/api/v1/projects/demo/promotions/${promotion}/approve`;
const approvals = () => api.backend.calls.filter((c) => c.method === 'approvePromotion');
const host = () => new URL(api.url).host;

describe('cross-site requests in open mode', () => {
  it.each([
    ['a form post', 'application/x-www-form-urlencoded', 'x=1'],
    ['a multipart form post', 'multipart/form-data; boundary=b', '--b--\r\n'],
    ['a text/plain post (fetch with no-cors)', 'text/plain', '{}'],
  ])('refuses %s with 415 and approves nothing', async (_what, type, body) => {
    const res = await raw('POST', approvePath(), { host: host(), 'content-type': type }, body);
    expect(res.status).toBe(415);
    expect(res.body.error.message).toBe(`POST needs a JSON body with Content-Type: application/json (got ${type})`);
    expect(approvals()).toEqual([]);
  });

  it('refuses a POST with no body at all (a simple request, no preflight)', async () => {
    const res = await raw('POST', approvePath(), { host: host() });
    expect(res.status).toBe(415);
    expect(approvals()).toEqual([]);
  });

  it.each(['https://evil.example', 'null', `http://127.0.0.1:1`, 'http://localhost.evil.example'])('refuses JSON from the Origin %s with 403', async (origin) => {
    const res = await raw('POST', approvePath(), { host: host(), origin, 'content-type': 'application/json' }, '{}');
    expect(res.status).toBe(403);
    expect(res.body.error.message).toBe(`cross-site request refused: its Origin ${origin} is not this api (${host()})`);
    expect(approvals()).toEqual([]);
  });

  it('accepts JSON from its own page (Origin = the api) and from tools that send no Origin', async () => {
    expect((await raw('POST', approvePath(), { host: host(), origin: api.url, 'content-type': 'application/json' }, '{}')).status).toBe(200);
    expect((await request(api, 'POST', '/api/v1/projects/demo/promotions', { body: { stage: 'dev', freight: 'brave-fox' } })).status).toBe(201);
  });

  it('accepts a DELETE without a body (no page can send one cross-site), but not with a form body', async () => {
    expect((await raw('DELETE', '/api/v1/projects/demo/stages/prod', { host: host(), 'content-type': 'text/plain' }, 'x')).status).toBe(415);
    expect((await raw('DELETE', '/api/v1/projects/demo/stages/prod', { host: host() })).status).toBe(200);
  });
});

describe('the Host header (DNS rebinding)', () => {
  it.each(['evil.example', 'evil.example:8080', 'shunt.example.com.evil.example', 'user@127.0.0.1'])('refuses %j with 403, reads included', async (name) => {
    const res = await raw('GET', '/api/v1/projects/demo/freight', { host: name });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toMatch(/does not name this api; if the api is reached by that name, add it to SHUNT_ALLOWED_HOSTS/);
  });

  it.each(['127.0.0.1:8080', '[::1]:8080', 'localhost:8080', 'app.localhost', 'shunt.example.com', 'SHUNT.example.com:443', '10.1.2.3'])('accepts %s', async (name) => {
    expect((await raw('GET', '/api/v1/projects/demo/freight', { host: name })).status).toBe(200);
  });

  it('lets a page served under an allowed name post to it', async () => {
    const res = await raw('POST', approvePath(), { host: 'shunt.example.com', origin: 'https://shunt.example.com', 'content-type': 'application/json' }, '{}');
    expect(res.status).toBe(200);
  });
});

describe('what still works', () => {
  it('the CLI: JSON bodies, no Origin', async () => {
    const client = new ShuntClient({ server: api.url });
    await expect(client.promotionAction('demo', promotion, 'approve')).resolves.toMatchObject({ metadata: { name: promotion } });
    await expect(client.deleteResource('demo', 'stages', 'prod')).resolves.toBeDefined();
  });

  it('webhook receivers, by their route only: a provider\'s call from another site reaches the receiver', async () => {
    const res = await raw('POST', '/webhooks/github/unknown-token', { host: 'hooks.example.net', origin: 'https://github.com', 'content-type': 'application/x-www-form-urlencoded' }, 'payload=1');
    // The receiver itself answered (no receiver at this path), not the guard.
    expect(res.status).toBe(404);
    expect(res.body.error.message).toBe('no webhook receiver at this path');
  });
});

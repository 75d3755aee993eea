import { afterEach, describe, expect, it } from '@jest/globals';
import { request, startApi, type RunningApi } from './support.js';

describe('GET /healthz', () => {
  let api: RunningApi;
  afterEach(async () => api.close());

  it('answers 200 ok when temporal and a worker are up', async () => {
    api = await startApi();
    const res = await request(api, 'GET', '/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('answers 503 with the reason when no worker polls', async () => {
    api = await startApi();
    api.backend.healthStatus = { temporal: true, worker: false };
    const res = await request(api, 'GET', '/healthz');
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ status: 'unavailable', reason: 'no worker is polling the task queue' });
  });

  it('answers 503 with the backend message when temporal is down', async () => {
    api = await startApi();
    api.backend.healthStatus = { temporal: false, worker: false, message: 'cannot connect to 127.0.0.1:7233' };
    const res = await request(api, 'GET', '/healthz');
    expect(res.status).toBe(503);
    expect(res.body.reason).toBe('cannot connect to 127.0.0.1:7233');
  });

  it('answers 503 when the health check itself throws', async () => {
    api = await startApi();
    api.backend.failWith = new Error('boom');
    const res = await request(api, 'GET', '/healthz');
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ status: 'unavailable', reason: 'health check failed: boom' });
  });
});

describe('request ids and logs', () => {
  let api: RunningApi;
  afterEach(async () => api.close());

  it('echoes the caller x-request-id and logs under it', async () => {
    api = await startApi();
    const res = await request(api, 'GET', '/healthz', { headers: { 'x-request-id': 'req-123' } });
    expect(res.headers.get('x-request-id')).toBe('req-123');
    expect(api.logs).toContainEqual(
      expect.objectContaining({ requestId: 'req-123', msg: 'request completed', status: 200, path: '/healthz' }),
    );
  });

  it('logs the full path of api routes, without the query', async () => {
    api = await startApi();
    await request(api, 'GET', '/api/v1/projects?x=1', { headers: { 'x-request-id': 'req-9' } });
    expect(api.logs).toContainEqual(expect.objectContaining({ requestId: 'req-9', path: '/api/v1/projects', status: 200 }));
  });

  it('generates a request id when none (or a malformed one) is given', async () => {
    api = await startApi();
    const plain = await request(api, 'GET', '/healthz');
    const odd = await request(api, 'GET', '/healthz', { headers: { 'x-request-id': 'bad id with spaces' } });
    expect(plain.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(odd.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('never logs the authorization header', async () => {
    api = await startApi();
    api.backend.failWith = new Error('unexpected');
    await request(api, 'GET', '/api/v1/projects', { headers: { authorization: 'Bearer s3cret' } });
    expect(JSON.stringify(api.logs)).not.toContain('s3cret');
  });
});

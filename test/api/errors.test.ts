import { afterEach, describe, expect, it } from '@jest/globals';
import { DomainError, type ErrorCode } from '../../core/errors.js';
import { HTTP_STATUS_BY_CODE, toHttpError } from '../../api/http-errors.js';
import { DEFAULT_MAX_BODY_BYTES } from '../../api/body-limits.js';
import { demoBackend, request, startApi, type RunningApi } from './support.js';

describe('toHttpError', () => {
  it.each<[ErrorCode, number]>([
    ['InvalidManifest', 400],
    ['BadRequest', 400],
    ['InvalidExpression', 400],
    ['InvalidStepConfig', 400],
    ['PathEscape', 400],
    ['BudgetExceeded', 400],
    ['PayloadTooLarge', 413],
    ['NotFound', 404],
    ['Conflict', 409],
    ['FailedPrecondition', 409],
    ['Unavailable', 503],
    ['StepFailed', 500],
    ['Internal', 500],
  ])('maps %s to %i', (code, status) => {
    const mapped = toHttpError(new DomainError(code, 'why', ['detail']));
    expect(mapped.status).toBe(status);
    expect(HTTP_STATUS_BY_CODE[code]).toBe(status);
    expect(mapped.body).toEqual({ error: { code, message: 'why', details: ['detail'] } });
  });

  it('finds an ApplicationFailure type anywhere on the cause chain', () => {
    const failure = Object.assign(new Error('freight is not available'), {
      name: 'ApplicationFailure',
      type: 'FailedPrecondition',
      details: [],
    });
    const wrapped = Object.assign(new Error('workflow update failed'), { name: 'WorkflowUpdateFailedError', cause: failure });
    expect(toHttpError(wrapped)).toMatchObject({
      status: 409,
      body: { error: { code: 'FailedPrecondition', message: 'freight is not available' } },
    });
  });

  it('hides the message of anything that is not a domain error', () => {
    const mapped = toHttpError(new TypeError('cannot read x of undefined'));
    expect(mapped).toEqual({
      status: 500,
      unexpected: true,
      body: { error: { code: 'Internal', message: 'internal error; see the api logs for details', details: [] } },
    });
  });
});

describe('error responses', () => {
  let api: RunningApi;
  afterEach(async () => api.close());

  it('answers bad JSON with 400 and a clear message', async () => {
    api = await startApi({ backend: demoBackend() });
    const res = await request(api, 'POST', '/api/v1/apply', { rawBody: '{"files": [' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('BadRequest');
    expect(res.body.error.message).toMatch(/^request body is not valid JSON: /);
    expect(res.body.error.details).toEqual([]);
  });

  it('answers a body over the limit with 413, naming the limit and its setting', async () => {
    api = await startApi({ backend: demoBackend() });
    const big = JSON.stringify({ files: [{ name: 'a.yaml', content: 'x'.repeat(DEFAULT_MAX_BODY_BYTES) }] });
    const res = await request(api, 'POST', '/api/v1/apply', { rawBody: big });
    expect(res.status).toBe(413);
    expect(res.body.error.message).toBe(`request body of ${big.length} bytes is larger than the limit of ${DEFAULT_MAX_BODY_BYTES} bytes (SHUNT_MAX_BODY_BYTES)`);
  });

  it('answers an unknown route with 404 JSON', async () => {
    api = await startApi();
    const res = await request(api, 'GET', '/api/v1/nope');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: { code: 'NotFound', message: 'no route for GET /api/v1/nope', details: [] } });
  });

  it('answers an unexpected error with a generic 500 and logs it', async () => {
    api = await startApi({ backend: demoBackend() });
    api.backend.failWith = new Error('database on fire');
    const res = await request(api, 'GET', '/api/v1/projects');
    expect(res.status).toBe(500);
    expect(res.body.error).toEqual({ code: 'Internal', message: 'internal error; see the api logs for details', details: [] });
    expect(JSON.stringify(res.body)).not.toContain('database on fire');
    expect(api.logs).toContainEqual(
      expect.objectContaining({ level: 50, msg: 'request failed', err: expect.objectContaining({ message: 'database on fire' }) }),
    );
  });

  it('answers Unavailable with 503', async () => {
    api = await startApi({ backend: demoBackend() });
    api.backend.failWith = new DomainError('Unavailable', 'temporal is not reachable');
    const res = await request(api, 'GET', '/api/v1/projects/demo/stages');
    expect(res.status).toBe(503);
    expect(res.body.error).toEqual({ code: 'Unavailable', message: 'temporal is not reachable', details: [] });
  });
});

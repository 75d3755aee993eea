import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { demoBackend, FREIGHT_A, request, startApi, type RunningApi } from './support.js';

describe('POST /api/v1/projects/:project/promotions', () => {
  let api: RunningApi;
  beforeEach(async () => {
    api = await startApi({ backend: demoBackend() });
  });
  afterEach(async () => api.close());

  it('queues the promotion and answers 201 with the Promotion', async () => {
    const res = await request(api, 'POST', '/api/v1/projects/demo/promotions', {
      body: { stage: 'staging', freight: 'tidy-otter' },
      headers: { 'x-shunt-actor': 'carol' },
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe('/api/v1/projects/demo/promotions/staging.000002.aaaaaaa');
    expect(res.body).toMatchObject({
      kind: 'Promotion',
      metadata: {
        name: 'staging.000002.aaaaaaa',
        namespace: 'demo',
        annotations: { 'kargo.akuity.io/create-actor': 'carol' },
      },
      spec: { stage: 'staging', freight: FREIGHT_A },
      status: { phase: 'Pending', currentStep: 0, stepExecutionMetadata: [], workflowId: `promotion:demo:staging:${FREIGHT_A}` },
    });
    expect(res.body.status.temporalUiUrl).toBeUndefined();
    expect(api.backend.calls.at(-1)).toEqual({
      method: 'promote',
      args: ['demo', { stage: 'staging', freight: 'tidy-otter', actor: 'carol' }],
    });
  });

  it('answers 409 with the reason when the freight is not available to the stage', async () => {
    const res = await request(api, 'POST', '/api/v1/projects/demo/promotions', {
      body: { stage: 'prod', freight: 'tidy-otter' },
    });
    expect(res.status).toBe(409);
    expect(res.body.error).toEqual({
      code: 'FailedPrecondition',
      message: 'freight tidy-otter is not available to stage "prod": it must first be verified in its upstream stage (not verified in "staging"), or approved for "prod"',
      details: [],
    });
  });

  it.each([
    [{ freight: 'tidy-otter' }, 'invalid promotion request: stage: required'],
    [{ stage: 'staging' }, 'invalid promotion request: freight: required'],
    [{ stage: '  ', freight: 'tidy-otter' }, 'invalid promotion request: stage: must not be empty'],
    [{ stage: 7, freight: 'tidy-otter' }, 'invalid promotion request: stage: stage must be a string'],
    ['staging', 'invalid promotion request: Invalid input: expected object, received string'],
  ])('answers 400 for the body %j', async (body, message) => {
    const res = await request(api, 'POST', '/api/v1/projects/demo/promotions', { body });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('BadRequest');
    expect(res.body.error.message).toBe(message);
    expect(api.backend.calls).toEqual([]);
  });

  it('answers 404 for an unknown project, stage or freight', async () => {
    const project = await request(api, 'POST', '/api/v1/projects/nope/promotions', { body: { stage: 'dev', freight: 'x' } });
    const stage = await request(api, 'POST', '/api/v1/projects/demo/promotions', { body: { stage: 'qa', freight: 'tidy-otter' } });
    const freight = await request(api, 'POST', '/api/v1/projects/demo/promotions', { body: { stage: 'dev', freight: 'lazy-cat' } });
    expect([project.status, stage.status, freight.status]).toEqual([404, 404, 404]);
    expect(project.body.error.message).toBe('project "nope" not found');
    expect(stage.body.error.message).toBe('stage "qa" not found in project "demo"');
    expect(freight.body.error.message).toBe('freight "lazy-cat" not found in project "demo"');
  });
});

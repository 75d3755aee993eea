import { afterEach, describe, expect, it } from '@jest/globals';
import { aProject, yamlOf } from '../support/manifests.js';
import { demoBackend, request, startApi, type RunningApi } from './support.js';

const PROJECT = yamlOf(aProject('shop'));
// YAML text on purpose: the old field spelling `semverConstraint` (which the builder's types refuse) gets a hint.
const WAREHOUSE = `apiVersion: kargo.akuity.io/v1alpha1
kind: Warehouse
metadata:
  name: app
  namespace: shop
spec:
  subscriptions:
    - image:
        repoURL: ghcr.io/acme/app
        semverConstraint: ^1.0.0
`;

describe('POST /api/v1/apply', () => {
  let api: RunningApi;
  afterEach(async () => api.close());

  it('applies the files and answers each result', async () => {
    api = await startApi();
    const res = await request(api, 'POST', '/api/v1/apply', {
      body: { files: [{ name: 'project.yaml', content: PROJECT }, { name: 'warehouse.yaml', content: WAREHOUSE }] },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      results: [
        { kind: 'Project', name: 'shop', action: 'created' },
        { project: 'shop', kind: 'Warehouse', name: 'app', action: 'created' },
      ],
      hints: ['warehouse.yaml: warehouse app: image subscription field "semverConstraint" is now "constraint"'],
      dryRun: false,
    });
    expect(api.backend.projects.has('shop')).toBe(true);
  });

  it('passes dryRun and the actor to the backend, and changes nothing on a dry run', async () => {
    api = await startApi();
    const res = await request(api, 'POST', '/api/v1/apply', {
      body: { files: [{ name: 'project.yaml', content: PROJECT }], dryRun: true },
      headers: { 'x-shunt-actor': 'alice' },
    });
    expect(res.status).toBe(200);
    expect(res.body.dryRun).toBe(true);
    expect(api.backend.projects.has('shop')).toBe(false);
    expect(api.backend.calls[0]).toEqual({
      method: 'apply',
      args: [[{ name: 'project.yaml', content: PROJECT }], { dryRun: true, actor: 'alice' }],
    });
  });

  it('uses the anonymous actor when none is given', async () => {
    api = await startApi();
    await request(api, 'POST', '/api/v1/apply', { body: { files: [{ name: 'p.yaml', content: PROJECT }] } });
    expect(api.backend.calls[0]?.args[1]).toEqual({ dryRun: false, actor: 'anonymous' });
  });

  it.each([
    [{}, 'invalid apply request: files: required', ['files: required']],
    [{ files: [] }, 'invalid apply request: files: at least one file is required', ['files: at least one file is required']],
    [{ files: 'x.yaml' }, 'invalid apply request: files: must be an array of {name, content}', ['files: must be an array of {name, content}']],
    [
      { files: [{ name: 'a.yaml' }] },
      'invalid apply request: files[0].content: required',
      ['files[0].content: required'],
    ],
    [
      { files: [{ name: 'a.yaml', content: 'x' }], dryRun: 'yes' },
      'invalid apply request: dryRun: must be true or false',
      ['dryRun: must be true or false'],
    ],
    [[1, 2], expect.stringMatching(/^invalid apply request: /), expect.any(Array)],
  ])('answers 400 for the body %j', async (body, message, details) => {
    api = await startApi();
    const res = await request(api, 'POST', '/api/v1/apply', { body });
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual({ code: 'BadRequest', message, details });
    expect(api.backend.calls).toEqual([]);
  });

  it('answers 415 when the body is not JSON at all, and applies nothing', async () => {
    api = await startApi();
    const res = await request(api, 'POST', '/api/v1/apply', {
      rawBody: 'files: []',
      headers: { 'content-type': 'text/yaml' },
    });
    expect(res.status).toBe(415);
    expect(res.body.error.message).toBe('POST needs a JSON body with Content-Type: application/json (got text/yaml)');
    expect(api.backend.calls).toEqual([]);
  });

  it('answers an invalid manifest with 400 InvalidManifest and each problem, before anything is applied', async () => {
    api = await startApi({ backend: demoBackend() });
    const res = await request(api, 'POST', '/api/v1/apply', {
      // YAML text on purpose: a document of an unknown kind.
      body: { files: [{ name: 'bad.yaml', content: 'kind: Gadget\nmetadata: {name: x}\n' }] },
    });
    expect(res.status).toBe(400);
    const problem = 'bad.yaml: document 1 (Gadget x): kind: unknown kind Gadget; expected one of Project, ProjectConfig, Warehouse, Stage, PromotionTask, ClusterPromotionTask, ClusterConfig, Freight, AnalysisTemplate, ClusterAnalysisTemplate';
    expect(res.body.error).toEqual({ code: 'InvalidManifest', message: problem, details: [problem] });
    expect(api.backend.calls).toEqual([]);
  });

  it('answers 400 when the files hold no manifest at all', async () => {
    api = await startApi({ backend: demoBackend() });
    const res = await request(api, 'POST', '/api/v1/apply', { body: { files: [{ name: 'empty.yaml', content: '# nothing\n' }] } });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'BadRequest', message: 'no manifests found in the files given' });
  });
});

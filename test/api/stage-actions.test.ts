/**
 * The approval, retry and abort routes and their CLI commands, against the fake backend (which
 * applies the same core rules as the project workflow). Each refusal is listed with its status,
 * code and message.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { demoBackend, FREIGHT_A, request, startApi, type RunningApi } from './support.js';
import { shunt as runShunt, type CliResult } from '../support/cli.js';

const shunt = (api: RunningApi, argv: string[], actor?: string): Promise<CliResult> => runShunt(argv, { server: api.url, ...(actor ? { actor } : {}) });

describe('stage actions', () => {
  let api: RunningApi;
  beforeEach(async () => {
    api = await startApi({ backend: demoBackend() });
  });
  afterEach(async () => api.close());

  describe('POST /projects/:p/freight/:f/approve', () => {
    it('approves freight for a stage and answers who and when', async () => {
      const res = await request(api, 'POST', '/api/v1/projects/demo/freight/brave-fox/approve', {
        body: { stage: 'prod' },
        headers: { 'x-shunt-actor': 'alice' },
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ alias: 'brave-fox', stage: 'prod', approvedBy: 'alice', alreadyApproved: false });
      const freight = await request(api, 'GET', '/api/v1/projects/demo/freight/brave-fox');
      expect(freight.body.status.approvedFor.prod).toMatchObject({ approvedBy: 'alice' });
    });

    it.each([
      ['unknown freight', '/api/v1/projects/demo/freight/lazy-cat/approve', { stage: 'prod' }, 404, 'NotFound', 'freight "lazy-cat" not found in project "demo"'],
      ['an unknown stage', '/api/v1/projects/demo/freight/brave-fox/approve', { stage: 'qa' }, 404, 'NotFound', 'stage "qa" not found in project "demo"'],
      ['no stage', '/api/v1/projects/demo/freight/brave-fox/approve', {}, 400, 'BadRequest', 'invalid approval request: stage: required'],
      ['an unknown project', '/api/v1/projects/nope/freight/brave-fox/approve', { stage: 'prod' }, 404, 'NotFound', 'project "nope" not found'],
    ])('refuses %s', async (_, path, body, status, code, message) => {
      const res = await request(api, 'POST', path, { body });
      expect(res.status).toBe(status);
      expect(res.body.error).toMatchObject({ code, message });
    });

    it('is `shunt approve --freight F --stage S`', async () => {
      const out = await shunt(api, ['approve', '--project', 'demo', '--freight', 'brave-fox', '--stage', 'prod'], 'alice');
      expect(out).toEqual({ code: 0, stdout: 'freight brave-fox approved for stage prod by alice\n', stderr: '' });
      const again = await shunt(api, ['approve', '--project', 'demo', '--freight', 'brave-fox', '--stage', 'prod'], 'bob');
      expect(again.stdout).toMatch(/^freight brave-fox was already approved for stage prod by alice at /);
      const bad = await shunt(api, ['approve', '--project', 'demo', '--freight', 'brave-fox']);
      expect(bad).toMatchObject({ code: 1, stderr: 'error: approve needs --freight and --stage (or `approve promotion NAME`)\n' });
    });
  });

  describe('promotion actions', () => {
    it('approves a waiting promotion, refusing the requester where the rule says so', async () => {
      const state = api.backend.projects.get('demo')!;
      const p = state.promotions[0]!;
      Object.assign(p, { phase: 'Running', waitingForApproval: { gate: 'stage', since: p.createdAt, approverNotRequester: true } });

      const own = await request(api, 'POST', `/api/v1/projects/demo/promotions/${p.name}/approve`, { body: {}, headers: { 'x-shunt-actor': 'alice' } });
      expect(own.status).toBe(409);
      expect(own.body.error.message).toBe('"alice" asked for this promotion and so cannot approve it: another person must');

      const out = await shunt(api, ['approve', 'promotion', p.name, '--project', 'demo'], 'bob');
      expect(out).toEqual({ code: 0, stdout: `promotion ${p.name} approved by bob (stage)\n`, stderr: '' });

      const again = await shunt(api, ['approve', 'promotion', p.name, '--project', 'demo'], 'bob');
      expect(again).toMatchObject({ code: 1, stderr: `error: promotion ${p.name} is not waiting for approval (it is running)\n` });
    });

    it('retries a failed promotion and refuses to retry a succeeded one', async () => {
      const done = await shunt(api, ['retry', 'promotion', 'dev.000001.aaaaaaa', '--project', 'demo']);
      expect(done).toMatchObject({
        code: 1,
        stderr: 'error: promotion dev.000001.aaaaaaa succeeded; only failed, errored or aborted promotions can be retried\n',
      });
      api.backend.projects.get('demo')!.promotions[0]!.phase = 'Failed';

      const res = await request(api, 'POST', '/api/v1/projects/demo/promotions/dev.000001.aaaaaaa/retry', { body: {}, headers: { 'x-shunt-actor': 'erin' } });

      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ spec: { stage: 'dev', freight: FREIGHT_A }, status: { phase: 'Pending', retryOf: 'dev.000001.aaaaaaa' } });
      const out = await shunt(api, ['retry', 'promotion', 'dev.000001.aaaaaaa', '--project', 'demo']);
      expect(out.stdout).toMatch(/^promotion dev\.\d+\.aaaaaaa created \(retry of dev\.000001\.aaaaaaa\)\n$/);
    });

    it('aborts a pending promotion and refuses to abort a finished one', async () => {
      const queued = await request(api, 'POST', '/api/v1/projects/demo/promotions', { body: { stage: 'dev', freight: 'brave-fox' } });
      const name = queued.body.metadata.name as string;

      const out = await shunt(api, ['abort', 'promotion', name, '--project', 'demo'], 'carol');

      expect(out).toEqual({ code: 0, stdout: `promotion ${name} aborted\n`, stderr: '' });
      const finished = await request(api, 'POST', `/api/v1/projects/demo/promotions/${name}/abort`, { body: {} });
      expect(finished.status).toBe(409);
      expect(finished.body.error).toMatchObject({
        code: 'FailedPrecondition',
        message: `promotion ${name} has already finished (Aborted); only pending or running promotions can be aborted`,
      });
      const missing = await request(api, 'POST', '/api/v1/projects/demo/promotions/dev.nope/abort', { body: {} });
      expect(missing.status).toBe(404);
      expect(missing.body.error.message).toBe('promotion "dev.nope" not found in project "demo"');
    });
  });
});

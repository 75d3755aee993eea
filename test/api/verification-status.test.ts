/**
 * A verification failure's cause, from the project's state through the api to the CLI: the
 * stage's Kargo `Verified` condition carries it, the freight's `lastVerificationIn` names it per
 * stage, and `shunt get stages` prints it.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { VerificationRecord } from '../../core/project/state.js';
import { FakeBackend } from './fake-backend.js';
import { demoState, FREIGHT_A, request, startApi, type RunningApi } from './support.js';
import { shunt as runShunt, type CliResult } from '../support/cli.js';

const CAUSE =
  'metric "smoke" (provider job) needs Argo Rollouts, and Argo Rollouts is not installed in the cluster (its API server has no AnalysisRun resource in argoproj.io/v1alpha1): install Argo Rollouts there, or measure with the web or prometheus provider, which Shunt runs itself';

const failed: VerificationRecord = {
  id: 'dev.01j0000000000000000000000.ccccccc',
  stage: 'dev',
  collection: 'c'.repeat(40),
  freight: [FREIGHT_A],
  phase: 'Error',
  message: CAUSE,
  startTime: '2026-01-01T00:10:05.000Z',
  finishTime: '2026-01-01T00:10:06.000Z',
  workflowId: 'verification:demo:dev.01j0000000000000000000000.ccccccc',
};

/** The demo project, its dev stage's verification having ended in Error (the freight is not verified there). */
function failedVerificationBackend(): FakeBackend {
  const state = demoState();
  state.freight[FREIGHT_A]!.verifiedIn = {};
  state.stages['dev']!.freightHistory[0]!.verificationHistory = [failed];
  const backend = new FakeBackend();
  backend.projects.set('demo', state);
  return backend;
}

const shunt = (api: RunningApi, argv: string[]): Promise<CliResult> => runShunt(argv, { server: api.url, now: () => new Date('2026-01-01T01:00:00.000Z') });

describe('a failed verification’s cause', () => {
  let api: RunningApi;
  beforeEach(async () => {
    api = await startApi({ backend: failedVerificationBackend() });
  });
  afterEach(async () => api.close());

  it('is the stage’s Verified condition (False, VerificationError) and stays in its verificationHistory', async () => {
    const res = await request(api, 'GET', '/api/v1/projects/demo/stages/dev');
    expect(res.status).toBe(200);
    expect(res.body.status.conditions).toEqual([
      { type: 'Verified', status: 'False', reason: 'VerificationError', message: CAUSE, lastTransitionTime: '2026-01-01T00:10:06.000Z' },
    ]);
    expect(res.body.status.freightHistory[0].verificationHistory).toEqual([failed]);
  });

  it('is in the freight’s status, by stage, on get and list', async () => {
    const one = await request(api, 'GET', `/api/v1/projects/demo/freight/${FREIGHT_A}`);
    const list = await request(api, 'GET', '/api/v1/projects/demo/freight');
    const expected = { dev: { id: failed.id, phase: 'Error', message: CAUSE, startTime: failed.startTime, finishTime: failed.finishTime } };
    expect(one.body.status.lastVerificationIn).toEqual(expected);
    expect(list.body.items.find((f: { metadata: { name: string } }) => f.metadata.name === FREIGHT_A).status.lastVerificationIn).toEqual(expected);
    expect(one.body.status.verifiedIn).toEqual({});
  });

  it('is printed by `shunt get stage`', async () => {
    const result = await shunt(api, ['get', 'stage', 'dev', '--project', 'demo']);
    expect(result).toEqual({
      code: 0,
      stdout: [
        'NAME   CURRENT-FREIGHT                            LAST-PROMOTION       PHASE       VERIFICATION        MESSAGE',
        `dev    ${FREIGHT_A}   dev.000001.aaaaaaa   Succeeded   VerificationError   ${CAUSE}`,
        '',
      ].join('\n'),
      stderr: '',
    });
  });
});

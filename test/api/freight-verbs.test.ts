/**
 * Kargo's verbs over the api and the CLI, with access control on: promote downstream
 * (`shunt promote --downstream-from`), delete freight, change a freight's alias
 * (`shunt update freight --alias`), refresh a stage. For each: who may (and the 403 of who may
 * not), 404 for what does not exist, Kargo's refusals (409/400), and the audit entry.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { enforcedAccess } from '../../api/auth/index.js';
import type { AuditEvent } from '../../core/audit/event.js';
import { authConfig, bearer, TOKENS } from './auth-fixtures.js';
import { demoBackend, demoStage, FREIGHT_A, FREIGHT_B, request, startApi, type RunningApi } from './support.js';
import { shunt as runShunt, type CliResult } from '../support/cli.js';

let api: RunningApi;

beforeEach(async () => {
  const backend = demoBackend();
  // A second stage downstream of dev, so that a downstream promotion fans out.
  backend.projects.get('demo')!.specs.stages['qa'] = demoStage('demo', 'qa', { stages: ['dev'] });
  backend.projects.get('demo')!.stages['qa'] = { freightHistory: [], queue: [] };
  api = await startApi({ backend, access: enforcedAccess(authConfig()) });
});
afterEach(() => api.close());

const shunt = (token: string, argv: string[]): Promise<CliResult> => runShunt(argv, { server: api.url, token });

async function auditTrail(): Promise<AuditEvent[]> {
  return (await request(api, 'GET', '/api/v1/projects/demo/audit', { headers: bearer(TOKENS.viewer) })).body.items as AuditEvent[];
}

const downstream = (token: string, stage: string, body: unknown) =>
  request(api, 'POST', `/api/v1/projects/demo/stages/${stage}/promotions/downstream`, { body, headers: bearer(token) });

describe('POST /projects/:p/stages/:s/promotions/downstream (Kargo PromoteDownstream)', () => {
  it('promotes to every stage immediately downstream, and records it', async () => {
    const res = await downstream(TOKENS.releaseManager, 'dev', { freight: 'tidy-otter' });

    expect(res.status).toBe(201);
    expect(res.body.controlFlowStages).toEqual([]);
    expect(res.body.promotions.map((p: { spec: { stage: string; freight: string }; status: { phase: string } }) => [p.spec.stage, p.spec.freight, p.status.phase])).toEqual([
      ['qa', FREIGHT_A, 'Pending'],
      ['staging', FREIGHT_A, 'Pending'],
    ]);
    const [entry] = await auditTrail();
    expect(entry).toMatchObject({
      actor: 'rita-release',
      action: 'promote',
      path: '/api/v1/projects/demo/stages/dev/promotions/downstream',
      outcome: 'succeeded',
      status: 201,
      target: { freight: 'tidy-otter' },
      message: `promotions created: ${res.body.promotions[0].metadata.name}, ${res.body.promotions[1].metadata.name}`,
    });
  });

  it('needs the promoter role on every downstream stage, not on the stage it starts from', async () => {
    const res = await downstream(TOKENS.developer, 'dev', { freight: 'tidy-otter' });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toBe(
      'dev-dana (roles promoter on demo/dev|staging, approver on demo/staging) may not promote to stage "qa" of project "demo": that needs the promoter role there',
    );
    expect((await downstream(TOKENS.viewer, 'dev', { freight: 'tidy-otter' })).status).toBe(403);
    const [entry] = await auditTrail();
    expect(entry).toMatchObject({ actor: 'vera-viewer', action: 'promote', outcome: 'denied', status: 403 });
    expect(api.backend.calls.filter((c) => c.method === 'promoteDownstream')).toEqual([]);
  });

  it('refuses a stage that became downstream after the permission check, instead of promoting to it unchecked', async () => {
    const state = api.backend.projects.get('demo')!;
    delete state.specs.stages['qa'];
    // The permission check reads the project (downstream of dev: staging, which dev-dana may
    // promote to); then, before the promotion, a stage she may not promote to becomes downstream.
    const getProject = api.backend.getProject.bind(api.backend);
    api.backend.getProject = async (project: string) => {
      const seen = await getProject(project);
      state.specs.stages['prod2'] = demoStage('demo', 'prod2', { stages: ['dev'] });
      return seen;
    };

    const res = await downstream(TOKENS.developer, 'dev', { freight: 'tidy-otter' });

    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({
      code: 'Conflict',
      message: 'the stages downstream of "dev" changed while the request was checked ("prod2" now also downstream); send it again',
    });
    expect(state.promotions).toHaveLength(1);
  });

  it.each([
    ['an unknown stage', 'nope', { freight: 'tidy-otter' }, 404, 'stage "nope" not found in project "demo"'],
    ['unknown freight', 'dev', { freight: 'lazy-cat' }, 404, 'freight "lazy-cat" not found in project "demo"'],
    ['a stage with nothing downstream', 'prod', { freight: 'tidy-otter' }, 404, 'stage "prod" has no downstream stages that request freight from warehouse "app"'],
    [
      'freight not available downstream (none is promoted)',
      'dev',
      { freight: 'brave-fox' },
      409,
      'downstream stage "qa": freight brave-fox is not available to stage "qa": it must first be verified in its upstream stage (not verified in "dev"), or approved for "qa"',
    ],
    ['no freight', 'dev', {}, 400, 'invalid promotion request: freight: required'],
  ])('refuses %s', async (_what, stage, body, status, message) => {
    const res = await downstream(TOKENS.releaseManager, stage, body);
    expect(res.status).toBe(status);
    expect(res.body.error.message).toBe(message);
    expect(api.backend.projects.get('demo')!.promotions).toHaveLength(1);
  });

  it('is `shunt promote --downstream-from`', async () => {
    const out = await shunt(TOKENS.releaseManager, ['promote', '--project', 'demo', '--freight', 'tidy-otter', '--downstream-from', 'dev']);
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^promotion qa\.\w+\.a{7} created \(stage qa\)\npromotion staging\.\w+\.a{7} created \(stage staging\)\n$/);

    const both = await shunt(TOKENS.releaseManager, ['promote', '--project', 'demo', '--freight', 'tidy-otter', '--downstream-from', 'dev', '--stage', 'qa']);
    expect(both).toEqual({ code: 1, stdout: '', stderr: 'error: promote needs exactly one of --stage and --downstream-from\n' });
    const none = await shunt(TOKENS.releaseManager, ['promote', '--project', 'demo', '--freight', 'tidy-otter']);
    expect(none.stderr).toBe('error: promote needs exactly one of --stage and --downstream-from\n');
    const refused = await shunt(TOKENS.releaseManager, ['promote', '--project', 'demo', '--freight', 'brave-fox', '--downstream-from', 'dev']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^error: downstream stage "qa": freight brave-fox is not available to stage "qa"/);
  });
});

describe('DELETE /projects/:p/freight/:f (Kargo DeleteFreight)', () => {
  it('deletes freight no stage holds, by alias, for an admin, and records it', async () => {
    const res = await request(api, 'DELETE', '/api/v1/projects/demo/freight/brave-fox', { headers: bearer(TOKENS.admin) });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ kind: 'Status', details: { kind: 'Freight', name: FREIGHT_B, namespace: 'demo' }, alias: 'brave-fox', abortedPromotions: [] });
    expect((await request(api, 'GET', '/api/v1/projects/demo/freight/brave-fox', { headers: bearer(TOKENS.viewer) })).status).toBe(404);
    const [entry] = await auditTrail();
    expect(entry).toMatchObject({ actor: 'adam-admin', action: 'delete', outcome: 'succeeded', target: { freight: 'brave-fox' } });
  });

  it.each([
    ['freight a stage holds (409, as Kargo refuses it)', 'tidy-otter', 409, 'freight tidy-otter is in use by stages ("dev"); promote other freight there first'],
    ['unknown freight', 'lazy-cat', 404, 'freight "lazy-cat" not found in project "demo"'],
  ])('refuses %s', async (_what, freight, status, message) => {
    const res = await request(api, 'DELETE', `/api/v1/projects/demo/freight/${freight}`, { headers: bearer(TOKENS.admin) });
    expect(res.status).toBe(status);
    expect(res.body.error.message).toBe(message);
    expect(Object.keys(api.backend.projects.get('demo')!.freight)).toHaveLength(2);
  });

  it('is for admins only', async () => {
    for (const token of [TOKENS.viewer, TOKENS.releaseManager]) {
      const res = await request(api, 'DELETE', '/api/v1/projects/demo/freight/brave-fox', { headers: bearer(token) });
      expect(res.status).toBe(403);
      expect(res.body.error.message).toMatch(/may not change project "demo": that needs the admin role there$/);
    }
    const [entry] = await auditTrail();
    expect(entry).toMatchObject({ actor: 'rita-release', action: 'delete', outcome: 'denied' });
    expect(api.backend.projects.get('demo')!.freight[FREIGHT_B]).toBeDefined();
  });

  it('is `shunt delete freight ID|ALIAS --project P`', async () => {
    const out = await shunt(TOKENS.admin, ['delete', 'freight', FREIGHT_B, '--project', 'demo']);
    expect(out).toEqual({ code: 0, stdout: `freight ${FREIGHT_B} (brave-fox) deleted\n`, stderr: '' });
    const held = await shunt(TOKENS.admin, ['delete', 'freight', 'tidy-otter', '--project', 'demo']);
    expect(held).toEqual({ code: 1, stdout: '', stderr: 'error: freight tidy-otter is in use by stages ("dev"); promote other freight there first\n' });
    const noProject = await shunt(TOKENS.admin, ['delete', 'freight', 'tidy-otter']);
    expect(noProject.stderr).toBe('error: --project is required to delete a freight\n');
  });
});

describe('PATCH /projects/:p/freight/:f/alias (Kargo PatchFreightAlias)', () => {
  const rename = (token: string, freight: string, body: unknown) =>
    request(api, 'PATCH', `/api/v1/projects/demo/freight/${freight}/alias`, { body, headers: bearer(token) });

  it('gives the freight a new alias by which it is then found, and records it', async () => {
    const res = await rename(TOKENS.admin, 'tidy-otter', { alias: 'frozen-fox' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ freight: FREIGHT_A, alias: 'frozen-fox', previousAlias: 'tidy-otter' });
    const got = await request(api, 'GET', '/api/v1/projects/demo/freight/frozen-fox', { headers: bearer(TOKENS.viewer) });
    expect(got.body).toMatchObject({ metadata: { name: FREIGHT_A, labels: { 'kargo.akuity.io/alias': 'frozen-fox' } }, alias: 'frozen-fox' });
    const [entry] = await auditTrail();
    expect(entry).toMatchObject({ actor: 'adam-admin', action: 'update', method: 'PATCH', outcome: 'succeeded', target: { freight: 'tidy-otter' } });
  });

  it.each([
    ['an alias another freight holds (409, unique in the project)', 'tidy-otter', { alias: 'brave-fox' }, 409, `alias "brave-fox" is already used by freight ${FREIGHT_B} in project "demo"`],
    ['an alias that is no label value', 'tidy-otter', { alias: 'not ok!' }, 400, `invalid alias: "not ok!" is not a valid alias: use letters, digits, '-', '_' and '.'`],
    ['no alias', 'tidy-otter', {}, 400, 'invalid alias request: alias: required'],
    ['unknown freight', 'lazy-cat', { alias: 'frozen-fox' }, 404, 'freight "lazy-cat" not found in project "demo"'],
  ])('refuses %s', async (_what, freight, body, status, message) => {
    const res = await rename(TOKENS.admin, freight, body);
    expect(res.status).toBe(status);
    expect(res.body.error.message).toBe(message);
    expect(api.backend.projects.get('demo')!.freight[FREIGHT_A]!.alias).toBe('tidy-otter');
  });

  it('is for admins only', async () => {
    const res = await rename(TOKENS.viewer, 'tidy-otter', { alias: 'frozen-fox' });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toBe('vera-viewer (roles viewer on demo/*) may not change project "demo": that needs the admin role there');
    expect((await rename(TOKENS.developer, 'tidy-otter', { alias: 'frozen-fox' })).status).toBe(403);
    expect(api.backend.projects.get('demo')!.freight[FREIGHT_A]!.alias).toBe('tidy-otter');
  });

  it('is `shunt update freight ID|ALIAS --alias NEW`', async () => {
    const out = await shunt(TOKENS.admin, ['update', 'freight', 'tidy-otter', '--alias', 'frozen-fox', '--project', 'demo']);
    expect(out).toEqual({ code: 0, stdout: `freight ${FREIGHT_A} alias changed from tidy-otter to frozen-fox\n`, stderr: '' });
    const taken = await shunt(TOKENS.admin, ['update', 'freight', 'frozen-fox', '--alias', 'brave-fox', '--project', 'demo']);
    expect(taken).toEqual({ code: 1, stdout: '', stderr: `error: alias "brave-fox" is already used by freight ${FREIGHT_B} in project "demo"\n` });
    const noAlias = await shunt(TOKENS.admin, ['update', 'freight', 'frozen-fox', '--project', 'demo']);
    expect(noAlias.stderr).toBe('error: update freight needs --alias NEW\n');
    const wrongKind = await shunt(TOKENS.admin, ['update', 'stage', 'dev', '--alias', 'x', '--project', 'demo']);
    expect(wrongKind.stderr).toBe('error: cannot update "stage": only a freight\'s alias can be updated\n');
  });
});

describe('POST /projects/:p/stages/:s/refresh (Kargo RefreshStage)', () => {
  it('refreshes a stage for a promoter of it; the stage shows when, and it is recorded', async () => {
    const res = await request(api, 'POST', '/api/v1/projects/demo/stages/dev/refresh', { body: {}, headers: bearer(TOKENS.developer) });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ stage: 'dev', autoPromotions: [] });
    const stage = await request(api, 'GET', '/api/v1/projects/demo/stages/dev', { headers: bearer(TOKENS.viewer) });
    expect(stage.body.status.lastHandledRefresh).toBe(res.body.refreshedAt);
    const [entry] = await auditTrail();
    expect(entry).toMatchObject({ actor: 'dev-dana', action: 'refresh', outcome: 'succeeded', target: { stage: 'dev' } });
  });

  it('refuses a viewer and a promoter of other stages (403), and an unknown stage (404)', async () => {
    const viewer = await request(api, 'POST', '/api/v1/projects/demo/stages/dev/refresh', { body: {}, headers: bearer(TOKENS.viewer) });
    expect(viewer.status).toBe(403);
    const other = await request(api, 'POST', '/api/v1/projects/demo/stages/prod/refresh', { body: {}, headers: bearer(TOKENS.developer) });
    expect(other.status).toBe(403);
    expect(other.body.error.message).toMatch(/may not promote to stage "prod" of project "demo"/);
    const unknown = await request(api, 'POST', '/api/v1/projects/demo/stages/nope/refresh', { body: {}, headers: bearer(TOKENS.releaseManager) });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toBe('stage "nope" not found in project "demo"');
  });

  it('is `shunt refresh stage NAME --project P`', async () => {
    const out = await shunt(TOKENS.developer, ['refresh', 'stage', 'dev', '--project', 'demo']);
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^stage\/dev refreshed at \d{4}-\d\d-\d\dT[\d:.]+Z\n$/);
    const unknown = await shunt(TOKENS.releaseManager, ['refresh', 'stage', 'nope', '--project', 'demo']);
    expect(unknown).toEqual({ code: 1, stdout: '', stderr: 'error: stage "nope" not found in project "demo"\n' });
    const noProject = await shunt(TOKENS.developer, ['refresh', 'stage', 'dev']);
    expect(noProject.stderr).toBe('error: --project is required to refresh a stage\n');
  });
});

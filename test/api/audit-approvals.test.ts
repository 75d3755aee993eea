/**
 * The audit trail with filters (`GET /projects/:project/audit`), denied requests included, and
 * "waiting for me" (`GET /projects/:project/approvals?for=me`) for callers with and without the
 * approver role, over the access-control fixtures' people.
 */
import { bearer, promoteAs, startAccessControlledApi, TOKENS } from './auth-fixtures.js';
import { shunt as runShunt } from '../support/cli.js';
import { FREIGHT_A, request, type RunningApi } from './support.js';

let api: RunningApi;

beforeEach(async () => {
  api = await startAccessControlledApi();
});
afterEach(() => api.close());

const promote = (token: string, stage: string) => promoteAs(api, token, stage);
const audit = (query: string, token: string = TOKENS.viewer) => request(api, 'GET', `/api/v1/projects/demo/audit${query}`, { headers: bearer(token) });
const names = (body: { items: { actor: string; action: string; target: { stage?: string }; outcome: string }[] }) =>
  body.items.map((e) => `${e.actor} ${e.action} ${e.target.stage ?? '-'} ${e.outcome}`);

describe('GET /projects/:project/audit', () => {
  beforeEach(async () => {
    expect((await promote(TOKENS.developer, 'staging')).status).toBe(201);
    expect((await promote(TOKENS.developer, 'prod')).status).toBe(403);
    expect((await promote(TOKENS.releaseManager, 'prod')).status).toBe(201);
  });

  it('lists the trail newest first, the denied request included, to any reader of the project', async () => {
    const res = await audit('');
    expect(res.status).toBe(200);
    expect(names(res.body)).toEqual(['rita-release promote prod succeeded', 'dev-dana promote prod denied', 'dev-dana promote staging succeeded']);
    expect(res.body.items[1]).toMatchObject({ kind: 'AuditEvent', status: 403, message: expect.stringMatching(/dev-dana .* may not promote to stage "prod"/) });
  });

  it.each([
    ['stage', '?stage=prod', ['rita-release promote prod succeeded', 'dev-dana promote prod denied']],
    ['actor', '?actor=dev-dana', ['dev-dana promote prod denied', 'dev-dana promote staging succeeded']],
    ['action', '?action=promote&limit=1', ['rita-release promote prod succeeded']],
    ['action with no match', '?action=approve', []],
    ['outcome', '?outcome=denied', ['dev-dana promote prod denied']],
    ['several filters', '?stage=prod&outcome=succeeded', ['rita-release promote prod succeeded']],
  ])('filters by %s', async (_what, query, expected) => {
    const res = await audit(query);
    expect(res.status).toBe(200);
    expect(names(res.body)).toEqual(expected);
  });

  it.each([
    ['an unknown action', '?action=launch', /^invalid audit filter: action: must be one of apply, delete, promote/],
    ['an unknown outcome', '?outcome=fine', /^invalid audit filter: outcome: must be one of succeeded, denied, refused, failed/],
    ['a limit out of range', '?limit=5000', /^invalid audit filter: limit: must be a whole number from 1 to 1000/],
    ['an empty actor', '?actor=', /^invalid audit filter: actor: must not be empty/],
    ['a stage given twice', '?stage=a&stage=b', /^invalid audit filter: stage: stage must be given once/],
    ['an unknown filter', '?user=dana', /^invalid audit filter: unknown filter "user"/],
  ])('answers 400 naming the filter for %s', async (_what, query, message) => {
    const res = await audit(query);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(message);
  });

  it('is refused to a caller who may not read the project', async () => {
    const res = await audit('', TOKENS.outsider);
    expect(res.status).toBe(403);
  });
});

describe('GET /projects/:project/approvals?for=me', () => {
  beforeEach(() => {
    const state = api.backend.projects.get('demo')!;
    const waiting = (name: string, stage: string, since: string) => ({
      name,
      stage,
      freight: FREIGHT_A,
      freightAlias: 'tidy-otter',
      origin: 'Warehouse/app',
      phase: 'Running' as const,
      actor: 'dev-dana',
      createdAt: since,
      workflowId: `promotion:demo:${name}`,
      steps: [],
      waitingForApproval: { gate: 'stage', since },
    });
    state.promotions.push(waiting('prod.000002.aaaaaaa', 'prod', '2026-01-01T02:00:00.000Z'));
    state.promotions.push(waiting('staging.000003.aaaaaaa', 'staging', '2026-01-01T01:00:00.000Z'));
  });

  const approvals = (token: string, query = '?for=me') => request(api, 'GET', `/api/v1/projects/demo/approvals${query}`, { headers: bearer(token) });

  it('lists the promotions whose stage the caller may approve for, with what approving does and how', async () => {
    const rita = await approvals(TOKENS.releaseManager);
    expect(rita.status).toBe(200);
    expect(rita.body.items).toEqual([
      {
        promotion: 'prod.000002.aaaaaaa',
        stage: 'prod',
        freight: { name: FREIGHT_A, alias: 'tidy-otter' },
        requestedBy: 'dev-dana',
        requestedAt: '2026-01-01T02:00:00.000Z',
        gate: 'stage',
        approving: "opens stage prod's approval gate: promotion prod.000002.aaaaaaa runs its steps and prod gets freight aaaaaaa",
        approve: { method: 'POST', path: '/api/v1/projects/demo/promotions/prod.000002.aaaaaaa/approve' },
      },
    ]);
    expect(rita.body.refused).toEqual([{ promotion: 'staging.000003.aaaaaaa', stage: 'staging', reason: expect.stringMatching(/may not approve for stage "staging" of project "demo": that needs the approver role there$/) }]);
    const dana = await approvals(TOKENS.developer);
    expect(dana.body.items.map((i: { promotion: string }) => i.promotion)).toEqual(['staging.000003.aaaaaaa']);
    expect(dana.body.refused.map((i: { promotion: string }) => i.promotion)).toEqual(['prod.000002.aaaaaaa']);
  });

  it('lists nothing to a caller without the approver role', async () => {
    const vera = await approvals(TOKENS.viewer);
    expect(vera.status).toBe(200);
    expect(vera.body.items).toEqual([]);
  });

  it.each([
    ['no for', '', /for: only "me" is supported/],
    ['for=someone', '?for=bob', /for: only "me" is supported/],
    ['another parameter', '?for=me&stage=prod', /unknown parameter "stage"/],
  ])('answers 400 for %s', async (_what, query, message) => {
    const res = await approvals(TOKENS.releaseManager, query);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(message);
  });
});

describe('shunt get audit', () => {
  const NOW = new Date('2026-01-01T01:00:00.000Z');
  const shunt = (argv: string[]) => runShunt(argv, { server: api.url, token: TOKENS.viewer, now: () => NOW });

  beforeEach(async () => {
    expect((await promote(TOKENS.developer, 'prod')).status).toBe(403);
    expect((await promote(TOKENS.developer, 'staging')).status).toBe(201);
  });

  it('prints the filtered trail as a table', async () => {
    const result = await shunt(['get', 'audit', '--project', 'demo', '--outcome', 'denied']);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^AGE\s+ACTOR\s+ACTION\s+TARGET\s+OUTCOME\s+MESSAGE$/);
    expect(lines.slice(1)).toEqual([expect.stringMatching(/dev-dana\s+promote\s+stage=prod freight=tidy-otter\s+denied \(403\)\s+dev-dana/)]);
  });

  it('passes each filter to the api, which says which one is wrong', async () => {
    const result = await shunt(['get', 'audit', '--project', 'demo', '--action', 'launch']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/invalid audit filter: action: must be one of/);
  });

  it('refuses the filters on other kinds', async () => {
    const result = await shunt(['get', 'stages', '--project', 'demo', '--actor', 'bob']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/--actor filter the audit trail only/);
  });
});

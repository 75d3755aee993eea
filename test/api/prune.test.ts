/**
 * `shunt project prune` and POST /projects/:p/prune: an admin sets the project's freight
 * retention and applies it now; who may not gets 403, a bad setting 400 and nothing changes, an
 * unknown project 404; the audit entry; and /metrics serves the state size the workflow measured.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { enforcedAccess } from '../../api/auth/index.js';
import type { AuditEvent } from '../../core/audit/event.js';
import { STATE_BUDGET_BYTES, STATE_WARN_BYTES } from '../../core/project/state-budget.js';
import { authConfig, bearer, TOKENS } from './auth-fixtures.js';
import { aFreight, demoBackend, FREIGHT_A, FREIGHT_B, request, startApi, type RunningApi } from './support.js';
import { shunt as runShunt, type CliResult } from '../support/cli.js';

const FREIGHT_C = 'c'.repeat(40);
let api: RunningApi;

beforeEach(async () => {
  const backend = demoBackend();
  const state = backend.projects.get('demo')!;
  // Older than freight A (in dev) and than Kargo's two weeks, at the fake clock (2026-01-01).
  state.freight[FREIGHT_C] = aFreight(FREIGHT_C, 'old-owl', { discoveredAt: '2025-12-01T00:00:00.000Z' });
  state.size = { bytes: 4321, budgetBytes: STATE_BUDGET_BYTES, warnBytes: STATE_WARN_BYTES };
  api = await startApi({ backend, access: enforcedAccess(authConfig()) });
});
afterEach(() => api.close());

const shunt = (token: string, argv: string[]): Promise<CliResult> => runShunt(argv, { server: api.url, token });

const prune = (token: string, body: unknown) => request(api, 'POST', '/api/v1/projects/demo/prune', { body, headers: bearer(token) });
const freightNames = (): string[] => Object.keys(api.backend.projects.get('demo')!.freight).sort();

describe('shunt project prune (POST /projects/:p/prune)', () => {
  it('sets the retention, drops freight past it, keeps what a stage uses, and records it', async () => {
    const out = await shunt(TOKENS.admin, ['project', 'prune', 'demo', '--keep-freight', '0']);
    expect(out).toMatchObject({ code: 0, stderr: '' });
    expect(out.stdout).toMatch(/^project\/demo pruned: keeps 0 freight per warehouse beyond the oldest in use, none dropped younger than 336h\n {2}freight dropped: 1\n {2}promotion records dropped: 0\n {2}state: [\d.]+ KiB -> [\d.]+ KiB/);
    // A (in dev) and B (newer than it) stay; C, older than A and past two weeks, goes.
    expect(freightNames()).toEqual([FREIGHT_A, FREIGHT_B]);
    expect(api.backend.projects.get('demo')!.retention).toEqual({ maxRetainedFreight: 0 });
    const record = api.backend.projects.get('demo')!.promotions[0]!;
    expect(record.trimmed).toBe(true);
    expect(record.state).toBeUndefined();
    const [entry] = (await request(api, 'GET', '/api/v1/projects/demo/audit', { headers: bearer(TOKENS.viewer) })).body.items as AuditEvent[];
    expect(entry).toMatchObject({ actor: 'adam-admin', action: 'delete', outcome: 'succeeded' });
  });

  it('answers the retention in force and what was dropped over HTTP', async () => {
    const res = await prune(TOKENS.admin, { maxRetainedFreight: 5, minFreightDeletionAgeMs: 0 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ retention: { maxRetainedFreight: 5, minFreightDeletionAgeMs: 0 }, droppedFreight: [], droppedPromotions: 0 });
    expect(freightNames()).toEqual([FREIGHT_A, FREIGHT_B, FREIGHT_C]);
  });

  it.each([
    ['a negative count', { maxRetainedFreight: -1 }, /maxRetainedFreight/],
    ['a count that is not a whole number', { maxRetainedFreight: 1.5 }, /must be a whole number/],
    ['a count past the limit', { maxRetainedFreight: 5000 }, /maxRetainedFreight/],
    ['a count that is not a number', { maxRetainedFreight: 'all' }, /maxRetainedFreight must be a number/],
    ['a negative age', { minFreightDeletionAgeMs: -1 }, /minFreightDeletionAgeMs/],
  ])('refuses %s with 400, changing nothing', async (_what, body, message) => {
    const res = await prune(TOKENS.admin, body);
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body.error)).toMatch(message);
    expect(freightNames()).toEqual([FREIGHT_A, FREIGHT_B, FREIGHT_C]);
    expect(api.backend.projects.get('demo')!.retention).toBeUndefined();
  });

  it('refuses a bad --keep-freight or --min-age in the CLI before asking the server', async () => {
    const calls = api.backend.calls.length;
    const bad = await shunt(TOKENS.admin, ['project', 'prune', 'demo', '--keep-freight', 'some']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/invalid --keep-freight "some": expected a whole number such as 5/);
    const age = await shunt(TOKENS.admin, ['project', 'prune', 'demo', '--min-age', 'two weeks']);
    expect(age.code).not.toBe(0);
    expect(age.stderr).toMatch(/invalid --min-age "two weeks"/);
    expect(api.backend.calls.slice(calls).map((c) => c.method)).not.toContain('pruneProject');
  });

  it('is for admins only, and 404 for an unknown project', async () => {
    for (const token of [TOKENS.viewer, TOKENS.releaseManager, TOKENS.developer]) {
      expect((await prune(token, { maxRetainedFreight: 0 })).status).toBe(403);
    }
    expect(freightNames()).toEqual([FREIGHT_A, FREIGHT_B, FREIGHT_C]);
    const missing = await request(api, 'POST', '/api/v1/projects/nope/prune', { body: {}, headers: bearer(TOKENS.admin) });
    expect([403, 404]).toContain(missing.status);
  });
});

describe('the state size metric', () => {
  it('serves the size the project workflow measured, and its budget and warning thresholds', async () => {
    const res = await fetch(`${api.url}/metrics`, { headers: bearer(TOKENS.viewer) });
    const text = await res.text();
    expect(text).toContain('shunt_project_state_bytes{project="demo"} 4321');
    expect(text).toContain(`shunt_project_state_budget_bytes{project="demo",threshold="refuse"} ${STATE_BUDGET_BYTES}`);
    expect(text).toContain(`shunt_project_state_budget_bytes{project="demo",threshold="warn"} ${STATE_WARN_BYTES}`);
  });
});

import { emptyProjectState } from '../../../core/project/apply.js';
import type { ProjectState, PromotionRecord } from '../../../core/project/state.js';
import { approvalsRefusedTo, approvalsWaitingFor } from '../../../core/project/waiting-approvals.js';
import type { Grant, Subject } from '../../../core/rbac/rbac.js';

const promotion = (name: string, stage: string, fields: { [K in keyof PromotionRecord]?: PromotionRecord[K] | undefined } = {}): PromotionRecord => ({
  name,
  stage,
  freight: 'f'.repeat(40),
  freightAlias: 'tidy-otter',
  origin: 'Warehouse/app',
  phase: 'Running',
  createdAt: '2026-01-01T00:00:00.000Z',
  workflowId: `promotion:demo:${name}`,
  steps: [],
  actor: 'dana',
  waitingForApproval: { gate: 'stage', since: '2026-01-01T00:01:00.000Z' },
  ...fields,
}) as PromotionRecord;

function state(promotions: PromotionRecord[]): ProjectState {
  return { ...emptyProjectState('demo', '2026-01-01T00:00:00.000Z'), promotions };
}

const subject = (name: string, grants: Grant[]): Subject => ({ name, via: 'token', grants });
const rita = subject('rita', [{ role: 'approver', projects: ['*'], stages: ['prod*'] }]);

describe('approvalsWaitingFor', () => {
  it('lists the promotions waiting on stages the caller may approve for, longest waiting first, saying what approving does', () => {
    const s = state([
      promotion('prod-eu.1', 'prod-eu', { waitingForApproval: { gate: 'approve', since: '2026-01-01T00:05:00.000Z', message: 'sign off' } }),
      promotion('prod.1', 'prod'),
      promotion('staging.1', 'staging'),
    ]);
    const items = approvalsWaitingFor(s, rita);
    expect(items.map((i) => i.promotion)).toEqual(['prod.1', 'prod-eu.1']);
    expect(items[0]).toEqual({
      promotion: 'prod.1',
      stage: 'prod',
      freight: { name: 'f'.repeat(40), alias: 'tidy-otter' },
      requestedBy: 'dana',
      requestedAt: '2026-01-01T00:01:00.000Z',
      gate: 'stage',
      approving: "opens stage prod's approval gate: promotion prod.1 runs its steps and prod gets freight fffffff",
    });
    expect(items[1]).toMatchObject({ gate: 'approve', message: 'sign off', approving: expect.stringMatching(/^passes step approve of promotion prod-eu.1/) });
  });

  it('lists nothing for a caller without the approver role there', () => {
    const s = state([promotion('prod.1', 'prod')]);
    expect(approvalsWaitingFor(s, subject('vera', [{ role: 'viewer', projects: ['*'], stages: ['*'] }]))).toEqual([]);
    expect(approvalsWaitingFor(s, subject('pete', [{ role: 'approver', projects: ['other'], stages: ['*'] }]))).toEqual([]);
  });

  it('leaves out promotions that do not wait, or finished', () => {
    const s = state([promotion('prod.1', 'prod', { waitingForApproval: undefined }), promotion('prod.2', 'prod', { phase: 'Aborted' })]);
    expect(approvalsWaitingFor(s, rita)).toEqual([]);
  });

  it('leaves out a promotion the caller asked for when its gate needs another approver', () => {
    const s = state([promotion('prod.1', 'prod', { actor: 'rita', waitingForApproval: { gate: 'stage', since: '2026-01-01T00:01:00.000Z', approverNotRequester: true } })]);
    expect(approvalsWaitingFor(s, rita)).toEqual([]);
    expect(approvalsWaitingFor(s, subject('ruth', rita.grants))).toHaveLength(1);
  });
});

describe('approvalsRefusedTo', () => {
  it('names each waiting promotion the caller may not approve, with the reason the approve request would get', () => {
    const s = state([
      promotion('prod.1', 'prod', { actor: 'rita', waitingForApproval: { gate: 'stage', since: '2026-01-01T00:01:00.000Z', approverNotRequester: true } }),
      promotion('prod.2', 'prod'),
      promotion('staging.1', 'staging'),
      promotion('staging.2', 'staging', { phase: 'Succeeded' }),
    ]);
    expect(approvalsRefusedTo(s, rita)).toEqual([
      { promotion: 'prod.1', stage: 'prod', reason: '"rita" asked for this promotion and so cannot approve it: another person must' },
      { promotion: 'staging.1', stage: 'staging', reason: 'rita (roles approver on */prod*) may not approve for stage "staging" of project "demo": that needs the approver role there' },
    ]);
  });
});

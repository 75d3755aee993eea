import { describe, expect, it } from '@jest/globals';
import {
  freightSummary,
  renderPromotion,
  renderStage,
  temporalWorkflowUrl,
} from '../../api/views.js';
import type { PromotionRecord } from '../../core/project/state.js';
import { promotionIssue } from '../../core/project/promotions.js';
import { aFreight, demoStage, demoState, FREIGHT_A, FREIGHT_B } from './support.js';

const NOW_MS = Date.parse('2026-01-03T00:00:00.000Z');

describe('freightSummary', () => {
  it('is the freight name when the one requested freight is held', () => {
    const state = demoState();
    expect(freightSummary(state.specs.stages['dev']!, state.stages['dev']!)).toBe(FREIGHT_A);
  });

  it('counts fulfilled requests otherwise', () => {
    const stage = demoStage('demo', 'multi', { direct: true });
    stage.spec.requestedFreight.push({ origin: { kind: 'Warehouse', name: 'charts' }, sources: { direct: true } });
    const { currentlyIn: _c, verifiedIn: _v, approvedFor: _a, discoveredAt: _d, ...ref } = aFreight(FREIGHT_B, 'brave-fox');
    const held = { freightHistory: [{ collection: { id: 'x', items: { 'Warehouse/app': ref } }, promotedAt: '' }], queue: [] };
    expect(freightSummary(stage, held)).toBe('1/2 Fulfilled');
    expect(freightSummary(stage, { freightHistory: [], queue: [] })).toBe('0/2 Fulfilled');
  });
});

describe('renderStage', () => {
  it('shows the running promotion as currentPromotion with its freight', () => {
    const state = demoState();
    const running: PromotionRecord = {
      ...state.promotions[0]!,
      name: 'staging.000002.aaaaaaa',
      stage: 'staging',
      phase: 'Running',
    };
    state.promotions.push(running);
    state.stages['staging'] = { freightHistory: [], queue: [], currentPromotion: running.name };
    const view = renderStage(state, state.specs.stages['staging']!, NOW_MS);
    expect(view.status.currentPromotion).toEqual({
      name: 'staging.000002.aaaaaaa',
      freight: expect.objectContaining({ name: FREIGHT_A, origin: { kind: 'Warehouse', name: 'app' } }),
    });
    expect(view.status.health).toBeUndefined();
  });
});

describe('renderStage freightAvailability', () => {
  it('carries, per stage, which freight may be promoted there now and why the rest may not', () => {
    const state = demoState();
    const view = (stage: string) => renderStage(state, state.specs.stages[stage]!, NOW_MS).status.freightAvailability;
    expect(view('dev')).toEqual([
      { freight: FREIGHT_B, alias: 'brave-fox', origin: 'app', available: true, via: 'direct' },
      { freight: FREIGHT_A, alias: 'tidy-otter', origin: 'app', available: true, via: 'direct' },
    ]);
    expect(view('staging')).toEqual([
      {
        freight: FREIGHT_B,
        alias: 'brave-fox',
        origin: 'app',
        available: false,
        reason: 'freight brave-fox is not available to stage "staging": it must first be verified in its upstream stage (not verified in "dev"), or approved for "staging"',
        blockers: [{ kind: 'NotVerified', stage: 'dev' }],
      },
      { freight: FREIGHT_A, alias: 'tidy-otter', origin: 'app', available: true, via: 'upstream' },
    ]);
  });

  it('says when a soak upstream completes, judged at the time given', () => {
    const state = demoState();
    state.specs.stages['staging'] = demoStage('demo', 'staging', { stages: ['dev'], requiredSoakTime: '2h' });
    // tidy-otter has been in dev since 00:10 on the 1st, and soaked 1h2m3s there before.
    const at = (iso: string) =>
      renderStage(state, state.specs.stages['staging']!, Date.parse(iso)).status.freightAvailability.find((e) => e.freight === FREIGHT_A);
    expect(at('2026-01-01T01:00:00.000Z')).toMatchObject({
      available: false,
      blockers: [{ kind: 'Soaking', stage: 'dev', soakedMs: 3_723_000, requiredMs: 7_200_000, availableAt: '2026-01-01T02:10:00.000Z' }],
    });
    expect(at('2026-01-01T02:10:00.000Z')).toMatchObject({ available: true, via: 'upstream' });
  });

  it('agrees with the refusal of a promotion request, for every stage and freight', () => {
    const state = demoState();
    state.freight[FREIGHT_B]!.approvedFor['prod'] = { approvedAt: '2026-01-02T00:00:00.000Z' };
    for (const stage of Object.keys(state.specs.stages)) {
      for (const entry of renderStage(state, state.specs.stages[stage]!, NOW_MS).status.freightAvailability) {
        const issue = promotionIssue(state, stage, entry.freight, NOW_MS);
        expect({ stage, freight: entry.alias, available: entry.available, reason: entry.reason }).toEqual({
          stage,
          freight: entry.alias,
          available: issue === undefined,
          reason: issue?.message,
        });
      }
    }
  });
});

describe('renderPromotion', () => {
  const base: PromotionRecord = {
    name: 'prod.000003.bbbbbbb',
    stage: 'prod',
    freight: FREIGHT_B,
    freightAlias: 'brave-fox',
    origin: 'app',
    phase: 'Running',
    createdAt: '2026-01-01T00:00:00.000Z',
    workflowId: 'promotion:demo:prod:bbb',
    steps: [
      { alias: 'clone', uses: 'git-clone', status: 'Succeeded', errorCount: 0, startedAt: 't1', finishedAt: 't2' },
      { alias: 'push', uses: 'git-push', status: 'Running', errorCount: 1, startedAt: 't2', message: 'retrying' },
      { alias: 'sync', uses: 'argocd-update', status: 'Pending', errorCount: 0 },
    ],
  };

  it('lists only started steps and points currentStep at the running one', () => {
    const view = renderPromotion('demo', base);
    expect(view.status.currentStep).toBe(1);
    expect(view.status.stepExecutionMetadata.map((s) => s.alias)).toEqual(['clone', 'push']);
    expect(view.status.freight.origin).toEqual({ kind: 'Warehouse', name: 'app' });
    expect(view.metadata.annotations).toEqual({});
  });

  it('carries an approval wait as status.waitingForApproval, and none once released', () => {
    const waiting: PromotionRecord = {
      ...base,
      waitingForApproval: { gate: 'stage', since: '2026-01-01T00:01:00.000Z', approverNotRequester: true },
      message: 'waiting for approval (stage "prod" requires approval)',
    };
    expect(renderPromotion('demo', waiting).status.waitingForApproval).toEqual({ gate: 'stage', since: '2026-01-01T00:01:00.000Z', approverNotRequester: true });
    expect(renderPromotion('demo', base).status).not.toHaveProperty('waitingForApproval');
  });

  it('points currentStep at the last step that ran once it is over', () => {
    const failed: PromotionRecord = {
      ...base,
      phase: 'Failed',
      steps: [base.steps[0]!, { ...base.steps[1]!, status: 'Failed' }, base.steps[2]!],
    };
    expect(renderPromotion('demo', failed).status.currentStep).toBe(1);
  });
});

describe('temporalWorkflowUrl', () => {
  it('joins the base, namespace and id, keeping colons readable', () => {
    expect(temporalWorkflowUrl('http://ui:8080/', 'default', 'promotion:p:s:f x')).toBe(
      'http://ui:8080/namespaces/default/workflows/promotion:p:s:f%20x',
    );
  });
});

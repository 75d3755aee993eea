import { describe, expect, it } from '@jest/globals';
import {
  freightSummary,
  renderPromotion,
  renderStage,
  temporalWorkflowUrl,
} from '../../api/views.js';
import type { PromotionRecord } from '../../core/project/state.js';
import { aFreight, aStage, demoState, FREIGHT_A, FREIGHT_B } from './support.js';

describe('freightSummary', () => {
  it('is the freight name when the one requested freight is held', () => {
    const state = demoState();
    expect(freightSummary(state.specs.stages['dev']!, state.stages['dev']!)).toBe(FREIGHT_A);
  });

  it('counts fulfilled requests otherwise', () => {
    const stage = aStage('demo', 'multi', { direct: true });
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
    const view = renderStage(state, state.specs.stages['staging']!);
    expect(view.status.currentPromotion).toEqual({
      name: 'staging.000002.aaaaaaa',
      freight: expect.objectContaining({ name: FREIGHT_A, origin: { kind: 'Warehouse', name: 'app' } }),
    });
    expect(view.status.health).toBeUndefined();
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

import { describe, expect, it } from '@jest/globals';
import { RESUME_OUTPUTS_KEPT_BYTES, STEP_MESSAGE_KEPT, trimPromotionRecord } from '../../../core/project/promotion-trim.js';
import { claimWorkspaces } from '../../../core/project/retry-abort.js';
import type { PromotionRecord } from '../../../core/project/state.js';
import { aFreight, aPromotion, aState } from './builders.js';
import { aStage } from '../../support/manifests.js';

const F = aFreight('f1');
const WORKSPACE = { workspaceKey: 'ws-1', taskQueue: 'q', failedStep: 1, planDigest: 'd' };

function finished(overrides: Partial<PromotionRecord> = {}): PromotionRecord {
  return aPromotion('dev.p1', 'dev', F, {
    phase: 'Succeeded',
    steps: [{ alias: 'clone', uses: 'git-clone', status: 'Succeeded', errorCount: 0, message: 'x'.repeat(2000) }],
    state: { clone: { commit: 'abc' } },
    message: 'm'.repeat(2000),
    ...overrides,
  });
}

describe('trimming a finished promotion record', () => {
  it('drops the step outputs and cuts long messages, keeping the summary', () => {
    const record = finished();
    trimPromotionRecord(record);
    expect(record.state).toBeUndefined();
    expect(record.trimmed).toBe(true);
    expect(record.steps[0]!.message).toHaveLength(STEP_MESSAGE_KEPT);
    expect(record.steps[0]!.message!.endsWith('…')).toBe(true);
    expect(record.message).toHaveLength(STEP_MESSAGE_KEPT);
    expect(record).toMatchObject({ phase: 'Succeeded', freight: 'f1', stage: 'dev', workflowId: 'wf-dev.p1' });
    expect(record.steps[0]).toMatchObject({ alias: 'clone', status: 'Succeeded' });
  });

  it('leaves a promotion that has not finished alone', () => {
    const record = finished({ phase: 'Running' });
    trimPromotionRecord(record);
    expect(record.state).toEqual({ clone: { commit: 'abc' } });
    expect(record.trimmed).toBeUndefined();
  });

  it('keeps small outputs of a failed promotion whose workspace a retry may resume in', () => {
    const record = finished({ phase: 'Failed', workspace: WORKSPACE });
    trimPromotionRecord(record);
    expect(record.state).toEqual({ clone: { commit: 'abc' } });
    expect(record.workspace).toEqual(WORKSPACE);
  });

  it('gives up the resume when the outputs are large: the retry starts over and the workspace is released', () => {
    const failed = finished({ phase: 'Failed', workspace: WORKSPACE, state: { render: { text: 'y'.repeat(RESUME_OUTPUTS_KEPT_BYTES) } } });
    trimPromotionRecord(failed);
    expect(failed.state).toBeUndefined();
    const state = aState({ stages: [aStage('dev')], freight: [F] });
    const retry = aPromotion('dev.p2', 'dev', F, { retryOf: 'dev.p1' });
    state.promotions.push(failed, retry);
    expect(claimWorkspaces(state, retry)).toEqual({ stale: [{ workspaceKey: 'ws-1', taskQueue: 'q' }] });
  });

  it('a trimmed record that kept its outputs is still resumed in', () => {
    const failed = finished({ phase: 'Failed', workspace: WORKSPACE });
    trimPromotionRecord(failed);
    const state = aState({ stages: [aStage('dev')], freight: [F] });
    const retry = aPromotion('dev.p2', 'dev', F, { retryOf: 'dev.p1' });
    state.promotions.push(failed, retry);
    expect(claimWorkspaces(state, retry).resume?.outputs).toEqual({ clone: { commit: 'abc' } });
  });
});

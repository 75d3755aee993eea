import { describe, expect, it } from '@jest/globals';
import type { PromotionObject } from '../../../cli/client.js';
import { describeFailure, isTerminalPhase } from '../../../cli/promotion-outcome.js';

function aPromotion(status: PromotionObject['status']): PromotionObject {
  return { metadata: { name: 'prod.01.abc' }, spec: { stage: 'prod', freight: 'abc' }, status };
}

describe('describeFailure', () => {
  it('names the failed step and its message', () => {
    const promotion = aPromotion({
      phase: 'Failed',
      message: 'promotion failed',
      stepExecutionMetadata: [
        { alias: 'clone', status: 'Succeeded' },
        { alias: 'push', status: 'Failed', message: 'non-fast-forward' },
      ],
    });
    expect(describeFailure(promotion)).toBe('promotion prod.01.abc failed at step "push": non-fast-forward');
  });

  it('falls back to status.message when the step has none', () => {
    const promotion = aPromotion({
      phase: 'Errored',
      message: 'git: connection reset',
      stepExecutionMetadata: [{ alias: 'clone', status: 'Errored' }],
    });
    expect(describeFailure(promotion)).toBe('promotion prod.01.abc errored at step "clone": git: connection reset');
  });

  it('uses currentStep for an aborted promotion whose step is still marked running', () => {
    const promotion = aPromotion({
      phase: 'Aborted',
      message: 'aborted by bob',
      currentStep: 1,
      stepExecutionMetadata: [
        { alias: 'clone', status: 'Succeeded' },
        { alias: 'wait', status: 'Running' },
      ],
    });
    expect(describeFailure(promotion)).toBe('promotion prod.01.abc was aborted at step "wait": aborted by bob');
  });

  it('says only the phase and message when no step ran', () => {
    expect(describeFailure(aPromotion({ phase: 'Errored', message: 'worker lost' }))).toBe(
      'promotion prod.01.abc errored: worker lost',
    );
    expect(describeFailure(aPromotion({ phase: 'Failed' }))).toBe('promotion prod.01.abc failed');
  });
});

describe('isTerminalPhase', () => {
  it.each([
    ['Pending', false],
    ['Running', false],
    ['Succeeded', true],
    ['Failed', true],
    ['Errored', true],
    ['Aborted', true],
  ])('%s → %s', (phase, terminal) => {
    expect(isTerminalPhase(phase)).toBe(terminal);
  });
});

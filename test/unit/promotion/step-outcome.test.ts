import { DomainError } from '../../../core/errors.js';
import type { StepRecord } from '../../../core/project/state.js';
import { STEP_KIND_DEFAULTS } from '../../../core/promotion/step-kinds.js';
import { stepLimits, type StepLimits } from '../../../core/promotion/step-completion.js';
import { finalPhase } from '../../../core/promotion/step-outcome.js';
import { failsPromotion, type PlannedStep, type PromotionPhase, type StepStatus } from '../../../core/promotion/types.js';

function aPlannedStep(overrides: Partial<PlannedStep> = {}): PlannedStep {
  return { alias: 'step-1', uses: 'git-clone', continueOnError: false, retry: {}, vars: [], config: {}, ...overrides };
}

describe('stepLimits', () => {
  it('starts from the step defaults this table assumes', () => {
    // The cases below use git-clone, which defaults to one attempt and no timeout.
    expect(STEP_KIND_DEFAULTS['git-clone']).toEqual({ errorThreshold: 1 });
  });

  it.each<[string, Partial<PlannedStep>, StepLimits]>([
    ['no retry settings', {}, { errorThreshold: 1 }],
    ['errorThreshold 0 (the step default)', { retry: { errorThreshold: 0 } }, { errorThreshold: 1 }],
    ['a negative errorThreshold (the step default)', { retry: { errorThreshold: -2 } }, { errorThreshold: 1 }],
    ['errorThreshold 1', { retry: { errorThreshold: 1 } }, { errorThreshold: 1 }],
    ['errorThreshold 5', { retry: { errorThreshold: 5 } }, { errorThreshold: 5 }],
    ['an unknown step kind (the system default)', { uses: 'no-such-step' }, { errorThreshold: 1 }],
    ['a timeout of 30s', { retry: { timeout: '30s' } }, { errorThreshold: 1, timeoutMs: 30_000 }],
    ['a timeout of 5m', { retry: { timeout: '5m' } }, { errorThreshold: 1, timeoutMs: 300_000 }],
    ['a timeout of 1h30m', { retry: { timeout: '1h30m' } }, { errorThreshold: 1, timeoutMs: 5_400_000 }],
    ['a timeout of 1.5h', { retry: { timeout: '1.5h' } }, { errorThreshold: 1, timeoutMs: 5_400_000 }],
    ['a timeout of 500ms', { retry: { timeout: '500ms' } }, { errorThreshold: 1, timeoutMs: 500 }],
    ['a timeout of 0 (none)', { retry: { timeout: '0' } }, { errorThreshold: 1 }],
    ['a timeout of 0s (none)', { retry: { timeout: '0s' } }, { errorThreshold: 1 }],
    ['an empty timeout (none)', { retry: { timeout: '' } }, { errorThreshold: 1 }],
    ['both settings', { retry: { errorThreshold: 3, timeout: '10m' } }, { errorThreshold: 3, timeoutMs: 600_000 }],
    ["argocd-update's default timeout (5m, Kargo's)", { uses: 'argocd-update' }, { errorThreshold: 1, timeoutMs: 300_000 }],
    ['a timeout over a default one', { uses: 'argocd-wait', retry: { timeout: '30s' } }, { errorThreshold: 1, timeoutMs: 30_000 }],
  ])('gives the limits for %s', (_, overrides, expected) => {
    // arrange
    const step = aPlannedStep(overrides);

    // act
    const limits = stepLimits(step);

    // assert
    expect(limits).toEqual(expected);
  });

  it.each([
    ['soon', 'expected a number'],
    ['-5m', 'it must not be negative'],
    ['5', 'a unit is missing'],
    ['5 m', 'unknown unit " m"'],
  ])('refuses the timeout %j: %s', (timeout, reason) => {
    // arrange
    const step = aPlannedStep({ retry: { timeout } });

    // act
    const act = () => stepLimits(step);

    // assert
    expect(act).toThrow(DomainError);
    expect(act).toThrow(`invalid duration ${JSON.stringify(timeout)}: ${reason}; use Go syntax such as 30s, 5m or 1h30m`);
  });
});

describe('finalPhase', () => {
  type Step = Pick<StepRecord, 'status' | 'continueOnError'>;
  const s = (status: StepStatus, continueOnError?: boolean): Step => (continueOnError === undefined ? { status } : { status, continueOnError });
  const coe = (status: StepStatus): Step => s(status, true);

  it.each<[string, Step[], PromotionPhase]>([
    // ---- success
    ['no steps', [], 'Succeeded'],
    ['one Succeeded step', [s('Succeeded')], 'Succeeded'],
    ['one Skipped step', [s('Skipped')], 'Succeeded'],
    ['Succeeded and Skipped steps', [s('Succeeded'), s('Skipped'), s('Succeeded')], 'Succeeded'],
    ['continueOnError: false like unset', [s('Succeeded', false), s('Skipped', false)], 'Succeeded'],
    // ---- one bad status
    ['a Failed step after a Succeeded one', [s('Succeeded'), s('Failed')], 'Failed'],
    ['a Failed step before Skipped ones', [s('Failed'), s('Skipped'), s('Skipped')], 'Failed'],
    ['an Errored step', [s('Succeeded'), s('Errored')], 'Errored'],
    ['an Aborted step', [s('Succeeded'), s('Aborted'), s('Skipped')], 'Aborted'],
    ['a step still Running (anything else is Errored)', [s('Succeeded'), s('Running')], 'Errored'],
    // ---- worst of Aborted < Failed < Errored, in either order
    ['Aborted then Failed', [s('Aborted'), s('Failed')], 'Failed'],
    ['Failed then Aborted', [s('Failed'), s('Aborted')], 'Failed'],
    ['Failed then Errored', [s('Failed'), s('Errored')], 'Errored'],
    ['Errored then Failed', [s('Errored'), s('Failed')], 'Errored'],
    ['Aborted then Errored', [s('Aborted'), s('Errored')], 'Errored'],
    ['Errored then Aborted', [s('Errored'), s('Aborted')], 'Errored'],
    ['Running then Aborted', [s('Running'), s('Aborted')], 'Aborted'],
    ['Aborted, Failed and Errored', [s('Aborted'), s('Errored'), s('Failed')], 'Errored'],
    // ---- continueOnError steps do not count
    ['a Failed continueOnError step', [s('Succeeded'), coe('Failed')], 'Succeeded'],
    ['an Errored continueOnError step', [coe('Errored'), s('Succeeded')], 'Succeeded'],
    ['an Aborted continueOnError step', [coe('Aborted')], 'Succeeded'],
    ['only continueOnError steps, all bad', [coe('Errored'), coe('Failed'), coe('Aborted')], 'Succeeded'],
    ['an Errored continueOnError step and a Failed one', [coe('Errored'), s('Failed')], 'Failed'],
    ['a Failed continueOnError step and an Aborted one', [coe('Failed'), s('Aborted')], 'Aborted'],
    ['a Skipped step and a Failed continueOnError step', [s('Skipped'), coe('Failed')], 'Succeeded'],
  ])('gives a promotion with %s the phase %s', (_, steps, expected) => {
    // act
    const phase = finalPhase(steps);

    // assert
    expect(phase).toBe(expected);
  });
});

describe('failsPromotion', () => {
  it.each([
    ['Failed', false, true],
    ['Errored', false, true],
    ['Failed', true, false],
    ['Errored', true, false],
    ['Aborted', false, false],
    ['Succeeded', false, false],
    ['Skipped', false, false],
    ['Running', false, false],
  ] as const)('a %s step (continueOnError %s) fails its promotion: %s', (status, continueOnError, expected) => {
    expect(failsPromotion({ status, continueOnError })).toBe(expected);
  });
});

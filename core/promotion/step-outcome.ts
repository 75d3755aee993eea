import type { StepRecord } from '../project/state.js';
import { parseDuration } from '../duration.js';
import { stepDefaults } from './step-kinds.js';
import type { PlannedStep, PromotionPhase, StepStatus } from './types.js';

/** How a failed step attempt counts: a business failure, an error for good, or worth another try. */
export type StepErrorKind = 'failed' | 'errored' | 'retryable';

export interface StepLimits {
  /** Consecutive errors allowed before the step is Errored (Kargo: 0/unset means the default). */
  errorThreshold: number;
  /** Soft limit from the step's first start; undefined = none. */
  timeoutMs?: number;
}

export function stepLimits(step: PlannedStep): StepLimits {
  const defaults = stepDefaults(step.uses);
  const errorThreshold = step.retry.errorThreshold && step.retry.errorThreshold > 0 ? step.retry.errorThreshold : defaults.errorThreshold;
  const timeout = step.retry.timeout ?? defaults.timeout;
  const timeoutMs = timeout ? parseDuration(timeout) : 0;
  return timeoutMs > 0 ? { errorThreshold, timeoutMs } : { errorThreshold };
}

const SEVERITY: Record<StepStatus, number> = {
  Pending: 0,
  Succeeded: 1,
  Skipped: 2,
  Running: 3,
  Aborted: 4,
  Failed: 5,
  Errored: 6,
};

/**
 * Kargo's rule: the promotion's phase is the worst status of the steps that are not
 * `continueOnError`; Succeeded and Skipped both give Succeeded.
 */
export function finalPhase(steps: readonly Pick<StepRecord, 'status' | 'continueOnError'>[]): PromotionPhase {
  let worst: StepStatus = 'Succeeded';
  for (const s of steps) {
    if (s.continueOnError) continue;
    if (SEVERITY[s.status] > SEVERITY[worst]) worst = s.status;
  }
  switch (worst) {
    case 'Succeeded':
    case 'Skipped':
      return 'Succeeded';
    case 'Aborted':
      return 'Aborted';
    case 'Failed':
      return 'Failed';
    default:
      return 'Errored';
  }
}

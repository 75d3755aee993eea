/**
 * The promotion's phase from its steps' statuses (Kargo's DetermineFinalPhase). What a single
 * step's attempt leads to is decided in step-completion.ts.
 */
import type { StepRecord } from '../project/state.js';
import type { PromotionPhase, StepStatus } from './types.js';

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

/**
 * Where a promotion's steps start again: from the first step in a new workspace (the worker
 * holding its workspace was lost), or at the step a failed promotion stopped at (a retry that
 * found the kept workspace). The step records and outputs are changed in place; the index of
 * the step to run next is returned.
 */
import type { StepRecord } from '../project/state.js';

/** Every step back to Pending with no errors: the promotion runs all of them again. */
export function restartFromFirstStep(steps: Pick<StepRecord, 'status' | 'errorCount'>[]): number {
  for (const s of steps) {
    s.status = 'Pending';
    s.errorCount = 0;
  }
  return 0;
}

/** What a failed promotion kept for its retry: where it stopped, its step records and outputs. */
export interface ResumePoint {
  failedStep: number;
  steps: readonly StepRecord[];
  outputs: Readonly<Record<string, Record<string, unknown>>>;
}

/**
 * The steps before the failed one keep the failed promotion's records and outputs (they are
 * not run again); the failed step and those after it run as new.
 */
export function resumeAtFailedStep(steps: StepRecord[], outputs: Record<string, Record<string, unknown>>, from: ResumePoint): number {
  const first = Math.max(0, Math.min(from.failedStep, steps.length));
  for (let i = 0; i < first; i++) {
    const earlier = from.steps[i];
    if (earlier) steps[i] = { ...earlier };
  }
  Object.assign(outputs, from.outputs);
  return first;
}

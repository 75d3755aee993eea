/**
 * Which of a promotion's steps run together in one activity (activities/run-steps.ts): the
 * step at `from` and those that follow it, up to a wait-for-approval (the workflow itself waits
 * for a person) or `MAX_STEPS_TOGETHER`. One activity instead of one per step saves a promotion
 * a round trip through Temporal per step, and the server a workflow task and three events.
 */
import type { PlannedStep } from './types.js';

/** The step kind whose waiting the workflow does itself, after its activity checked the config. */
export const WAIT_FOR_APPROVAL = 'wait-for-approval';

/** At most this many steps in one activity, so that one activity's timeout stays meaningful. */
export const MAX_STEPS_TOGETHER = 10;

/** How many steps from `from` run together: 1 for a wait-for-approval, which runs alone. */
export function stepsTogether(steps: readonly Pick<PlannedStep, 'uses'>[], from: number, max = MAX_STEPS_TOGETHER): number {
  if (from >= steps.length) return 0;
  if (steps[from]!.uses === WAIT_FOR_APPROVAL) return 1;
  let count = 1;
  while (count < max && from + count < steps.length && steps[from + count]!.uses !== WAIT_FOR_APPROVAL) count++;
  return count;
}

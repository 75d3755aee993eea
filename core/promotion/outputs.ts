/**
 * Where a step's output goes in the promotion's state (Kargo's `status.state`): under its alias;
 * a `compose-output` step inside a PromotionTask also merges its output into `<taskAlias>`, which
 * is how a task "returns" values to the steps after it.
 */
import type { PlannedStep } from './types.js';

export function recordStepOutput(
  outputs: Record<string, Record<string, unknown>>,
  step: Pick<PlannedStep, 'alias' | 'uses' | 'taskAlias'>,
  output: Record<string, unknown>,
): void {
  outputs[step.alias] = output;
  if (step.taskAlias !== undefined && step.uses === 'compose-output') {
    outputs[step.taskAlias] = { ...(outputs[step.taskAlias] ?? {}), ...output };
  }
}

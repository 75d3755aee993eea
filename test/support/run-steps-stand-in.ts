/**
 * Test workers stand in for runStep; the promotion workflow runs consecutive steps through
 * runSteps. This gives them the real runSteps (activities/run-steps.ts) over their runStep, so a
 * suite states only how each step answers.
 */
import { runSteps, stepFailureData, type RunStepsInput } from '../../activities/run-steps.js';
import type { RunStepInput, RunStepOutcome } from '../../activities/run-step.js';

// Activities have many shapes; the worker checks them by name only.
type ActivityFn = (...args: any[]) => Promise<unknown>;

/** `activities`, with runSteps over their runStep when they have one and no runSteps of their own. */
export function withRunSteps<A extends Record<string, ActivityFn>>(activities: A): A {
  const runStep = activities['runStep'] as ((input: RunStepInput) => Promise<RunStepOutcome>) | undefined;
  if (!runStep || activities['runSteps']) return activities;
  return { ...activities, runSteps: (input: RunStepsInput) => runSteps(input, runStep, stepFailureData) };
}

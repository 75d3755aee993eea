/**
 * runSteps: a promotion's consecutive steps in one activity, so that a promotion of four quick
 * steps makes one round trip through Temporal instead of four. Each step runs exactly as
 * runStep runs it alone, seeing the outputs, statuses and metadata the steps before it left, as
 * the workflow would have passed them. It stops after a step that is still Running or that
 * failed: the workflow goes on with that step as if runStep had answered it.
 */
import { ApplicationFailure } from '@temporalio/common';
import { WORKER_STOPPING } from '../core/promotion/worker-loss.js';
import { recordStepOutput } from '../core/promotion/outputs.js';
import { applyEffectsToSnapshot, type MetadataSnapshot } from '../core/project/effects.js';
import type { PlannedStep } from '../core/promotion/types.js';
import type { RunStepInput, RunStepOutcome } from './run-step.js';

export interface RunStepsInput extends Omit<RunStepInput, 'step'> {
  /** The steps to run in order (never a wait-for-approval: the workflow waits for that itself). */
  steps: PlannedStep[];
  /**
   * The steps end the promotion's plan: once every one of them is done (Succeeded or Skipped),
   * the workspace is released here, after the answer, instead of by an activity of its own.
   */
  releaseWhenDone?: boolean;
}

/** One step's attempt, with when it ran (the step's record shows these times). */
export interface StepRun {
  outcome: RunStepOutcome;
  startedAt: string;
  finishedAt: string;
}

/** A step's failure as runStep would have thrown it: its type, whether it may be retried, its message. */
export interface StepFailureData {
  type: string;
  retryable: boolean;
  message: string;
}

export interface RunStepsOutcome {
  /** The steps that ran, in order; only the last may be Running. */
  ran: StepRun[];
  /** The step after the last that ran, which failed; absent when none did. */
  failed?: { failure: StepFailureData; startedAt: string };
  /** The workspace is being released (releaseWhenDone, and every step done). */
  released?: true;
}

/**
 * Runs `input.steps` with `runOne`. The first step's failure is thrown, as runStep's would be; a
 * later step's failure comes back as `failed` (what ran before it must reach the workflow),
 * unless `failureData` gives nothing for it (a cancellation, a worker shutting down): then it is
 * thrown too, and the workflow handles it as it would for the batch's first step. With
 * `releaseWhenDone`, when every step is done, `release` starts the workspace's release (it must
 * not wait for it: the promotion's report to its project waits for this answer).
 */
export async function runSteps(
  input: RunStepsInput,
  runOne: (input: RunStepInput) => Promise<RunStepOutcome>,
  failureData: (err: unknown) => StepFailureData | undefined,
  release?: (workspaceKey: string) => void,
): Promise<RunStepsOutcome> {
  const { steps, releaseWhenDone, ...context } = input;
  const outputs = { ...input.outputs };
  const statuses = [...input.statuses];
  let metadata: MetadataSnapshot | undefined = input.metadata;
  const ran: StepRun[] = [];
  for (const step of steps) {
    const startedAt = new Date().toISOString();
    let outcome: RunStepOutcome;
    try {
      // Copies, as each runStep call gets its own: what a step keeps must not change under it.
      outcome = await runOne({ ...context, step, outputs: { ...outputs }, statuses: [...statuses], ...(metadata ? { metadata: structuredClone(metadata) } : {}) });
    } catch (err) {
      const failure = ran.length > 0 ? failureData(err) : undefined;
      if (!failure) throw err;
      return { ran, failed: { failure, startedAt } };
    }
    ran.push({ outcome, startedAt, finishedAt: new Date().toISOString() });
    if (outcome.status === 'Running') break;
    if (outcome.output) recordStepOutput(outputs, step, outcome.output);
    if (outcome.effects?.length) {
      metadata ??= { freight: {}, stages: {} };
      applyEffectsToSnapshot(metadata, outcome.effects);
    }
    statuses.push({ alias: step.alias, status: outcome.status, continueOnError: step.continueOnError ?? false });
  }
  if (releaseWhenDone && release && ran.length === steps.length && ran.at(-1)?.outcome.status !== 'Running') {
    release(input.workspaceKey);
    return { ran, released: true };
  }
  return { ran };
}

/**
 * A later step's failure as data, from what runStep's activity throws (activities/failure.ts
 * toStepFailure): an ApplicationFailure with the step's error type and whether it may be retried.
 * Nothing for a cancellation or a worker shutting down, which end the whole activity.
 */
export function stepFailureData(thrown: unknown): StepFailureData | undefined {
  if (!(thrown instanceof ApplicationFailure) || thrown.type === WORKER_STOPPING) return undefined;
  const retryable = (thrown.details?.[0] as { retryable?: boolean } | undefined)?.retryable === true;
  return { type: thrown.type ?? '', retryable, message: thrown.message };
}

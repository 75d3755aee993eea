/**
 * promotionWorkflow: runs one promotion's steps in order, each an activity on the worker that
 * holds the promotion's workspace. Decisions (skip, error threshold, timeout, final phase)
 * come from core/promotion/step-outcome.ts; this file only sequences them.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  getExternalWorkflowHandle,
  log,
  proxyActivities,
  setHandler,
  sleep,
  TimeoutFailure,
} from '@temporalio/workflow';
import type { StepRecord } from '../core/project/state.js';
import { applyEffectsToSnapshot, type MetadataSnapshot, type StepEffect } from '../core/project/effects.js';
import { parseDuration } from '../core/promotion/durations.js';
import { recordStepOutput } from '../core/promotion/outputs.js';
import { finalPhase, stepLimits, type StepErrorKind } from '../core/promotion/step-outcome.js';
import type { FreightCollection, FreightReference, PromotionPhase, PromotionPlan } from '../core/promotion/types.js';
import type { createActivities } from '../activities/index.js';
import { promotionFinishedSignal, promotionStatusQuery, type PromotionFinished } from './definitions.js';

type Activities = ReturnType<typeof createActivities>;

export interface PromotionWorkflowInput {
  project: string;
  stage: string;
  promotion: string;
  actor?: string;
  plan: PromotionPlan;
  freight: FreightCollection;
  targetFreight: FreightReference;
  requestedOrigins: string[];
  /** The project workflow to tell when this promotion ends. */
  parentWorkflowId?: string;
  /** How long a step may wait for its worker before the worker counts as lost (default 5m). */
  workerLostAfter?: string;
  /** Freight and stage metadata when the promotion started (freightMetadata(), stageMetadata()). */
  metadata?: MetadataSnapshot;
}

/** How many times a promotion may lose its worker and start its steps again elsewhere. */
const MAX_WORKSPACE_RESTARTS = 5;

/** Activities any worker may run, on the workflow's own (shared) task queue. */
const shared = proxyActivities<Activities>({
  startToCloseTimeout: '2m',
  retry: { initialInterval: '1s', maximumInterval: '30s' },
});

export async function promotionWorkflow(input: PromotionWorkflowInput): Promise<PromotionFinished> {
  const steps: StepRecord[] = input.plan.steps.map((s) => ({
    alias: s.alias,
    uses: s.uses,
    status: 'Pending',
    errorCount: 0,
    continueOnError: s.continueOnError,
  }));
  const outputs: Record<string, Record<string, unknown>> = {};
  const effects: StepEffect[] = [];
  const metadata: MetadataSnapshot = input.metadata ?? { freight: {}, stages: {} };
  const startedAt = nowIso();
  let phase: PromotionPhase = 'Running';
  let currentStep: number | undefined;
  let message: string | undefined;

  setHandler(promotionStatusQuery, () => ({
    name: input.promotion,
    phase,
    steps,
    state: outputs,
    startedAt,
    ...(currentStep !== undefined ? { currentStep } : {}),
    ...(message ? { message } : {}),
  }));

  let workspace = await shared.prepareWorkspace({ promotion: input.promotion });
  let restarts = 0;

  for (let i = 0; i < input.plan.steps.length; i++) {
    currentStep = i;
    const step = input.plan.steps[i]!;
    const record = steps[i]!;
    const limits = stepLimits(step);
    const firstStartMs = Date.now();
    record.status = 'Running';
    record.startedAt = nowIso();
    record.errorCount = 0;
    delete record.message;

    const onWorker = proxyActivities<Activities>({
      taskQueue: workspace.taskQueue,
      startToCloseTimeout: '15m',
      heartbeatTimeout: '1m',
      // A worker that stops polling its own queue has died: start the steps again elsewhere.
      scheduleToStartTimeout: input.workerLostAfter ?? '5m',
      // Step errors come back as non-retryable failures and count against the step's error
      // threshold below; Temporal retries only what the step never saw (timeouts, lost workers).
      retry: { initialInterval: '1s', maximumInterval: '30s', maximumAttempts: 20 },
      summary: `${step.alias} (${step.uses})`,
    });

    let restart = false;
    for (;;) {
      try {
        const outcome = await onWorker.runStep({
          project: input.project,
          stage: input.stage,
          promotion: input.promotion,
          ...(input.actor ? { actor: input.actor } : {}),
          freight: input.freight,
          targetFreight: { name: input.targetFreight.name, alias: input.targetFreight.alias, origin: input.targetFreight.origin },
          requestedOrigins: input.requestedOrigins,
          workspaceKey: workspace.workspaceKey,
          step,
          promotionVars: input.plan.vars,
          outputs,
          statuses: steps.slice(0, i).map((s) => ({ alias: s.alias, status: s.status, continueOnError: s.continueOnError ?? false })),
          ...(input.metadata || effects.length > 0 ? { metadata } : {}),
        });
        if (outcome.output) recordStepOutput(outputs, step, outcome.output);
        if (outcome.status !== 'Running' && outcome.effects?.length) {
          effects.push(...outcome.effects);
          applyEffectsToSnapshot(metadata, outcome.effects);
        }
        if (outcome.message) record.message = outcome.message;
        if (outcome.status === 'Running') {
          const waitMs = parseDuration(outcome.retryAfter);
          if (limits.timeoutMs !== undefined && Date.now() + waitMs - firstStartMs > limits.timeoutMs) {
            record.status = 'Errored';
            record.message = `step timed out after ${step.retry.timeout ?? limits.timeoutMs + 'ms'}`;
            break;
          }
          await sleep(waitMs);
          continue;
        }
        record.status = outcome.status;
        break;
      } catch (err) {
        if (workerLost(err) && restarts < MAX_WORKSPACE_RESTARTS) {
          restarts++;
          log.warn('promotion lost its worker; starting its steps again on another', { promotion: input.promotion, step: step.alias });
          workspace = await shared.prepareWorkspace({ promotion: `${input.promotion}-r${restarts}` });
          restart = true;
          break;
        }
        const stepError = classify(err);
        record.errorCount++;
        record.message = stepError.message;
        const timedOut = limits.timeoutMs !== undefined && Date.now() - firstStartMs > limits.timeoutMs;
        if (stepError.kind === 'retryable' && record.errorCount < limits.errorThreshold && !timedOut) {
          await sleep(Math.min(1000 * 2 ** (record.errorCount - 1), 30_000));
          continue;
        }
        record.status = stepError.kind === 'failed' ? 'Failed' : 'Errored';
        if (stepError.kind === 'retryable' && limits.errorThreshold > 1) {
          record.message = `${stepError.message} (met error threshold of ${limits.errorThreshold})`;
        }
        break;
      }
    }
    if (restart) {
      for (const s of steps) {
        s.status = 'Pending';
        s.errorCount = 0;
      }
      i = -1;
      continue;
    }
    record.finishedAt = nowIso();
  }
  currentStep = undefined;

  phase = finalPhase(steps);
  const failed = steps.find((s) => !s.continueOnError && (s.status === 'Failed' || s.status === 'Errored'));
  message = failed ? `step "${failed.alias}" (${failed.uses}) ${failed.status.toLowerCase()}: ${failed.message ?? ''}`.trim() : undefined;

  try {
    const owner = proxyActivities<Activities>({
      taskQueue: workspace.taskQueue,
      startToCloseTimeout: '2m',
      scheduleToStartTimeout: '1m',
      retry: { maximumAttempts: 3 },
    });
    await owner.releaseWorkspace({ workspaceKey: workspace.workspaceKey });
  } catch (err) {
    log.warn('could not release the promotion workspace', { promotion: input.promotion, error: String(err) });
  }

  const finished: PromotionFinished = {
    name: input.promotion,
    phase,
    steps,
    state: outputs,
    startedAt,
    finishedAt: nowIso(),
    ...(message ? { message } : {}),
    ...(effects.length > 0 ? { effects } : {}),
  };
  if (input.parentWorkflowId) {
    try {
      await getExternalWorkflowHandle(input.parentWorkflowId).signal(promotionFinishedSignal, finished);
    } catch (err) {
      log.warn('could not tell the project workflow that the promotion ended', { error: String(err) });
    }
  }
  return finished;
}

function workerLost(err: unknown): boolean {
  return (
    err instanceof ActivityFailure &&
    err.cause instanceof TimeoutFailure &&
    err.cause.timeoutType === 'SCHEDULE_TO_START'
  );
}

/** What a failed runStep means for the step: failed (business), errored for good, or worth another try. */
function classify(err: unknown): { kind: StepErrorKind; message: string } {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure) {
    const retryable = (cause.details?.[0] as { retryable?: boolean } | undefined)?.retryable === true;
    if (cause.type === 'StepFailed') return { kind: 'failed', message: cause.message };
    return { kind: retryable ? 'retryable' : 'errored', message: cause.message };
  }
  if (cause instanceof Error) return { kind: 'retryable', message: cause.message };
  return { kind: 'retryable', message: String(cause) };
}

function nowIso(): string {
  return new Date().toISOString();
}

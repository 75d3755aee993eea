/**
 * promotionWorkflow: runs one promotion's steps in order, each an activity on the worker that
 * holds the promotion's workspace. Whether a step is done, polled or retried comes from
 * core/promotion/step-completion.ts, the final phase from step-outcome.ts: this file only asks,
 * sleeps and calls.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  sleep,
  TimeoutFailure,
} from '@temporalio/workflow';
import { approverIssue } from '../core/project/approval-gate.js';
import { handlersFirst, HANDLERS_FIRST_PATCH } from './handlers-first.js';
import { patchSet } from './patch-set.js';
import type { ApprovalRequest, KeptWorkspace, PromotionApproval, StepRecord } from '../core/project/state.js';
import { applyEffectsToSnapshot, type MetadataSnapshot, type StepEffect } from '../core/project/effects.js';
import { parseDuration } from '../core/duration.js';
import { recordStepOutput } from '../core/promotion/outputs.js';
import { planDigest } from '../core/promotion/plan-digest.js';
import { restartFromFirstStep, resumeAtFailedStep } from '../core/promotion/restart.js';
import { finalPhase } from '../core/promotion/step-outcome.js';
import {
  classifyStepError,
  stepCompletion,
  stepLimits,
  stepTimeoutText,
  type StepAttemptResult,
  type StepCompletion,
} from '../core/promotion/step-completion.js';
import { stepsTogether, WAIT_FOR_APPROVAL } from '../core/promotion/steps-together.js';
import { failsPromotion, type PlannedStep, type PromotionPhase, type PromotionPlan } from '../core/promotion/types.js';
import { promotionContextOf, type PromotionContext } from '../core/promotion/context.js';
import { afterWorkerLoss, DEFAULT_STEP_HEARTBEAT_TIMEOUT, workerLossOf, type WorkerLossRule } from '../core/promotion/worker-loss.js';
import type { createActivities, RunStepInput, RunStepOutcome } from '../activities/index.js';
import {
  approvePromotionUpdate,
  promotionFinishedSignal,
  promotionPingSignal,
  promotionProgressSignal,
  promotionRefreshSignal,
  promotionStatusQuery,
  type PromotionFinished,
  type PromotionProgress,
} from './definitions.js';

type Activities = ReturnType<typeof createActivities>;

/** The promotion's context (built by the project workflow, passed on to every step unchanged) and how to run it. */
export interface PromotionWorkflowInput extends PromotionContext {
  plan: PromotionPlan;
  /** The project workflow to tell when this promotion ends. */
  parentWorkflowId?: string;
  /**
   * How long a step may wait for its worker to pick it up before the worker counts as lost
   * (default 5m). A worker lost while it runs a step is found by the step's heartbeat timeout,
   * which the worker holding the workspace names (prepareWorkspace, SHUNT_STEP_HEARTBEAT_TIMEOUT).
   */
  workerLostAfter?: string;
  /** Freight and stage metadata when the promotion started (freightMetadata(), stageMetadata()). */
  metadata?: MetadataSnapshot;
  /** The stage requires a person's approval before the first step runs. */
  approvalGate?: { approverNotRequester: boolean };
  /** A retry: the failed promotion's kept workspace and results, to resume at the failed step. */
  resume?: { workspace: KeptWorkspace; steps: StepRecord[]; outputs: Record<string, Record<string, unknown>> };
  /** Workspaces earlier failed promotions of the stage kept; released when this one ends. */
  staleWorkspaces?: Array<{ workspaceKey: string; taskQueue: string }>;
}

/**
 * Since this patch, consecutive steps up to a wait for approval run in one activity (runSteps,
 * core/promotion/steps-together.ts); before, each step was an activity of its own.
 */
export const RUN_STEPS_TOGETHER_PATCH = 'run-steps-together';

/**
 * Since this patch the runSteps activity that runs a promotion's last steps releases its
 * workspace once they are all done (no release activity after the report); before, the
 * workflow always released it with an activity of its own.
 */
export const RELEASE_WITH_LAST_STEPS_PATCH = 'release-with-last-steps';

/** Step i's first attempt, made by runSteps with the steps before it: what it answered, or its failure. */
type CarriedAttempt = { startedAt?: string } & ({ outcome: RunStepOutcome } | { error: unknown });

/** How many times a promotion may lose its worker and start its steps again elsewhere (before heartbeat failover). */
const MAX_WORKSPACE_RESTARTS = 5;

/**
 * Since this patch a promotion tells its project it ended before it releases its workspaces;
 * before, the release (an activity on the workspace's worker) came first.
 */
export const REPORT_BEFORE_RELEASE_PATCH = 'report-before-release';

/** Where the steps run: the workspace, its worker's queue and that worker's step heartbeat timeout. */
type StepWorkspace = { workspaceKey: string; taskQueue: string; heartbeatTimeout?: string };

/** Activities any worker may run, on the workflow's own (shared) task queue. */
const shared = proxyActivities<Activities>({
  startToCloseTimeout: '2m',
  retry: { initialInterval: '1s', maximumInterval: '30s' },
});

/**
 * Since this patch the workspace is made by a local activity, on the worker that runs the
 * promotion's first workflow task, whose steps then go to that worker's queue; before, by an
 * activity on the shared queue (a round trip through the server and one workflow task more).
 */
export const PREPARE_WORKSPACE_LOCALLY_PATCH = 'prepare-workspace-locally';

/** Activities the worker running the workflow task runs itself (recorded as markers). */
const local = proxyLocalActivities<Activities>({
  startToCloseTimeout: '2m',
  retry: { initialInterval: '1s', maximumInterval: '30s' },
});

/**
 * The marker of every behaviour below, recorded once by each promotion started since it (see
 * patch-set.ts): one marker and one visibility write a promotion instead of five.
 */
export const PROMOTION_PATCHES_2026_12 = 'promotion-patches-2026-12';

const PROMOTION_PATCHES = [
  PREPARE_WORKSPACE_LOCALLY_PATCH,
  'step-heartbeat-failover',
  RUN_STEPS_TOGETHER_PATCH,
  RELEASE_WITH_LAST_STEPS_PATCH,
  'kargo-step-timeout',
  'refresh-during-check',
  'refresh-wakes-running-step',
  'keep-failed-workspace',
  REPORT_BEFORE_RELEASE_PATCH,
  HANDLERS_FIRST_PATCH,
] as const;

export async function promotionWorkflow(input: PromotionWorkflowInput): Promise<PromotionFinished> {
  const patched = patchSet(PROMOTION_PATCHES_2026_12, PROMOTION_PATCHES);
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
  let waiting: ApprovalRequest | undefined;
  let granted: PromotionApproval | undefined;
  const approvals: PromotionApproval[] = [];

  setHandler(promotionStatusQuery, () => ({
    name: input.promotion,
    phase,
    steps,
    state: outputs,
    startedAt,
    ...(currentStep !== undefined ? { currentStep } : {}),
    ...(message ? { message } : {}),
    ...(waiting ? { waitingForApproval: waiting } : {}),
    ...(approvals.length ? { approvals } : {}),
  }));

  setHandler(promotionPingSignal, () => undefined);
  /** A refresh of the stage (`shunt refresh stage`) asks for a waiting step to be checked now. */
  let refreshRequested = false;
  let refreshes = 0;
  setHandler(promotionRefreshSignal, () => {
    refreshRequested = true;
    refreshes++;
  });

  setHandler(
    approvePromotionUpdate,
    (request) => {
      granted ??= { gate: waiting!.gate, approvedBy: request.actor ?? 'anonymous', approvedAt: nowIso() };
      return granted;
    },
    {
      validator: (request) => {
        if (!waiting || granted) {
          throw ApplicationFailure.create({
            type: 'FailedPrecondition',
            message: `promotion ${input.promotion} is not waiting for approval`,
            nonRetryable: true,
          });
        }
        const issue = approverIssue(waiting, input.actor, request.actor);
        if (issue) throw ApplicationFailure.create({ type: 'FailedPrecondition', message: issue, nonRetryable: true });
      },
    },
  );

  /** Waits, holding no worker, until a person approves; the project and the Web UI show the wait. */
  const waitForApproval = async (request: ApprovalRequest): Promise<PromotionApproval> => {
    waiting = request;
    granted = undefined;
    setCurrentDetails(`Waiting for approval (${request.gate})${request.message ? `: ${request.message}` : ''}`);
    await tellProject({ name: input.promotion, waitingForApproval: request, approvals: [...approvals] });
    await condition(() => granted !== undefined);
    await handlersFirst(patched);
    const approval = granted!;
    waiting = undefined;
    approvals.push(approval);
    setCurrentDetails(`Approved (${approval.gate}) by ${approval.approvedBy} at ${approval.approvedAt}`);
    await tellProject({ name: input.promotion, approvals: [...approvals] });
    return approval;
  };
  const tellProject = async (progress: PromotionProgress): Promise<void> => {
    if (!input.parentWorkflowId) return;
    try {
      await getExternalWorkflowHandle(input.parentWorkflowId).signal(promotionProgressSignal, progress);
    } catch (err) {
      if (isCancellation(err)) throw err;
      log.warn('could not tell the project workflow about the promotion', { error: String(err) });
    }
  };

  let workspace: StepWorkspace | undefined;
  /** The runSteps activity that ran the last steps released the workspace. */
  let released = false;
  let aborted = false;
  /** The worker was lost too many times: the promotion ends Errored, its workspace left to that worker's clean-up. */
  let gaveUp = false;
  let firstStep = 0;
  try {
    if (input.approvalGate) {
      await waitForApproval({ gate: 'stage', since: nowIso(), approverNotRequester: input.approvalGate.approverNotRequester });
    }
    if (input.resume) {
      const resumed = await resumeIn(input.resume.workspace, input.plan);
      if (resumed) {
        workspace = resumed;
        firstStep = resumeAtFailedStep(steps, outputs, { ...input.resume, failedStep: input.resume.workspace.failedStep });
        log.info('retry resumes at the failed step in the kept workspace', { promotion: input.promotion, step: firstStep });
      }
    }
    workspace ??= await (patched(PREPARE_WORKSPACE_LOCALLY_PATCH) ? local : shared).prepareWorkspace({ promotion: input.promotion });
    let restarts = 0;

    /** Shown on the first step run again after a lost worker, until it is done. */
    let restartNote: string | undefined;

    const statusesBefore = (index: number): RunStepInput['statuses'] =>
      steps.slice(0, index).map((s) => ({ alias: s.alias, status: s.status, continueOnError: s.continueOnError ?? false }));
    /** Records what one attempt of a step gave (its output, effects, message) and how it counts. */
    const applyOutcome = (planned: PlannedStep, record: StepRecord, outcome: RunStepOutcome): StepAttemptResult => {
      if (outcome.output) recordStepOutput(outputs, planned, outcome.output);
      if (outcome.status !== 'Running' && outcome.effects?.length) {
        effects.push(...outcome.effects);
        applyEffectsToSnapshot(metadata, outcome.effects);
      }
      if (outcome.message) record.message = outcome.message;
      // Lenient (spaces, `d`): histories recorded before core/duration.ts may carry such values;
      // step configs (DurationText) now refuse them, so no new one is made.
      return outcome.status === 'Running' ? { status: 'Running', retryAfterMs: parseDuration(outcome.retryAfter.trim(), { days: true }) } : { status: outcome.status };
    };
    /** A step is done: its status, errors and message as stepCompletion decided. */
    const finish = (record: StepRecord, decision: Extract<StepCompletion, { next: 'done' }>): void => {
      record.status = decision.status;
      record.errorCount = decision.errorCount;
      if (restartNote !== undefined && record.message === restartNote) delete record.message;
      restartNote = undefined;
      if (decision.message !== undefined) record.message = decision.message;
    };

    let i = firstStep;
    /** Step i's first attempt, already made by the runSteps activity that ran the steps before it. */
    let carried: CarriedAttempt | undefined;
    steps: while (i < input.plan.steps.length) {
      currentStep = i;
      const step = input.plan.steps[i]!;
      const record = steps[i]!;
      const limits = stepLimits(step);
      const timeoutText = stepTimeoutText(step);
      let firstStartedMs = Date.now();
      record.status = 'Running';
      record.startedAt = nowIso();
      record.errorCount = 0;
      delete record.message;
      if (restartNote) record.message = restartNote;
      let first = carried;
      carried = undefined;
      if (first?.startedAt !== undefined) {
        record.startedAt = first.startedAt;
        firstStartedMs = Date.parse(first.startedAt);
      }

      // A step whose worker stops heartbeating comes back to the workflow at once (no retry on
      // the dead worker's queue), which starts the steps again on another worker.
      const lossRule: WorkerLossRule = patched('step-heartbeat-failover') ? 'heartbeat' : 'not-picked-up';
      const heartbeatTimeout = lossRule === 'heartbeat' ? (workspace.heartbeatTimeout ?? DEFAULT_STEP_HEARTBEAT_TIMEOUT) : '1m';
      const scheduleToStartTimeout = input.workerLostAfter ?? '5m';
      const onWorkerFor = (summary: string, stepCount: number): Activities =>
        proxyActivities<Activities>({
          taskQueue: workspace!.taskQueue,
          startToCloseTimeout: parseDuration('15m') * stepCount,
          // In milliseconds: the settings are Go durations (`1m0s`), which Temporal's own parser refuses.
          heartbeatTimeout: parseDuration(heartbeatTimeout),
          // A worker that stops polling its own queue has died: start the steps again elsewhere.
          scheduleToStartTimeout: parseDuration(scheduleToStartTimeout),
          // Step errors come back as non-retryable failures and count against the step's error
          // threshold (core/promotion/step-completion.ts). Before heartbeat failover, Temporal
          // retried what the step never saw (timeouts, lost workers) on the same worker's queue;
          // now those come back to the workflow: a lost worker restarts the steps elsewhere, a
          // step that overran its start-to-close timeout counts as a retryable step error.
          retry:
            lossRule === 'heartbeat'
              ? { maximumAttempts: 1 }
              : { initialInterval: '1s', maximumInterval: '30s', maximumAttempts: 20 },
          summary,
        });
      const onWorker = onWorkerFor(`${step.alias} (${step.uses})`, 1);

      // The steps from this one up to a wait for approval run in one activity; each is recorded as
      // if it had run alone. A step still Running, or one that failed, goes on below.
      const together = first === undefined && lossRule === 'heartbeat' ? stepsTogether(input.plan.steps, i) : 1;
      if (together > 1 && patched(RUN_STEPS_TOGETHER_PATCH)) {
        const batch = input.plan.steps.slice(i, i + together);
        // Only when the promotion would end Succeeded with them: a failed one keeps its workspace for a retry.
        const releaseWhenDone = i + together === input.plan.steps.length && !steps.slice(0, i).some(failsPromotion) && patched(RELEASE_WITH_LAST_STEPS_PATCH);
        try {
          const ran = await onWorkerFor(`${batch[0]!.alias} … ${batch[batch.length - 1]!.alias} (${together} steps)`, together).runSteps({
            ...promotionContextOf(input),
            workspaceKey: workspace.workspaceKey,
            steps: batch,
            promotionVars: input.plan.vars,
            outputs,
            statuses: statusesBefore(i),
            ...(input.metadata || effects.length > 0 ? { metadata } : {}),
            ...(releaseWhenDone ? { releaseWhenDone } : {}),
          });
          if (ran.released) released = true;
          for (const run of ran.ran) {
            if (run.outcome.status === 'Running') {
              carried = { outcome: run.outcome, startedAt: run.startedAt };
              break;
            }
            const done = steps[i]!;
            if (done !== record) delete done.message;
            applyOutcome(input.plan.steps[i]!, done, run.outcome);
            // Succeeded or Skipped: done at once, whatever its limits (stepCompletion).
            finish(done, { next: 'done', status: run.outcome.status, errorCount: 0 });
            done.startedAt = run.startedAt;
            done.finishedAt = run.finishedAt;
            i++;
          }
          if (ran.failed) {
            const { type, retryable, message: failed } = ran.failed.failure;
            carried = { error: ApplicationFailure.create({ type, message: failed, nonRetryable: true, details: [{ retryable }] }), startedAt: ran.failed.startedAt };
          }
          continue steps;
        } catch (err) {
          if (isCancellation(err)) throw err;
          first = { error: err };
        }
      }

      let restart = false;
      for (;;) {
        let result: StepAttemptResult;
        const refreshesBeforeCheck = refreshes;
        const answered = first;
        first = undefined;
        try {
          if (answered && 'error' in answered) throw answered.error;
          const outcome =
            answered?.outcome ??
            (await onWorker.runStep({
              ...promotionContextOf(input),
              workspaceKey: workspace.workspaceKey,
              step,
              promotionVars: input.plan.vars,
              outputs,
              statuses: statusesBefore(i),
              ...(input.metadata || effects.length > 0 ? { metadata } : {}),
            }));
          result = applyOutcome(step, record, outcome);
          if (step.uses === WAIT_FOR_APPROVAL && outcome.status === 'Succeeded') {
            const config = outcome.output ?? {};
            const approval = await waitForApproval({
              gate: step.alias,
              since: nowIso(),
              ...(typeof config['message'] === 'string' ? { message: config['message'] } : {}),
              approverNotRequester: config['approverNotRequester'] === true,
            });
            outputs[step.alias] = { ...config, approvedBy: approval.approvedBy, approvedAt: approval.approvedAt };
          }
        } catch (err) {
          if (isCancellation(err)) throw err;
          const failure = failureOf(err);
          const lost = lossRule === 'heartbeat' ? workerLossOf(failure, lossRule) : undefined;
          if (lost) {
            const decision = afterWorkerLoss({ cause: lost, restartsSoFar: restarts, heartbeatTimeout, scheduleToStartTimeout });
            record.message = decision.message;
            if (decision.next === 'done') {
              record.status = decision.status;
              record.finishedAt = nowIso();
              gaveUp = true;
              break steps;
            }
            restarts = decision.restarts;
            restartNote = decision.message;
            log.warn('promotion lost its worker; starting its steps again on another', { promotion: input.promotion, step: step.alias, cause: lost });
            workspace = await shared.prepareWorkspace({ promotion: `${input.promotion}-r${restarts}` });
            restart = true;
            break;
          }
          if (lossRule === 'not-picked-up' && workerLost(err) && restarts < MAX_WORKSPACE_RESTARTS) {
            restarts++;
            log.warn('promotion lost its worker; starting its steps again on another', { promotion: input.promotion, step: step.alias });
            workspace = await shared.prepareWorkspace({ promotion: `${input.promotion}-r${restarts}` });
            restart = true;
            break;
          }
          result = { status: 'Error', ...classifyStepError(failure) };
        }

        const decision = stepCompletion({
          result,
          attempts: { errorCount: record.errorCount, firstStartedMs },
          limits,
          ...(timeoutText ? { timeoutText } : {}),
          // Histories recorded before Kargo's soft timeout replay with the rule they were made with.
          timeoutRule: limits.timeoutMs !== undefined && !patched('kargo-step-timeout') ? 'before-next-poll' : 'kargo',
          nowMs: Date.now(),
        });
        if (decision.next === 'done') {
          finish(record, decision);
          break;
        }
        if (decision.next === 'retry') {
          record.errorCount = decision.errorCount;
          record.message = decision.message;
          await sleep(decision.afterMs);
          continue;
        }
        if (patched('refresh-during-check')) {
          // A refresh that came while the step was being checked asks for one more check now.
          await condition(() => refreshes > refreshesBeforeCheck, decision.afterMs);
        } else if (patched('refresh-wakes-running-step')) {
          refreshRequested = false;
          await condition(() => refreshRequested, decision.afterMs);
        } else {
          await sleep(decision.afterMs);
        }
      }
      if (restart) {
        i = restartFromFirstStep(steps);
        continue;
      }
      record.finishedAt = nowIso();
      i++;
    }
  } catch (err) {
    if (!isCancellation(err)) throw err;
    aborted = true;
    for (const s of steps) {
      if (s.status === 'Running') {
        s.status = 'Aborted';
        s.finishedAt = nowIso();
      }
    }
  }
  currentStep = undefined;
  waiting = undefined;

  phase = aborted ? 'Aborted' : gaveUp ? 'Errored' : finalPhase(steps);
  const failed = gaveUp
    ? steps.find((s) => s.status === 'Errored')
    : steps.find(failsPromotion);
  message = aborted
    ? 'promotion aborted'
    : failed ? `step "${failed.alias}" (${failed.uses}) ${failed.status.toLowerCase()}: ${failed.message ?? ''}`.trim() : undefined;

  // Cleaning up and reporting must happen even when the promotion was aborted (cancelled).
  return CancellationScope.nonCancellable(async () => {
    let kept: KeptWorkspace | undefined;
    const toRelease: StepWorkspace[] = [];
    // Given up on a lost worker: its workspace goes when that worker starts again.
    if (workspace && !gaveUp) {
      const failedAt = steps.findIndex(failsPromotion);
      const keep = (phase === 'Failed' || phase === 'Errored') && failedAt >= 0 && patched('keep-failed-workspace');
      if (keep) {
        kept = { ...workspace, failedStep: failedAt, planDigest: planDigest(input.plan) };
      } else if (!released) {
        toRelease.push(workspace);
      }
    }
    for (const stale of input.staleWorkspaces ?? []) {
      if (stale.workspaceKey !== workspace?.workspaceKey) toRelease.push(stale);
    }
    // The project hears of the end before the workspaces go: removing them is the worker's
    // clean-up (~200 ms), not part of the promotion, and the stage's next promotion need not wait.
    const reportFirst = patched(REPORT_BEFORE_RELEASE_PATCH);
    if (!reportFirst) for (const w of toRelease) await release(w, input.promotion);

    const finished: PromotionFinished = {
      name: input.promotion,
      phase,
      steps,
      state: outputs,
      startedAt,
      finishedAt: nowIso(),
      ...(message ? { message } : {}),
      ...(approvals.length ? { approvals } : {}),
      ...(kept ? { workspace: kept } : {}),
      ...(effects.length > 0 ? { effects } : {}),
    };
    if (input.parentWorkflowId) {
      try {
        await getExternalWorkflowHandle(input.parentWorkflowId).signal(promotionFinishedSignal, finished);
      } catch (err) {
        log.warn('could not tell the project workflow that the promotion ended', { error: String(err) });
      }
    }
    if (reportFirst) for (const w of toRelease) await release(w, input.promotion);
    return finished;
  });
}

/** The kept workspace, when it is still on its worker and the plan has not changed; else undefined. */
async function resumeIn(kept: KeptWorkspace, plan: PromotionPlan): Promise<StepWorkspace | undefined> {
  if (kept.planDigest !== planDigest(plan)) return undefined;
  const owner = proxyActivities<Activities>({
    taskQueue: kept.taskQueue,
    startToCloseTimeout: '1m',
    // The worker that holds the workspace may be gone: then the retry starts from the beginning.
    scheduleToStartTimeout: '1m',
    retry: { maximumAttempts: 1 },
  });
  try {
    const exists = await owner.workspaceExists({ workspaceKey: kept.workspaceKey });
    if (!exists) return undefined;
    return { workspaceKey: kept.workspaceKey, taskQueue: kept.taskQueue, ...(kept.heartbeatTimeout ? { heartbeatTimeout: kept.heartbeatTimeout } : {}) };
  } catch (err) {
    if (isCancellation(err)) throw err;
    return undefined;
  }
}

async function release(workspace: { workspaceKey: string; taskQueue: string }, promotion: string): Promise<void> {
  try {
    const owner = proxyActivities<Activities>({
      taskQueue: workspace.taskQueue,
      startToCloseTimeout: '2m',
      scheduleToStartTimeout: '1m',
      retry: { maximumAttempts: 3 },
    });
    await owner.releaseWorkspace({ workspaceKey: workspace.workspaceKey });
  } catch (err) {
    log.warn('could not release the promotion workspace', { promotion, error: String(err) });
  }
}

/** A worker lost as promotions recorded before heartbeat failover saw it: only a step nobody picked up. */
function workerLost(err: unknown): boolean {
  return (
    err instanceof ActivityFailure &&
    err.cause instanceof TimeoutFailure &&
    err.cause.timeoutType === 'SCHEDULE_TO_START'
  );
}

/** What a failed runStep reported: its failure type, whether it may be retried, its message; or the timeout it hit. */
function failureOf(err: unknown): { type?: string; retryable?: boolean; timeoutType?: string; message: string } {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure) {
    const retryable = (cause.details?.[0] as { retryable?: boolean } | undefined)?.retryable === true;
    return { type: cause.type ?? '', retryable, message: cause.message };
  }
  if (cause instanceof TimeoutFailure) return { timeoutType: String(cause.timeoutType), message: cause.message };
  return { message: cause instanceof Error ? cause.message : String(cause) };
}

function nowIso(): string {
  return new Date().toISOString();
}

/**
 * verificationWorkflow: verifies the freight a stage holds after a promotion. First the
 * analysis (Argo Rollouts AnalysisTemplates): as an AnalysisRun when the worker's cluster runs
 * Argo Rollouts, else measured by Shunt (web and prometheus; every metric measured by an
 * activity, as often as it asks; a metric that fails, errors or is inconclusive ends the run), or
 * refused with its cause when a provider needs Argo Rollouts and there is none
 * (core/verification/backend.ts). Then the soak: a durable timer, so a 24 h soak survives
 * restarts of workers and server and resumes with the time left. Every end is reported to the
 * project workflow, a failed activity too (as `Error` with its cause). Decisions come from
 * core/verification/; this file only sequences them.
 */
import {
  CancellationScope,
  condition,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  sleep,
} from '@temporalio/workflow';
import type { AnalysisTemplate, VerificationSpec } from '../core/model.js';
import type { VerificationPhase } from '../core/project/state.js';
import type { VerificationFinished } from '../core/project/verification.js';
import { parseDuration } from '../core/duration.js';
import {
  assessMetric,
  decidesRun,
  initialDelayMs,
  intervalMs,
  isTerminalPhase,
  newMetricResult,
  recordMeasurement,
  runPhase,
  type MetricResult,
} from '../core/verification/analysis.js';
import { resolveArgs, substituteArgs } from '../core/verification/args.js';
import { analysisPlan, withNote, type AnalysisPlan } from '../core/verification/backend.js';
import { failureCause } from '../core/failure-cause.js';
import { analysisRunMetadata, nativeArgValues, type ArgExpressionEnv } from '../core/verification/arg-expressions.js';
import type { createActivities } from '../activities/index.js';
import {
  promotionPingSignal,
  verificationFinishedSignal,
  verificationProgressSignal,
  verificationStatusQuery,
  type VerificationProgress,
} from './definitions.js';

type Activities = ReturnType<typeof createActivities>;

export interface VerificationWorkflowInput {
  project: string;
  stage: string;
  /** The verification's id (`<stage>.<ulid>.<collection>`). */
  id: string;
  templates: AnalysisTemplate[];
  args: { name: string; value: string }[];
  /** Go duration: the freight must stay this long before it counts as verified. */
  soak?: string;
  parentWorkflowId?: string;
  /** The stage's `verification.analysisRunMetadata`: labels and annotations of the AnalysisRun. */
  analysisRunMetadata?: VerificationSpec['analysisRunMetadata'];
  /** What `${{ }}` in the args may read: the stage's vars, the collection verified, its origins. */
  argEnv?: Omit<ArgExpressionEnv, 'project' | 'stage'>;
}

/** How often a cluster's AnalysisRun is looked at while it runs. */
const ANALYSIS_RUN_POLL = '5s';

/** How long Argo waits before measuring again after a measurement errored. */
const ERROR_RETRY_MS = 10_000;

const acts = proxyActivities<Activities>({
  startToCloseTimeout: '2m',
  retry: { initialInterval: '1s', maximumInterval: '30s', maximumAttempts: 5 },
});

export async function verificationWorkflow(input: VerificationWorkflowInput): Promise<VerificationFinished> {
  const { values } = resolveArgs(input.templates, input.args);
  const metrics = input.templates.flatMap((t) => t.spec.metrics.map((m) => substituteArgs(m, values)));
  const results: MetricResult[] = metrics.map((m) => newMetricResult(m.name));
  let phase: VerificationPhase = 'Running';
  let message: string | undefined;
  let soakUntil: string | undefined;

  setHandler(verificationStatusQuery, () => ({
    id: input.id,
    stage: input.stage,
    phase,
    metrics: results,
    ...(message ? { message } : {}),
    ...(soakUntil ? { soakUntil } : {}),
  }));
  setHandler(promotionPingSignal, () => undefined);

  const tellProject = async (progress: Omit<VerificationProgress, 'id' | 'stage'>): Promise<void> => {
    if (!input.parentWorkflowId) return;
    try {
      await getExternalWorkflowHandle(input.parentWorkflowId).signal(verificationProgressSignal, { id: input.id, stage: input.stage, ...progress });
    } catch (err) {
      if (isCancellation(err)) throw err;
      log.warn('could not tell the project workflow about the verification', { error: String(err) });
    }
  };

  try {
    let plan: AnalysisPlan = { kind: 'native' };
    if (metrics.length && patched('verification-analysis-backend')) {
      // Argo Rollouts when the cluster has it, else Shunt for the providers it measures itself.
      plan = analysisPlan(await acts.analysisBackend(), metrics);
    } else if (metrics.length && (await acts.analysisMode()) === 'cluster') {
      plan = { kind: 'cluster' };
    }
    const note = plan.kind === 'native' ? plan.note : undefined;
    // Natively, `${{ }}` in the args is evaluated here (in the cluster, the AnalysisRun's activity does it).
    const evaluated =
      metrics.length && plan.kind === 'native' && input.argEnv && patched('verification-arg-expressions')
        ? nativeArgValues(input.args, { project: input.project, stage: input.stage, ...input.argEnv })
        : undefined;
    if (plan.kind === 'refused') {
      phase = 'Error';
      message = plan.message;
      for (const r of results) r.phase = 'Error';
    } else if (plan.kind === 'cluster') {
      // The worker reaches a cluster: Argo Rollouts there runs the templates as an AnalysisRun.
      const ref = { namespace: input.project, name: input.id };
      setCurrentDetails(`AnalysisRun ${ref.name} in namespace ${ref.namespace}`);
      await acts.createAnalysisRun({
        ...ref,
        templates: input.templates as unknown as Array<Record<string, unknown>>,
        args: input.args,
        ...analysisRunMetadata(input.stage, input.analysisRunMetadata),
        ...(input.argEnv ? { argEnv: { project: input.project, stage: input.stage, ...input.argEnv } } : {}),
      });
      try {
        for (;;) {
          const run = await acts.readAnalysisRunPhase(ref);
          // Argo Rollouts' own counts, so the history shows what was measured.
          if (run.metrics && patched('analysis-run-metric-results')) results.splice(0, results.length, ...run.metrics);
          if (run.phase !== 'Pending' && run.phase !== 'Running') {
            phase = run.phase;
            message = run.message ?? `AnalysisRun ${ref.name} ${run.phase}`;
            break;
          }
          await sleep(ANALYSIS_RUN_POLL);
        }
      } catch (err) {
        if (isCancellation(err)) await CancellationScope.nonCancellable(() => acts.deleteAnalysisRun(ref));
        throw err;
      }
      await tellProject({ message });
    } else if (evaluated?.ok === false) {
      // An arg whose expression cannot be evaluated here: the verification errs, saying why.
      phase = 'Error';
      message = evaluated.message;
      await tellProject({ message });
    } else if (metrics.length) {
      if (evaluated?.ok) {
        const { values: argValues } = resolveArgs(input.templates, evaluated.args);
        metrics.splice(0, metrics.length, ...input.templates.flatMap((t) => t.spec.metrics.map((m) => substituteArgs(m, argValues))));
      }
      setCurrentDetails(`Analysing: ${metrics.map((m) => m.name).join(', ')}${note ? ` (${note})` : ''}`);
      if (note) {
        message = note;
        await tellProject({ message });
      }
      let terminating = false;
      await Promise.all(
        metrics.map(async (metric, i) => {
          const result = results[i]!;
          result.phase = 'Running';
          const delay = initialDelayMs(metric);
          if (delay > 0) await condition(() => terminating, delay);
          while (!terminating) {
            const measurement = await acts.measureMetric({ project: input.project, stage: input.stage, verification: input.id, metric });
            recordMeasurement(result, metric, measurement);
            await tellProject({ metrics: results });
            if (decidesRun(result)) {
              terminating = true;
              return;
            }
            if (isTerminalPhase(result.phase)) return;
            const wait = measurement.phase === 'Error' ? Math.min(intervalMs(metric) || ERROR_RETRY_MS, ERROR_RETRY_MS) : intervalMs(metric);
            await condition(() => terminating, wait);
          }
        }),
      );
      metrics.forEach((metric, i) => {
        const r = results[i]!;
        if (!isTerminalPhase(r.phase)) r.phase = assessMetric(r, metric, true).phase;
      });
      phase = runPhase(results) as VerificationPhase;
      message = withNote(results.find((r) => r.phase === phase && r.message)?.message, note);
      await tellProject({ metrics: results, ...(message ? { message } : {}) });
    } else {
      phase = 'Successful';
    }
    if (phase === 'Successful' && input.soak) {
      const ms = parseDuration(input.soak, { days: true });
      soakUntil = new Date(Date.now() + ms).toISOString();
      phase = 'Running';
      message = withNote(`soaking for ${input.soak}, until ${soakUntil}`, note);
      setCurrentDetails(`Soaking until ${soakUntil}`);
      await tellProject({ soakUntil, message });
      await sleep(ms);
      phase = 'Successful';
      message = withNote(`soaked for ${input.soak}`, note);
    }
  } catch (err) {
    if (isCancellation(err)) {
      phase = 'Aborted';
      message = 'verification aborted';
    } else if (patched('verification-reports-failures')) {
      // Reported like any other end, so the stage and freight show the cause.
      phase = 'Error';
      message = failureCause(err);
      log.warn('verification failed', { error: message });
    } else {
      throw err;
    }
  }
  soakUntil = undefined;
  setCurrentDetails(`Verification ${phase}${message ? `: ${message}` : ''}`);

  return CancellationScope.nonCancellable(async () => {
    const finished: VerificationFinished = {
      id: input.id,
      stage: input.stage,
      phase,
      finishTime: new Date().toISOString(),
      ...(message ? { message } : {}),
      ...(results.length ? { metrics: results } : {}),
    };
    if (input.parentWorkflowId) {
      try {
        await getExternalWorkflowHandle(input.parentWorkflowId).signal(verificationFinishedSignal, finished);
      } catch (err) {
        log.warn('could not tell the project workflow that the verification ended', { error: String(err) });
      }
    }
    return finished;
  });
}

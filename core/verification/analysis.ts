/**
 * Argo Rollouts' analysis rules, as pure functions: how one measurement's conditions become its
 * phase (`evaluateResult` in argo-rollouts utils/evaluate), how a metric's measurements become
 * its phase (`assessMetricStatus`), and how the metrics' phases become the run's phase
 * (`assessRunStatus`: the worst, once every metric is done; a failed metric stops the others).
 */
import type { AnalysisMetric } from '../model.js';
import { parseDuration } from '../duration.js';

export type AnalysisPhase = 'Pending' | 'Running' | 'Successful' | 'Failed' | 'Error' | 'Inconclusive';
export type MeasurementPhase = 'Successful' | 'Failed' | 'Inconclusive' | 'Error';

export interface Measurement {
  phase: MeasurementPhase;
  /** The measured value as JSON, shortened. */
  value?: string;
  message?: string;
  finishedAt: string;
}

export interface MetricResult {
  name: string;
  phase: AnalysisPhase;
  count: number;
  successful: number;
  failed: number;
  inconclusive: number;
  error: number;
  consecutiveError: number;
  /** The last few measurements, newest last. */
  measurements: Measurement[];
  message?: string;
}

/** Measurements kept per metric (Argo keeps 10 by default too). */
export const MEASUREMENTS_KEPT = 10;
const DEFAULT_CONSECUTIVE_ERROR_LIMIT = 4;

/** Argo's `EvaluateResult`: the phase of one measurement from its two conditions' outcomes. */
export function measurementPhase(
  conditions: { successCondition?: string; failureCondition?: string },
  success: boolean,
  failure: boolean,
): MeasurementPhase {
  const hasSuccess = Boolean(conditions.successCondition);
  const hasFailure = Boolean(conditions.failureCondition);
  if (!hasSuccess && !hasFailure) return 'Successful';
  if (hasSuccess && !hasFailure) failure = !success;
  if (!hasSuccess && hasFailure) success = !failure;
  if (failure) return 'Failed';
  if (success) return 'Successful';
  return 'Inconclusive';
}

export function newMetricResult(name: string): MetricResult {
  return { name, phase: 'Pending', count: 0, successful: 0, failed: 0, inconclusive: 0, error: 0, consecutiveError: 0, measurements: [] };
}

/** Adds a measurement to the metric's result and sets its phase (Argo's counting and assessMetricStatus). */
export function recordMeasurement(result: MetricResult, metric: AnalysisMetric, m: Measurement): MetricResult {
  if (m.phase === 'Error') {
    result.error++;
    result.consecutiveError++;
  } else {
    result.count++;
    result.consecutiveError = 0;
    if (m.phase === 'Successful') result.successful++;
    else if (m.phase === 'Failed') result.failed++;
    else result.inconclusive++;
  }
  result.measurements.push(m);
  result.measurements.splice(0, Math.max(0, result.measurements.length - MEASUREMENTS_KEPT));
  const assessed = assessMetric(result, metric, false);
  result.phase = assessed.phase;
  if (assessed.message) result.message = assessed.message;
  return result;
}

/** Argo's assessMetricStatus; `terminating` when another metric has already decided the run. */
export function assessMetric(result: MetricResult, metric: AnalysisMetric, terminating: boolean): { phase: AnalysisPhase; message?: string } {
  if (result.measurements.length === 0) return { phase: terminating ? 'Successful' : 'Pending' };
  const failureLimit = metric.failureLimit ?? 0;
  const inconclusiveLimit = metric.inconclusiveLimit ?? 0;
  const consecutiveErrorLimit = metric.consecutiveErrorLimit ?? DEFAULT_CONSECUTIVE_ERROR_LIMIT;
  if (failureLimit >= 0 && result.failed > failureLimit) {
    return { phase: 'Failed', message: `metric "${metric.name}" assessed Failed due to failed (${result.failed}) > failureLimit (${failureLimit})` };
  }
  if (inconclusiveLimit >= 0 && result.inconclusive > inconclusiveLimit) {
    return {
      phase: 'Inconclusive',
      message: `metric "${metric.name}" assessed Inconclusive due to inconclusive (${result.inconclusive}) > inconclusiveLimit (${inconclusiveLimit})`,
    };
  }
  if (consecutiveErrorLimit >= 0 && result.consecutiveError > consecutiveErrorLimit) {
    const last = result.measurements.at(-1)?.message;
    return {
      phase: 'Error',
      message: `metric "${metric.name}" assessed Error due to consecutiveErrors (${result.consecutiveError}) > consecutiveErrorLimit (${consecutiveErrorLimit})${last ? `: ${last}` : ''}`,
    };
  }
  if (terminating) return { phase: 'Successful' };
  const count = effectiveCount(metric);
  if (count !== undefined && result.count >= count) return { phase: 'Successful' };
  return { phase: 'Running' };
}

/** How many measurements a metric takes: `count`, else 1 without an interval, else unbounded. */
export function effectiveCount(metric: AnalysisMetric): number | undefined {
  if (metric.count !== undefined && metric.count > 0) return metric.count;
  return metric.interval ? undefined : 1;
}

export function isTerminalPhase(phase: AnalysisPhase): boolean {
  return phase === 'Successful' || phase === 'Failed' || phase === 'Error' || phase === 'Inconclusive';
}

/** Argo's order of badness: a run is as bad as its worst metric. */
const ORDER: readonly AnalysisPhase[] = ['Pending', 'Running', 'Successful', 'Inconclusive', 'Error', 'Failed'];

/** The run's phase: Running until every metric is done (or one went bad), then the worst. */
export function runPhase(results: readonly MetricResult[]): AnalysisPhase {
  if (results.length === 0) return 'Successful';
  if (results.some((r) => !isTerminalPhase(r.phase))) return 'Running';
  return results.reduce<AnalysisPhase>((worst, r) => (ORDER.indexOf(r.phase) > ORDER.indexOf(worst) ? r.phase : worst), 'Successful');
}

/** Whether a metric's result ends the run early (Argo's IsTerminating). */
export function decidesRun(result: MetricResult): boolean {
  return result.phase === 'Failed' || result.phase === 'Error' || result.phase === 'Inconclusive';
}

/** Milliseconds between measurements (0 when the metric takes one). */
export function intervalMs(metric: AnalysisMetric): number {
  return metric.interval ? parseDuration(metric.interval) : 0;
}

export function initialDelayMs(metric: AnalysisMetric): number {
  return metric.initialDelay ? parseDuration(metric.initialDelay) : 0;
}

/**
 * Who runs a verification's analysis, decided from what the worker found (an activity asks the
 * cluster) and the metrics' providers: Argo Rollouts in the worker's cluster, as an AnalysisRun;
 * else Shunt itself, for the providers it measures (activities/verification/measure.ts); else no
 * one, and the verification ends in `Error` at once with a message saying why and what to do
 * (Kargo's verification is `Error` too when its Rollouts integration is off).
 */
import type { AnalysisMetric } from '../model.js';

/** The metric providers Shunt measures itself, without Argo Rollouts. */
export const NATIVE_PROVIDERS: readonly string[] = ['web', 'prometheus'];

/** What the worker found out about running AnalysisRuns (the `analysisBackend` activity's answer). */
export type AnalysisBackend =
  | { runner: 'argo-rollouts' }
  /** `no-cluster`: the worker has no Kubernetes connection; `no-rollouts`: its cluster serves no AnalysisRun resource. */
  | { runner: 'shunt'; reason: 'no-cluster' | 'no-rollouts' };

export type AnalysisPlan =
  | { kind: 'cluster' }
  /** `note`: what the verification's status says about it (only when Argo Rollouts was expected). */
  | { kind: 'native'; note?: string }
  | { kind: 'refused'; message: string };

const NO_ROLLOUTS = 'Argo Rollouts is not installed in the cluster (its API server has no AnalysisRun resource in argoproj.io/v1alpha1)';

/** The status note of an analysis Shunt measured itself because the cluster has no Argo Rollouts. */
export const MEASURED_BY_SHUNT = `measured by Shunt: ${NO_ROLLOUTS}`;

/** A metric's provider: the one key of `provider` (`none` when it names none). */
export function providerOf(metric: AnalysisMetric): string {
  return Object.keys(metric.provider ?? {}).find((k) => metric.provider[k] !== undefined) ?? 'none';
}

/** How the verification's metrics are measured, given what the worker found. */
export function analysisPlan(backend: AnalysisBackend, metrics: readonly AnalysisMetric[]): AnalysisPlan {
  if (backend.runner === 'argo-rollouts') return { kind: 'cluster' };
  const others = metrics.filter((m) => !NATIVE_PROVIDERS.includes(providerOf(m)));
  if (others.length === 0) return backend.reason === 'no-rollouts' ? { kind: 'native', note: MEASURED_BY_SHUNT } : { kind: 'native' };
  const listed = others.map((m) => `"${m.name}" (provider ${providerOf(m)})`).join(', ');
  const subject = others.length === 1 ? `metric ${listed} needs` : `metrics ${listed} need`;
  const why =
    backend.reason === 'no-rollouts'
      ? NO_ROLLOUTS
      : 'this worker has no Kubernetes connection (set KUBECONFIG, or run the worker in the cluster)';
  return {
    kind: 'refused',
    message: `${subject} Argo Rollouts, and ${why}: install Argo Rollouts there, or measure with the web or prometheus provider, which Shunt runs itself`,
  };
}

/** A status message with the plan's note after it. */
export function withNote(message: string | undefined, note: string | undefined): string | undefined {
  if (!note) return message;
  return message ? `${message}; ${note}` : note;
}

/**
 * The activities of stage verification: one measurement of a metric, natively (web and
 * prometheus providers), or, when the worker has a cluster, a real Argo Rollouts AnalysisRun
 * through the Kubernetes API (activities/adapters/kubernetes/analysis-run.ts).
 */
import type { KubeClients } from '../adapters/kubernetes/client.js';
import { servesAnalysisRuns } from '../adapters/kubernetes/rollouts-discovery.js';
import type { AnalysisMetric } from '../../core/model.js';
import type { Measurement } from '../../core/verification/analysis.js';
import type { AnalysisBackend } from '../../core/verification/backend.js';
import { toApplicationFailure } from '../failure.js';
import { measure } from './measure.js';

export interface MeasureMetricInput {
  project: string;
  stage: string;
  verification: string;
  /** The metric with its `{{args.X}}` already substituted. */
  metric: AnalysisMetric;
}

export interface VerificationActivities {
  measureMetric(input: MeasureMetricInput): Promise<Measurement>;
  /**
   * `cluster` when this worker reaches a Kubernetes cluster, else `native`. Kept for verifications
   * started before `analysisBackend` (the workflow's `verification-analysis-backend` patch).
   */
  analysisMode(): Promise<'cluster' | 'native'>;
  /**
   * Who can run AnalysisRuns: Argo Rollouts when this worker reaches a cluster that serves them,
   * else Shunt, saying why (no cluster, or a cluster without Argo Rollouts).
   */
  analysisBackend(): Promise<AnalysisBackend>;
}

async function boundary<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toApplicationFailure(err);
  }
}

export function createVerificationActivities(deps: { cluster?: KubeClients }): VerificationActivities {
  return {
    async measureMetric(input) {
      return boundary(() => measure(input.metric));
    },
    async analysisMode() {
      return deps.cluster ? 'cluster' : 'native';
    },
    async analysisBackend() {
      const cluster = deps.cluster;
      if (!cluster) return { runner: 'shunt', reason: 'no-cluster' };
      return boundary(async () => ((await servesAnalysisRuns(cluster)) ? { runner: 'argo-rollouts' } : { runner: 'shunt', reason: 'no-rollouts' }));
    },
  };
}

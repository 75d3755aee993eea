/**
 * The AnalysisRun activities verification calls in cluster mode (Argo Rollouts runs the
 * metrics); thin wrappers over kubernetes/analysis-run.ts that refuse clearly when the worker
 * has no Kubernetes connection. Inputs are template manifests and args (no credentials).
 */
import { DomainError } from '../core/errors.js';
import {
  createAnalysisRun,
  deleteAnalysisRun,
  readAnalysisRunPhase,
  type AnalysisRunPhase,
  type AnalysisRunRequest,
} from './adapters/kubernetes/analysis-run.js';
import type { KubeClients } from './adapters/kubernetes/client.js';

export type { AnalysisRunPhase, AnalysisRunRequest } from './adapters/kubernetes/analysis-run.js';

export interface AnalysisRunRef {
  namespace: string;
  name: string;
}

export interface AnalysisRunActivities {
  createAnalysisRun(input: AnalysisRunRequest): Promise<void>;
  readAnalysisRunPhase(input: AnalysisRunRef): Promise<AnalysisRunPhase>;
  deleteAnalysisRun(input: AnalysisRunRef): Promise<void>;
}

export function analysisRunActivities(kube: KubeClients | undefined): AnalysisRunActivities {
  const cluster = (): KubeClients => {
    if (kube) return kube;
    throw new DomainError(
      'FailedPrecondition',
      'this verification needs Argo Rollouts in a cluster, and this worker has no Kubernetes connection: run it in the cluster or set KUBECONFIG (see README, "Argo CD")',
    );
  };
  return {
    createAnalysisRun: (input) => createAnalysisRun(cluster(), input),
    readAnalysisRunPhase: (input) => readAnalysisRunPhase(cluster(), input.namespace, input.name),
    deleteAnalysisRun: (input) => deleteAnalysisRun(cluster(), input.namespace, input.name),
  };
}

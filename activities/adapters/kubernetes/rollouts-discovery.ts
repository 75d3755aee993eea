/**
 * Whether the worker's cluster runs Argo Rollouts: its API server serves the `analysisruns`
 * resource in argoproj.io/v1alpha1 (API discovery, which every authenticated account may read).
 * A cluster with Argo CD but no Rollouts serves that group with Applications only; one with
 * neither answers 404 for the group.
 */
import type { KubeClients } from './client.js';
import { isNotFound, kubeFailure } from './errors.js';

const GROUP = 'argoproj.io';
const VERSION = 'v1alpha1';

/** @throws DomainError when the API server cannot be asked (unreachable, credentials refused). */
export async function servesAnalysisRuns(clients: KubeClients): Promise<boolean> {
  try {
    const list = await clients.custom.getAPIResources({ group: GROUP, version: VERSION });
    return (list.resources ?? []).some((r) => r.name === 'analysisruns');
  } catch (err) {
    if (isNotFound(err)) return false;
    throw kubeFailure(err, `asking the API server whether it serves AnalysisRuns (${GROUP}/${VERSION})`, clients.server);
  }
}

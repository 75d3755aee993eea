/**
 * clusterWorkflow: the one home of cluster-scoped state: which projects exist and the
 * ClusterPromotionTasks, ClusterAnalysisTemplates and the ClusterConfig. Projects' own state lives in their project workflows.
 */
import { allHandlersFinished, condition, continueAsNew, setHandler, workflowInfo } from '@temporalio/workflow';
import type { ClusterState } from './definitions.js';
import { applyClusterUpdate, clusterStateQuery, removeProjectUpdate } from './definitions.js';

const MAX_HISTORY_EVENTS = 5000;

export async function clusterWorkflow(input: { state?: ClusterState } = {}): Promise<void> {
  const state: ClusterState = input.state ?? { projects: {}, clusterTasks: {} };
  let dirty = false;

  setHandler(clusterStateQuery, () => state);
  setHandler(applyClusterUpdate, (request) => {
    const now = new Date().toISOString();
    for (const p of request.projects) state.projects[p] ??= { createdAt: now };
    for (const t of request.clusterTasks) state.clusterTasks[t.metadata.name] = t;
    // State only (no command): histories without a config replay unchanged.
    if (request.config) state.config = request.config;
    if (request.clusterAnalysisTemplates?.length) {
      state.clusterAnalysisTemplates ??= {};
      for (const t of request.clusterAnalysisTemplates) state.clusterAnalysisTemplates[t.metadata.name] = t;
    }
    dirty = true;
    return state;
  });
  setHandler(removeProjectUpdate, (project) => {
    delete state.projects[project];
    dirty = true;
  });

  for (;;) {
    await condition(() => dirty);
    dirty = false;
    const info = workflowInfo();
    if (info.continueAsNewSuggested || info.historyLength > MAX_HISTORY_EVENTS) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof clusterWorkflow>({ state });
    }
  }
}

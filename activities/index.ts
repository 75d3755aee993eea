/**
 * createActivities: the one object the worker registers (STYLE.md §1.1, dependency injection).
 *
 * Workspace affinity (DESIGN.md): `prepareWorkspace` runs as a local activity of the worker that
 * runs the promotion's first workflow task (on the shared task queue, for a promotion recorded
 * before that, or started again after its worker was lost), creates the promotion's workspace
 * there and answers with that worker's own task queue; every later activity of the promotion is
 * routed there.
 */
import * as path from 'node:path';
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { sha1Hex } from '../core/hash.js';
import type { FreightStatusAnswer } from '../core/project/freight-status.js';
import { freightStatusQuery, projectWorkflowId } from '../workflows/definitions.js';
import type { ArgoCDClient } from './adapters/argocd-client.js';
import type { KubeClients } from './adapters/kubernetes/client.js';
import { analysisRunActivities, type AnalysisRunActivities } from './analysis-runs.js';
import type { ProjectCredentials } from './adapters/credentials.js';
import { CredentialProviders, withCredentialProviders } from './adapters/credential-providers/index.js';
import { GitService } from './adapters/git/index.js';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { heartbeatIntervalMs, WORKER_STOPPING } from '../core/promotion/worker-loss.js';
import { createWorkspace, openWorkspace, removeWorkspace, type WorkerRun } from './adapters/workspace.js';
import { toApplicationFailure, toStepFailure } from './failure.js';
import { runStep, type ActivityLogger, type RunStepHooks, type RunStepInput, type RunStepOutcome } from './run-step.js';
import { runSteps, stepFailureData, type RunStepsInput, type RunStepsOutcome } from './run-steps.js';
import { createNotificationActivities, type NotificationActivities } from './notifications.js';
import { createGitReadActivities, type GitReadActivities } from './git-reads.js';
import { createVerificationActivities, type VerificationActivities } from './verification/index.js';
import { createWarehouseActivities, type WarehouseActivities, type WarehouseActivityDeps } from './warehouse-activities.js';

export type { RunStepInput, RunStepOutcome } from './run-step.js';
export type { RunStepsInput, RunStepsOutcome, StepFailureData } from './run-steps.js';

export interface ActivityDeps {
  /** The worker's data directory: workspaces in `<dataDir>/work`, git mirrors in `<dataDir>/git`. */
  dataDir: string;
  /** This worker's own task queue (where a promotion's later activities are routed). */
  workerQueue: string;
  /** Each project's credentials: its own namespace's, then the shared namespace's (never another project's). */
  credentials: ProjectCredentials;
  /** Exchanges provider fields (GitHub App, cloud registries) for logins; default: public endpoints, no ambient identity. */
  credentialProviders?: CredentialProviders;
  git?: GitService;
  logger?: ActivityLogger;
  /** Argo CD through Kubernetes or its REST API; absent = the Argo CD steps refuse to run. */
  argocd?: ArgoCDClient;
  /** How long one run of an Argo CD step watches before reporting Running (default 60s). */
  argocdWaitMs?: number;
  /** Base URL of Shunt's web page, for the steps' `ctx.uiBaseUrl` (SHUNT_UI_BASE_URL). */
  uiBaseUrl?: string;
  /** The cluster, for AnalysisRuns (verification in cluster mode). */
  kube?: KubeClients;
  /** Temporal client + shared task queue: warehouse schedules and scan targets. */
  temporal?: WarehouseActivityDeps['temporal'];
  /** Per registry request timeout for discovery (default 30 s). */
  registryTimeoutMs?: number;
  /** This run of the worker: recorded with each workspace it makes (cleaned up by its next run). */
  workerRun?: WorkerRun;
  /** The heartbeat timeout of steps in this worker's workspaces (SHUNT_STEP_HEARTBEAT_TIMEOUT); absent = the workflow's default. */
  stepHeartbeatTimeout?: string;
}

export interface PrepareWorkspaceInput {
  promotion: string;
}
export interface PrepareWorkspaceResult {
  workspaceKey: string;
  taskQueue: string;
  /** How long this worker's steps may go without a heartbeat before it counts as lost. */
  heartbeatTimeout?: string;
}
export interface WorkspaceKeyInput {
  workspaceKey: string;
}

/** The workspace directory name for a promotion: readable, unique, stable across retries. */
export function workspaceKeyFor(promotion: string): string {
  const slug = promotion
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .slice(0, 60)
    .replace(/[-.]+$/, '');
  const hash = sha1Hex(promotion).slice(0, 10);
  return slug ? `${slug}-${hash}` : `p-${hash}`;
}

/**
 * Heartbeat and cancellation of the current activity, and how often to beat (a third of the
 * activity's heartbeat timeout, at most every 10 s); inert outside one (plain tests).
 */
function activityHooks(): RunStepHooks & { intervalMs: number } {
  try {
    const ctx = Context.current();
    return {
      intervalMs: heartbeatIntervalMs(ctx.info.heartbeatTimeoutMs),
      heartbeat: (details?: unknown) => {
        try {
          ctx.heartbeat(details);
        } catch {
          /* not fatal */
        }
      },
      signal: ctx.cancellationSignal,
    };
  } catch {
    return { heartbeat: () => undefined, signal: new AbortController().signal, intervalMs: heartbeatIntervalMs(undefined) };
  }
}

/** Whether the activity was cancelled because its worker shuts down (the SDK's reason: WORKER_SHUTDOWN). */
function stoppedForShutdown(signal: AbortSignal): boolean {
  return signal.aborted && signal.reason instanceof CancelledFailure && signal.reason.message === 'WORKER_SHUTDOWN';
}

/**
 * Runs a step activity's work with its hooks. Liveness is the activity's job, not each step's: a
 * step may also wait, silently, for another promotion's hold on a shared git mirror (git
 * commands heartbeat as well). The beat keeps a worker that is alive from counting as lost (the
 * step's heartbeat timeout).
 */
async function withStepHooks<T>(work: (hooks: RunStepHooks) => Promise<T>): Promise<T> {
  const hooks = activityHooks();
  const beat = setInterval(() => hooks.heartbeat(), hooks.intervalMs);
  try {
    return await work({ heartbeat: hooks.heartbeat, signal: hooks.signal });
  } finally {
    clearInterval(beat);
  }
}

/**
 * What a step activity throws for a step's error. Stopped because this worker shuts down: not
 * the step's error; the promotion starts its steps again on another worker (this worker's next
 * run removes the workspace).
 */
function stepFailure(err: unknown, signal: AbortSignal): unknown {
  if (stoppedForShutdown(signal)) {
    return ApplicationFailure.create({ type: WORKER_STOPPING, message: 'the worker running the step is shutting down', nonRetryable: true });
  }
  return toStepFailure(err);
}

async function boundary<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toApplicationFailure(err);
  }
}

/** The activities a worker registers; workflows import this type only. */
export interface Activities extends WarehouseActivities, VerificationActivities, NotificationActivities, GitReadActivities {
  prepareWorkspace(input: PrepareWorkspaceInput): Promise<PrepareWorkspaceResult>;
  runStep(input: RunStepInput): Promise<RunStepOutcome>;
  runSteps(input: RunStepsInput): Promise<RunStepsOutcome>;
  releaseWorkspace(input: WorkspaceKeyInput): Promise<void>;
  workspaceExists(input: WorkspaceKeyInput): Promise<boolean>;
  /** AnalysisRuns for verification in cluster mode (analysis-runs.ts). */
  createAnalysisRun: AnalysisRunActivities['createAnalysisRun'];
  readAnalysisRunPhase: AnalysisRunActivities['readAnalysisRunPhase'];
  deleteAnalysisRun: AnalysisRunActivities['deleteAnalysisRun'];
}

export type { MeasureMetricInput } from './verification/index.js';

/** `freightStatus()`'s data: the project workflow's `freightStatus` query (no project: none). */
function projectFreightStatus(client: Client): (project: string, freight: string) => Promise<FreightStatusAnswer | undefined> {
  return async (project, freight) => {
    try {
      return (await client.workflow.getHandle(projectWorkflowId(project)).query(freightStatusQuery, freight)) ?? undefined;
    } catch (err) {
      if ((err as Error).name === 'WorkflowNotFoundError') return undefined;
      throw err;
    }
  };
}

export function createActivities(deps: ActivityDeps): Activities {
  const workRoot = path.join(path.resolve(deps.dataDir), 'work');
  const git = deps.git ?? new GitService({ dataDir: deps.dataDir, stageWhereStepsWrote: true });
  const credentials = withCredentialProviders(deps.credentials, deps.credentialProviders ?? new CredentialProviders());
  const stepDeps = {
    workRoot,
    git,
    credentials,
    logger: deps.logger,
    argocd: deps.argocd,
    argocdWaitMs: deps.argocdWaitMs,
    uiBaseUrl: deps.uiBaseUrl,
    ...(deps.temporal ? { freightStatus: projectFreightStatus(deps.temporal.client) } : {}),
  };

  const analysisRuns = analysisRunActivities(deps.kube, deps.credentials);

  const release = async (workspaceKey: string): Promise<void> => {
    const ws = await openWorkspace(workRoot, workspaceKey);
    if (!ws) return;
    await git.releaseWorktrees(ws.root);
    await removeWorkspace(workRoot, workspaceKey);
  };
  /**
   * A promotion's last steps are done: its workspace goes after the answer. One that fails to go
   * is logged; a worker stopped meanwhile removes it when it starts again (as any it left).
   */
  const releaseLater = (workspaceKey: string): void => {
    release(workspaceKey).catch((err: unknown) => {
      deps.logger?.warn({ workspaceKey, error: err instanceof Error ? err.message : String(err) }, 'could not release a promotion workspace');
    });
  };

  return {
    createAnalysisRun: (input) => boundary(() => analysisRuns.createAnalysisRun(input)),
    readAnalysisRunPhase: (input) => boundary(() => analysisRuns.readAnalysisRunPhase(input)),
    deleteAnalysisRun: (input) => boundary(() => analysisRuns.deleteAnalysisRun(input)),

    ...createVerificationActivities(deps.kube ? { cluster: deps.kube } : {}),
    ...createNotificationActivities({ credentials: deps.credentials }),
    ...createGitReadActivities({ git, credentials }),
    ...createWarehouseActivities({
      credentials,
      git,
      temporal: deps.temporal,
      ...(deps.registryTimeoutMs ? { registryTimeoutMs: deps.registryTimeoutMs } : {}),
    }),
    /** Runs locally in a promotion's workflow task (or on the shared queue): makes the workspace here and names this worker's queue. */
    async prepareWorkspace(input: PrepareWorkspaceInput): Promise<PrepareWorkspaceResult> {
      return boundary(async () => {
        const workspaceKey = workspaceKeyFor(input.promotion);
        await createWorkspace(workRoot, workspaceKey, deps.workerRun);
        return { workspaceKey, taskQueue: deps.workerQueue, ...(deps.stepHeartbeatTimeout ? { heartbeatTimeout: deps.stepHeartbeatTimeout } : {}) };
      });
    },

    /** Runs one promotion step in the promotion's workspace (see run-step.ts). */
    async runStep(input: RunStepInput): Promise<RunStepOutcome> {
      return withStepHooks(async (hooks) => {
        try {
          return await runStep(stepDeps, input, hooks);
        } catch (err) {
          throw stepFailure(err, hooks.signal);
        }
      });
    },

    /** Runs consecutive promotion steps in the promotion's workspace, in one activity (see run-steps.ts). */
    async runSteps(input: RunStepsInput): Promise<RunStepsOutcome> {
      return withStepHooks(async (hooks) => {
        try {
          return await runSteps(
            input,
            (one) => runStep(stepDeps, one, hooks),
            (err) => stepFailureData(stepFailure(err, hooks.signal)),
            releaseLater,
          );
        } catch (err) {
          throw stepFailure(err, hooks.signal);
        }
      });
    },

    /** Deletes the workspace and makes the git mirrors forget its worktrees. Idempotent. */
    async releaseWorkspace(input: WorkspaceKeyInput): Promise<void> {
      return boundary(() => release(input.workspaceKey));
    },

    /** Whether the workspace is (still) on this worker. */
    async workspaceExists(input: WorkspaceKeyInput): Promise<boolean> {
      return boundary(async () => (await openWorkspace(workRoot, input.workspaceKey)) !== undefined);
    },
  };
}

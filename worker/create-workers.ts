import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Client } from '@temporalio/client';
import { type NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../activities/index.js';
import { DEFAULT_SHARED_NAMESPACE, FileCredentialStore } from '../activities/adapters/credentials.js';
import { ChainCredentialStore } from '../activities/adapters/chain-credential-store.js';
import { CredentialProviders, credentialProviderSettingsFromEnv, type CredentialProviderSettings } from '../activities/adapters/credential-providers/index.js';
import type { ArgoCDClient } from '../activities/adapters/argocd-client.js';
import { KubernetesArgoCDClient } from '../activities/adapters/kubernetes/argocd-applications.js';
import type { KubeConnection } from '../activities/adapters/kubernetes/client.js';
import { KubernetesCredentialStore } from '../activities/adapters/kubernetes/credential-store.js';
import { ArgoCDRestClient } from '../activities/adapters/argocd-rest/client.js';
import { gitSecretsDir, GitService } from '../activities/adapters/git/index.js';
import { removeLeftoverPrivateDirs } from '../activities/adapters/private-dir.js';
import { newWorkerRun, registerWorkerRun, removeLeftoverWorkspaces, RUN_MARKER_STALE_MS, type WorkerRun } from '../activities/adapters/workspace.js';
import { projectRoot } from '../launcher/temporal-binary.js';
import { TASK_QUEUE } from '../workflows/definitions.js';
import { workerTaskQueue } from './config.js';
import { WorkerMetrics } from './metrics.js';

export interface ShuntWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  dataDir: string;
  workerId: string;
  credentialsPath: string;
  /** Shared task queue; tests give each run its own. */
  taskQueue?: string;
  maxConcurrentActivities?: number;
  /** Kubernetes (Argo CD Applications, credential Secrets, AnalysisRuns); absent = none. */
  kubernetes?: KubeConnection;
  /** Where Applications live when a step names no namespace (default argocd). */
  argocdNamespace?: string;
  /** Kargo's shared-resources namespace, searched for credentials after the project's (cluster and files). */
  sharedNamespace?: string;
  /** Told about credential files' documents that are unreadable or ignored (never values). */
  onCredentialsWarning?: (message: string) => void;
  /** Argo CD's REST API (outside the cluster); used by the Argo CD steps instead of Kubernetes. */
  argocdRest?: { server: string; token: string; insecure: boolean };
  /** How long one run of an Argo CD step watches before reporting Running (default 60s). */
  argocdWaitMs?: number;
  /** Per registry request timeout for warehouse discovery (default 30 s). */
  registryTimeoutMs?: number;
  /** Base URL of Shunt's web page, for the steps' `ctx.uiBaseUrl` (SHUNT_UI_BASE_URL). */
  uiBaseUrl?: string;
  /** Where the workers' metrics go; default a registry of their own (ShuntWorkers.metrics). */
  metrics?: WorkerMetrics;
  /** Sticky cache size of the workflow worker (default: Temporal's, from the heap limit). */
  maxCachedWorkflows?: number;
  /** Credential exchange endpoints and the ambient identity (default: from the environment, README Settings). */
  credentialProviders?: CredentialProviderSettings;
  /** How long a step on this worker may go without a heartbeat before it counts as lost (SHUNT_STEP_HEARTBEAT_TIMEOUT; default the workflow's, 1m). */
  stepHeartbeatTimeout?: string;
  /** Told what the start-up clean-up of earlier runs' workspaces did or could not do. */
  onWorkspaceNotice?: (message: string, fields: Record<string, unknown>) => void;
}

export interface ShuntWorkers {
  /** Polls the shared queue: every workflow, and the activities any worker may run. */
  shared: Worker;
  /** Polls this worker's own queue: the steps of promotions whose workspace it holds. */
  own: Worker;
  ownQueue: string;
  metrics: WorkerMetrics;
  /** This run of the worker (recorded with each workspace it makes). */
  workerRun: WorkerRun;
  run(): Promise<void>;
  shutdown(): void;
}

/** The compiled workflow bundle (npm run build makes it). */
export function workflowBundlePath(): string {
  const path = join(projectRoot, 'dist', 'workflow-bundle.js');
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`npm run build\` first`);
  return path;
}

export async function createShuntWorkers(opts: ShuntWorkerOptions): Promise<ShuntWorkers> {
  const ownQueue = workerTaskQueue(opts.workerId);
  const sharedNamespace = opts.sharedNamespace ?? DEFAULT_SHARED_NAMESPACE;
  const files = new FileCredentialStore(opts.credentialsPath, { sharedNamespace, ...(opts.onCredentialsWarning ? { onWarning: opts.onCredentialsWarning } : {}) });
  // A bad kubeconfig stops the worker here, at start, with what is wrong with it.
  // Loaded only with a connection (see config.ts).
  const kube = opts.kubernetes ? (await import('../activities/adapters/kubernetes/client.js')).createKubeClients(opts.kubernetes) : undefined;
  const argocdNamespace = opts.argocdNamespace ?? 'argocd';
  let argocd: ArgoCDClient | undefined;
  if (opts.argocdRest) argocd = new ArgoCDRestClient({ ...opts.argocdRest, defaultNamespace: argocdNamespace });
  else if (kube) argocd = new KubernetesArgoCDClient(kube, argocdNamespace);
  const sharedCreds = kube ? new KubernetesCredentialStore(kube, sharedNamespace, { genericSecrets: false, shared: true }) : undefined;
  // Workspaces an earlier run of this worker left (it died, or stopped mid-promotion) are
  // removed before this run takes work; the promotions that used them start again elsewhere.
  const git = new GitService({ dataDir: opts.dataDir, stageWhereStepsWrote: true });
  const workRoot = join(resolve(opts.dataDir), 'work');
  const workerRun = newWorkerRun(opts.workerId);
  const registration = await registerWorkerRun(workRoot, workerRun);
  const cleanUp = async (): Promise<void> => {
    try {
      const done = await removeLeftoverWorkspaces(workRoot, workerRun, { beforeRemove: (root) => git.releaseWorktrees(root) });
      await git.pruneMirrors();
      if (done.removed.length > 0) opts.onWorkspaceNotice?.('removed the workspaces an earlier run of this worker left', { workspaces: done.removed });
      if (done.keptAlive.length > 0) {
        opts.onWorkspaceNotice?.('left workspaces of this worker id alone: the run that made them may still be alive (another process with the same SHUNT_WORKER_ID on this data dir?)', {
          workspaces: done.keptAlive,
        });
      }
    } catch (err) {
      opts.onWorkspaceNotice?.('could not remove the workspaces an earlier run of this worker left', { error: err instanceof Error ? err.message : String(err) });
    }
  };
  await cleanUp();
  // Key files of a git command that a killed process was running (once, before this run has any).
  try {
    const removed = await removeLeftoverPrivateDirs(gitSecretsDir(opts.dataDir));
    if (removed.length > 0) opts.onWorkspaceNotice?.("removed the key files of git commands an earlier process did not finish", { directories: removed });
  } catch (err) {
    opts.onWorkspaceNotice?.('could not remove the key files an earlier process left', { error: err instanceof Error ? err.message : String(err) });
  }
  // A run on another host (a pod started again elsewhere on the same volume) counts as alive until
  // its marker goes stale: look once more after that.
  const secondLook = setTimeout(() => void cleanUp(), RUN_MARKER_STALE_MS + 5_000);
  secondLook.unref();
  const activities = createActivities({
    dataDir: opts.dataDir,
    workerQueue: ownQueue,
    git,
    workerRun,
    ...(opts.stepHeartbeatTimeout ? { stepHeartbeatTimeout: opts.stepHeartbeatTimeout } : {}),
    credentials:
      kube && sharedCreds
        ? { forProject: (project: string) => new ChainCredentialStore([new KubernetesCredentialStore(kube, project), sharedCreds, files.forProject(project)]) }
        : files,
    ...(argocd ? { argocd } : {}),
    ...(kube ? { kube } : {}),
    ...(opts.argocdWaitMs !== undefined ? { argocdWaitMs: opts.argocdWaitMs } : {}),
    ...(opts.uiBaseUrl ? { uiBaseUrl: opts.uiBaseUrl } : {}),
    temporal: { client: new Client({ connection: opts.connection, namespace: opts.namespace }), taskQueue: opts.taskQueue ?? TASK_QUEUE },
    ...(opts.registryTimeoutMs ? { registryTimeoutMs: opts.registryTimeoutMs } : {}),
    credentialProviders: new CredentialProviders(opts.credentialProviders ?? credentialProviderSettingsFromEnv(process.env)),
  });
  const maxConcurrentActivityTaskExecutions = opts.maxConcurrentActivities ?? 32;
  const metrics = opts.metrics ?? new WorkerMetrics();
  const create = async (options: Parameters<typeof Worker.create>[0]): Promise<Worker> => {
    try {
      return await Worker.create(options);
    } catch (err) {
      clearTimeout(secondLook);
      await registration.stop();
      throw err;
    }
  };
  const shared = await create({
    ...metrics.workerOptions(),
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue ?? TASK_QUEUE,
    workflowBundle: { codePath: workflowBundlePath() },
    activities,
    maxConcurrentActivityTaskExecutions,
    ...(opts.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: opts.maxCachedWorkflows } : {}),
  });
  const own = await create({
    ...metrics.workerOptions(),
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: ownQueue,
    activities,
    maxConcurrentActivityTaskExecutions,
  });
  return {
    shared,
    own,
    ownQueue,
    metrics,
    workerRun,
    async run() {
      try {
        await Promise.all([shared.run(), own.run()]);
      } finally {
        clearTimeout(secondLook);
        await registration.stop();
      }
    },
    shutdown() {
      if (shared.getState() === 'RUNNING') shared.shutdown();
      if (own.getState() === 'RUNNING') own.shutdown();
    },
  };
}

import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { z } from 'zod';
import { LogFormatSetting, type LogFormat } from '../launcher/logger.js';
import { EXIT_CONFIG } from '../core/exit-codes.js';
import { sha1Hex } from '../core/hash.js';
import { DEFAULT_STEP_HEARTBEAT_TIMEOUT, stepHeartbeatTimeout } from '../core/promotion/worker-loss.js';
import type { KubeConnection } from '../activities/adapters/kubernetes/client.js';
import { ArgoCDRestClient } from '../activities/adapters/argocd-rest/client.js';
import { currentEgressPolicy } from '../activities/adapters/egress/egress-policy.js';
import { operatorApiURLs } from '../activities/adapters/git-providers/api-location.js';
import { githubPushSettings } from '../activities/steps/github-push.js';
import { temporalConnectionSettings, type TemporalConnectionSettings } from '../activities/adapters/temporal-connection.js';

/**
 * Workflows a worker keeps in its sticky cache unless SHUNT_MAX_CACHED_WORKFLOWS says. Temporal's
 * own default follows the heap limit, and under the worker's old heap cap of 192 MB it was 10:
 * past ten running workflows every workflow task replayed its history from the start, and polls
 * waited for a cache slot (bench/README.md: 63 promotions a minute at 200 at once, and project
 * reads starved; with 300, 102–124 a minute, at a peak of 452–527 MB). The workflow thread's heap
 * must hold them: the launcher gives each isolate 384 MB (launcher/main.ts).
 */
export const DEFAULT_MAX_CACHED_WORKFLOWS = 300;

const WorkerEnv = z.object({
  TEMPORAL_ADDRESS: z.string().min(1, 'TEMPORAL_ADDRESS is required (host:port of the Temporal frontend)'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  SHUNT_DATA_DIR: z.string().min(1).default('./.shunt'),
  SHUNT_WORKER_ID: z.string().regex(/^[\w.@:-]+$/, 'letters, digits and . _ @ : - only').optional(),
  SHUNT_CREDENTIALS: z.string().optional(),
  SHUNT_LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).default('info'),
  SHUNT_LOG_FORMAT: LogFormatSetting,
  SHUNT_MAX_CONCURRENT_ACTIVITIES: z.coerce.number().int().positive().default(32),
  // Kubernetes / Argo CD (README, "Argo CD"). auto: in-cluster when in a pod, else KUBECONFIG, else none.
  SHUNT_KUBERNETES: z.enum(['auto', 'off', 'in-cluster', 'kubeconfig']).default('auto'),
  KUBECONFIG: z.string().optional(),
  KUBERNETES_SERVICE_HOST: z.string().optional(),
  HOME: z.string().optional(),
  SHUNT_KUBE_CONTEXT: z.string().min(1).optional(),
  SHUNT_ARGOCD_NAMESPACE: z.string().min(1).default('argocd'),
  SHUNT_SHARED_NAMESPACE: z.string().min(1).default('kargo-shared-resources'),
  ARGOCD_SERVER: z.string().min(1).optional(),
  ARGOCD_AUTH_TOKEN: z.string().min(1).optional(),
  ARGOCD_INSECURE: z.enum(['true', 'false']).default('false'),
  /** Serve Prometheus metrics on 127.0.0.1 at this port (the launcher sets it; the api includes them). */
  SHUNT_WORKER_METRICS_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  SHUNT_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).default(DEFAULT_MAX_CACHED_WORKFLOWS),
  /** Base URL of Shunt's web page, shown to steps as `ctx.uiBaseUrl` (Kargo: the UI's base URL). */
  SHUNT_UI_BASE_URL: z.string().url({ protocol: /^https?$/, message: 'SHUNT_UI_BASE_URL must be an absolute http(s) URL such as https://shunt.example.com' }).optional(),
  /** A worker whose step stops heartbeating this long is lost: the promotion starts its steps again on another (Go duration, 2s–1h). */
  SHUNT_STEP_HEARTBEAT_TIMEOUT: z.string().default(DEFAULT_STEP_HEARTBEAT_TIMEOUT),
});

export interface WorkerConfig {
  temporalAddress: string;
  /** Address, TLS and API key for Temporal (TEMPORAL_TLS_*, TEMPORAL_API_KEY). */
  temporalConnection: TemporalConnectionSettings;
  namespace: string;
  dataDir: string;
  /** Stable across restarts on the same data dir, so a restarted worker finds its workspaces. */
  workerId: string;
  credentialsPath: string;
  logLevel: z.infer<typeof WorkerEnv>['SHUNT_LOG_LEVEL'];
  /** SHUNT_LOG_FORMAT; unset: pretty on a terminal, else JSON. */
  logFormat?: LogFormat;
  maxConcurrentActivities: number;
  /** How the worker reaches Kubernetes (Argo CD Applications, Secrets, AnalysisRuns); absent = not at all. */
  kubernetes?: KubeConnection;
  argocdNamespace: string;
  sharedNamespace: string;
  /** Argo CD's REST API, for a worker outside the cluster; wins over Kubernetes for the Argo CD steps. */
  argocdRest?: { server: string; token: string; insecure: boolean };
  /** Serve Prometheus metrics on 127.0.0.1 at this port. */
  metricsPort?: number;
  /** Workflows kept in the worker's sticky cache (SHUNT_MAX_CACHED_WORKFLOWS). */
  maxCachedWorkflows: number;
  /** Base URL of Shunt's web page, for the steps' `ctx.uiBaseUrl`. */
  uiBaseUrl?: string;
  /** How long a step on this worker may go without a heartbeat before the worker counts as lost. */
  stepHeartbeatTimeout: string;
}

/** Which Kubernetes connection the settings ask for. */
export function kubeConnectionFrom(e: {
  SHUNT_KUBERNETES: 'auto' | 'off' | 'in-cluster' | 'kubeconfig';
  KUBECONFIG?: string | undefined;
  KUBERNETES_SERVICE_HOST?: string | undefined;
  SHUNT_KUBE_CONTEXT?: string | undefined;
  HOME?: string | undefined;
}): KubeConnection | undefined {
  const kubeconfig = e.KUBECONFIG?.split(':').find((p) => p !== '');
  const fromFile = (path: string): KubeConnection =>
    e.SHUNT_KUBE_CONTEXT ? { mode: 'kubeconfig', path: resolve(path), context: e.SHUNT_KUBE_CONTEXT } : { mode: 'kubeconfig', path: resolve(path) };
  switch (e.SHUNT_KUBERNETES) {
    case 'off':
      return undefined;
    case 'in-cluster':
      return { mode: 'in-cluster' };
    case 'kubeconfig':
      return fromFile(kubeconfig ?? `${e.HOME ?? ''}/.kube/config`);
    default:
      if (e.KUBERNETES_SERVICE_HOST) return { mode: 'in-cluster' };
      return kubeconfig ? fromFile(kubeconfig) : undefined;
  }
}

/** Reads the worker's settings from the environment once; prints every problem and exits 1. */
export async function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): Promise<Readonly<WorkerConfig>> {
  const parsed = WorkerEnv.safeParse(env);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) process.stderr.write(`config: ${issue.path.join('.')}: ${issue.message}\n`);
    process.exit(EXIT_CONFIG);
  }
  const e = parsed.data;
  if ((e.ARGOCD_SERVER === undefined) !== (e.ARGOCD_AUTH_TOKEN === undefined)) {
    process.stderr.write('config: ARGOCD_SERVER and ARGOCD_AUTH_TOKEN go together: set both or neither\n');
    process.exit(EXIT_CONFIG);
  }
  const dataDir = resolve(e.SHUNT_DATA_DIR);
  const kubernetes = kubeConnectionFrom(e);
  // A connection that cannot work is a configuration error (exit code EXIT_CONFIG, no restarts).
  let temporalConnection: TemporalConnectionSettings;
  let heartbeatTimeout: string;
  try {
    heartbeatTimeout = stepHeartbeatTimeout(e.SHUNT_STEP_HEARTBEAT_TIMEOUT);
    temporalConnection = temporalConnectionSettings(env);
    // Loaded only when a connection is configured: the Kubernetes client library alone is ~75 MB
    // resident, which a worker without a cluster should not carry.
    if (kubernetes) (await import('../activities/adapters/kubernetes/client.js')).createKubeClients(kubernetes);
    currentEgressPolicy(env); // a wrong SHUNT_EGRESS_ALLOW entry is named here, not at the first step
    operatorApiURLs(env); // likewise SHUNT_GIT_PROVIDER_API_URLS and the github-push settings
    githubPushSettings(env);
    if (e.ARGOCD_SERVER && e.ARGOCD_AUTH_TOKEN) new ArgoCDRestClient({ server: e.ARGOCD_SERVER, token: e.ARGOCD_AUTH_TOKEN });
  } catch (err) {
    process.stderr.write(`config: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(EXIT_CONFIG);
  }
  return Object.freeze({
    temporalAddress: e.TEMPORAL_ADDRESS,
    temporalConnection,
    namespace: e.TEMPORAL_NAMESPACE,
    dataDir,
    workerId: e.SHUNT_WORKER_ID ?? defaultWorkerId(dataDir),
    credentialsPath: resolve(e.SHUNT_CREDENTIALS ?? `${dataDir}/credentials`),
    logLevel: e.SHUNT_LOG_LEVEL,
    ...(e.SHUNT_LOG_FORMAT ? { logFormat: e.SHUNT_LOG_FORMAT } : {}),
    maxConcurrentActivities: e.SHUNT_MAX_CONCURRENT_ACTIVITIES,
    ...(kubernetes ? { kubernetes } : {}),
    argocdNamespace: e.SHUNT_ARGOCD_NAMESPACE,
    sharedNamespace: e.SHUNT_SHARED_NAMESPACE,
    ...(e.ARGOCD_SERVER && e.ARGOCD_AUTH_TOKEN
      ? { argocdRest: { server: e.ARGOCD_SERVER, token: e.ARGOCD_AUTH_TOKEN, insecure: e.ARGOCD_INSECURE === 'true' } }
      : {}),
    ...(e.SHUNT_WORKER_METRICS_PORT ? { metricsPort: e.SHUNT_WORKER_METRICS_PORT } : {}),
    maxCachedWorkflows: e.SHUNT_MAX_CACHED_WORKFLOWS,
    ...(e.SHUNT_UI_BASE_URL ? { uiBaseUrl: e.SHUNT_UI_BASE_URL } : {}),
    stepHeartbeatTimeout: heartbeatTimeout,
  });
}

export function defaultWorkerId(dataDir: string): string {
  return `${hostname()}-${sha1Hex(dataDir).slice(0, 8)}`;
}

/** The task queue only this worker polls: a promotion's steps go there, to its workspace. */
export const workerTaskQueue = (workerId: string): string => `shunt-worker:${workerId}`;

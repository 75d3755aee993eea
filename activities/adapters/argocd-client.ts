/**
 * The port the Argo CD steps use: read, change and sync Applications, and wait for them to
 * change. Two implementations: through the Kubernetes API, as Kargo does
 * (kubernetes/argocd-applications.ts), and through Argo CD's REST API for a Shunt outside the
 * cluster (argocd-rest/client.ts). Tokens live inside the implementation, never in a step's
 * input or output.
 */

/** An argoproj.io/v1alpha1 Application as JSON; only the fields Shunt reads are typed. */
export interface ArgoApplication {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    resourceVersion?: string;
    annotations?: Record<string, string>;
    labels?: Record<string, string>;
    [k: string]: unknown;
  };
  spec: ArgoApplicationSpec;
  operation?: ArgoOperation | null;
  status?: ArgoApplicationStatus;
  [k: string]: unknown;
}

export interface ArgoApplicationSource {
  repoURL: string;
  chart?: string;
  path?: string;
  targetRevision?: string;
  helm?: { parameters?: Array<{ name: string; value: string; forceString?: boolean }>; [k: string]: unknown };
  kustomize?: { images?: string[]; [k: string]: unknown };
  [k: string]: unknown;
}

export interface ArgoApplicationSpec {
  source?: ArgoApplicationSource;
  sources?: ArgoApplicationSource[];
  syncPolicy?: { retry?: unknown; syncOptions?: string[]; [k: string]: unknown };
  [k: string]: unknown;
}

export interface ArgoOperation {
  initiatedBy?: { username?: string; automated?: boolean };
  info?: Array<{ name: string; value: string }>;
  sync?: { revision?: string; revisions?: string[]; syncOptions?: string[]; [k: string]: unknown };
  retry?: unknown;
  [k: string]: unknown;
}

export type OperationPhase = 'Running' | 'Terminating' | 'Failed' | 'Error' | 'Succeeded';

export interface ArgoApplicationStatus {
  operationState?: {
    operation?: ArgoOperation;
    phase?: OperationPhase;
    message?: string;
    startedAt?: string;
    finishedAt?: string;
    syncResult?: { revision?: string; revisions?: string[]; [k: string]: unknown };
  } | null;
  sync?: { status?: 'Synced' | 'OutOfSync' | 'Unknown'; revision?: string; revisions?: string[] };
  health?: { status?: string; message?: string };
  conditions?: Array<{ type: string; message?: string }>;
  [k: string]: unknown;
}

export interface WaitOptions {
  /** Give up (resolve undefined) after this long; the step then reports Running. */
  withinMs: number;
  signal: AbortSignal;
  heartbeat(): void;
}

export interface SyncRequest {
  /** Changes the Application's spec before the sync (source updates); run on each fresh read. */
  updateSpec?: (app: ArgoApplication) => void;
  /** Checked on each fresh read before anything is written; throws to refuse. */
  guard?: (app: ArgoApplication) => void;
  operation: ArgoOperation;
}

export interface ArgoCDClient {
  /** Namespace of Applications when a step names none (Kargo: the Argo CD namespace, `argocd`). */
  readonly defaultNamespace: string;
  /** Where it talks to, for messages. */
  readonly endpoint: string;
  getApplication(namespace: string, name: string): Promise<ArgoApplication | undefined>;
  listApplications(namespace: string, labelSelector: string): Promise<ArgoApplication[]>;
  /**
   * Updates the spec as asked, asks for a hard refresh and starts the sync `operation`, in one
   * write on a fresh read; a write that meets a concurrent change (409) is redone on a new read.
   */
  syncApplication(namespace: string, name: string, request: SyncRequest): Promise<ArgoApplication>;
  /**
   * Watches the Application until `check` returns a value (resolved with it) or `withinMs`
   * passes (resolved with undefined). `check` sees undefined when the Application is gone.
   */
  waitForApplication<T>(
    namespace: string,
    name: string,
    check: (app: ArgoApplication | undefined) => T | undefined,
    opts: WaitOptions,
  ): Promise<T | undefined>;
}

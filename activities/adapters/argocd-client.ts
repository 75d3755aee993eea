/**
 * The port the Argo CD steps use: read, change and sync Applications, and wait for them to
 * change. Two implementations: through the Kubernetes API, as Kargo does
 * (kubernetes/argocd-applications.ts), and through Argo CD's REST API for a Shunt outside the
 * cluster (argocd-rest/client.ts). Tokens live inside the implementation, never in a step's
 * input or output.
 */
import { z } from 'zod';


/*
 * An argoproj.io/v1alpha1 Application as JSON, as both implementations read it from their server:
 * only the fields Shunt reads are checked, and every object keeps its other fields, because the
 * Application is written back (a spec update, an operation). Go's `omitempty` drops empty fields,
 * so almost everything is optional; enum-like strings (phases, statuses) stay strings, so a newer
 * Argo CD's value is a state Shunt waits on rather than an unreadable answer.
 */
const StringMap = z.record(z.string(), z.string());

export const ArgoApplicationSource = z.looseObject({
  repoURL: z.string(),
  chart: z.string().optional(),
  path: z.string().optional(),
  targetRevision: z.string().optional(),
  helm: z.looseObject({ parameters: z.array(z.looseObject({ name: z.string(), value: z.string().optional(), forceString: z.boolean().optional() })).optional() }).optional(),
  kustomize: z.looseObject({ images: z.array(z.string()).optional() }).optional(),
});
export type ArgoApplicationSource = z.infer<typeof ArgoApplicationSource>;

export const ArgoApplicationSpec = z.looseObject({
  source: ArgoApplicationSource.optional(),
  sources: z.array(ArgoApplicationSource).optional(),
  syncPolicy: z.looseObject({ retry: z.unknown().optional(), syncOptions: z.array(z.string()).optional() }).optional(),
});
export type ArgoApplicationSpec = z.infer<typeof ArgoApplicationSpec>;

const SyncOperation = z.looseObject({ revision: z.string().optional(), revisions: z.array(z.string()).optional(), syncOptions: z.array(z.string()).optional() });

export const ArgoOperation = z.looseObject({
  initiatedBy: z.looseObject({ username: z.string().optional(), automated: z.boolean().optional() }).optional(),
  info: z.array(z.looseObject({ name: z.string(), value: z.string() })).optional(),
  sync: SyncOperation.optional(),
  retry: z.unknown().optional(),
});
export type ArgoOperation = z.infer<typeof ArgoOperation>;

export const ArgoApplicationStatus = z.looseObject({
  operationState: z
    .looseObject({
      operation: ArgoOperation.optional(),
      phase: z.string().optional(),
      message: z.string().optional(),
      startedAt: z.string().optional(),
      finishedAt: z.string().optional(),
      syncResult: z.looseObject({ revision: z.string().optional(), revisions: z.array(z.string()).optional() }).optional(),
    })
    .nullish(),
  sync: z.looseObject({ status: z.string().optional(), revision: z.string().optional(), revisions: z.array(z.string()).optional() }).optional(),
  health: z.looseObject({ status: z.string().optional(), message: z.string().optional() }).optional(),
  conditions: z.array(z.looseObject({ type: z.string(), message: z.string().optional() })).optional(),
  /** Resource health, kept in the Application only with --persist-resource-health. */
  resources: z
    .array(z.looseObject({ kind: z.string().optional(), name: z.string().optional(), health: z.looseObject({ status: z.string().optional(), message: z.string().optional() }).optional() }))
    .optional(),
});
export type ArgoApplicationStatus = z.infer<typeof ArgoApplicationStatus>;

export const ArgoApplication = z.looseObject({
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  metadata: z.looseObject({
    name: z.string(),
    namespace: z.string().optional(),
    resourceVersion: z.string().optional(),
    annotations: StringMap.optional(),
    labels: StringMap.optional(),
  }),
  spec: ArgoApplicationSpec,
  operation: ArgoOperation.nullish(),
  status: ArgoApplicationStatus.optional(),
});
export type ArgoApplication = z.infer<typeof ArgoApplication>;

/** A list of Applications (`items` is null in Argo CD's REST answer when there are none). */
export const ArgoApplicationList = z.looseObject({ metadata: z.looseObject({ resourceVersion: z.string().optional() }).optional(), items: z.array(ArgoApplication).nullish() });

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

/**
 * Argo CD Applications through the Kubernetes API, as Kargo's argocd-update does: one PUT per
 * sync (spec changes, a hard-refresh annotation and the `operation`), carrying the
 * resourceVersion it read, redone on a fresh read when it meets a concurrent change (409).
 */
import type { z } from 'zod';
import { DomainError } from '../../../core/errors.js';
import { ArgoApplication, ArgoApplicationList, type ArgoCDClient, type SyncRequest, type WaitOptions } from '../argocd-client.js';
import { parseResponse } from '../../../core/external-response.js';
import type { KubeClients } from './client.js';
import { isConflict, isNotFound, kubeError } from './errors.js';
import { waitForObject } from './watch-object.js';

const GROUP = 'argoproj.io';
const VERSION = 'v1alpha1';
const PLURAL = 'applications';
export const REFRESH_ANNOTATION = 'argocd.argoproj.io/refresh';
/** Conflicts are rare and short-lived; a write that loses this many times in a row is an error. */
const MAX_CONFLICT_RETRIES = 10;

export class KubernetesArgoCDClient implements ArgoCDClient {
  readonly endpoint: string;

  constructor(
    private readonly clients: KubeClients,
    readonly defaultNamespace = 'argocd',
  ) {
    this.endpoint = `Kubernetes API ${clients.server}`;
  }

  private what(namespace: string, name: string): string {
    return `Argo CD Application ${JSON.stringify(name)} in namespace ${JSON.stringify(namespace)}`;
  }

  /** An answer read with `schema`; one that does not fit fails naming `what`, the server and the field. */
  private parse<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
    return parseResponse(schema, value, `${what}: the Kubernetes API server ${this.clients.server}`, (message) => new DomainError('StepFailed', message));
  }

  async getApplication(namespace: string, name: string): Promise<ArgoApplication | undefined> {
    let answer: unknown;
    try {
      answer = await this.clients.custom.getNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace,
        plural: PLURAL,
        name,
      });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw await kubeError(this.clients, err, `reading ${this.what(namespace, name)}`);
    }
    return this.parse(ArgoApplication, answer, `reading ${this.what(namespace, name)}`);
  }

  async listApplications(namespace: string, labelSelector: string): Promise<ArgoApplication[]> {
    const what = `listing Argo CD Applications in namespace ${JSON.stringify(namespace)}`;
    let answer: unknown;
    try {
      answer = await this.clients.custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL, labelSelector });
    } catch (err) {
      throw await kubeError(this.clients, err, what);
    }
    return this.parse(ArgoApplicationList, answer, what).items ?? [];
  }

  async syncApplication(namespace: string, name: string, request: SyncRequest): Promise<ArgoApplication> {
    for (let attempt = 1; ; attempt++) {
      const app = await this.getApplication(namespace, name);
      if (!app) throw new DomainError('NotFound', `${this.what(namespace, name)} not found`);
      request.guard?.(app);
      request.updateSpec?.(app);
      app.metadata.annotations = { ...app.metadata.annotations, [REFRESH_ANNOTATION]: 'hard' };
      app.operation = request.operation;
      // Argo CD's API server clears the previous operation state when it starts a sync; going
      // around it, as Kargo does, we clear it ourselves (argoproj/argo-cd#20875).
      if (app.status) app.status.operationState = null;
      let answer: unknown;
      try {
        answer = await this.clients.custom.replaceNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL, name, body: app });
      } catch (err) {
        if (isConflict(err) && attempt < MAX_CONFLICT_RETRIES) continue;
        throw await kubeError(this.clients, err, `updating ${this.what(namespace, name)}`);
      }
      return this.parse(ArgoApplication, answer, `updating ${this.what(namespace, name)}`);
    }
  }

  waitForApplication<T>(
    namespace: string,
    name: string,
    check: (app: ArgoApplication | undefined) => T | undefined,
    opts: WaitOptions,
  ): Promise<T | undefined> {
    return waitForObject<ArgoApplication, T>(
      this.clients,
      {
        path: `/apis/${GROUP}/${VERSION}/namespaces/${namespace}/${PLURAL}`,
        name,
        what: `watching ${this.what(namespace, name)}`,
        list: (fieldSelector) => this.clients.custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL, fieldSelector }),
        object: ArgoApplication,
      },
      check,
      opts,
    );
  }
}

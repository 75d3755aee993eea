/** Finding the Applications a step names, and the worker's Argo CD connection. */
import { DomainError } from '../../../core/errors.js';
import { renderLabelSelector } from '../../../core/label-selector.js';
import type { ArgoApplication, ArgoCDClient } from '../../adapters/argocd-client.js';
import type { StepContext, StepResult } from '../step.js';
import type { AppSelector } from './config.js';

/** How long one run of an Argo CD step watches before it reports Running (then runs again). */
export const DEFAULT_ARGOCD_WAIT_MS = 60_000;

export function waitWithinMs(ctx: StepContext): number {
  return ctx.argocdWaitMs ?? DEFAULT_ARGOCD_WAIT_MS;
}

/** @throws DomainError('FailedPrecondition') when the worker has no Argo CD connection. */
export function requireArgoCD(ctx: StepContext, kind: string): ArgoCDClient {
  if (ctx.argocd) return ctx.argocd;
  throw new DomainError(
    'FailedPrecondition',
    `${kind}: this worker has no Argo CD connection: run it in the cluster, set KUBECONFIG, or set ARGOCD_SERVER and ARGOCD_AUTH_TOKEN (see README, "Argo CD")`,
  );
}

/** The selector as the API server's `labelSelector` / Argo CD's `selector` parameter. */
export function labelSelector(selector: AppSelector): string {
  return renderLabelSelector(selector);
}

/** The Applications of one `apps[]` entry: by name (must exist) or by selector (at least one). */
export async function resolveApps(
  client: ArgoCDClient,
  spec: { name?: string | undefined; selector?: AppSelector | undefined; namespace?: string | undefined },
): Promise<ArgoApplication[]> {
  const namespace = spec.namespace ?? client.defaultNamespace;
  if (spec.name !== undefined) {
    const app = await client.getApplication(namespace, spec.name);
    if (!app) {
      throw new DomainError('StepFailed', `Argo CD Application ${JSON.stringify(spec.name)} not found in namespace ${JSON.stringify(namespace)}`);
    }
    app.metadata.namespace ??= namespace;
    return [app];
  }
  const selector = labelSelector(spec.selector!);
  const apps = await client.listApplications(namespace, selector);
  if (apps.length === 0) {
    throw new DomainError('StepFailed', `no Argo CD Application in namespace ${JSON.stringify(namespace)} matches the selector ${selector}`);
  }
  for (const a of apps) a.metadata.namespace ??= namespace;
  return apps;
}

/**
 * Runs one run of an Argo CD step. A server that cannot be reached (a Kubernetes API server
 * restarting, a 5xx) is not the step's error: the run reports Running and the step runs again
 * after a pause, until it succeeds or its timeout ends it (README: "an unreachable server makes
 * the step retry"). Every other error stays an error.
 */
export async function retryWhenUnreachable(body: () => Promise<StepResult>): Promise<StepResult> {
  try {
    return await body();
  } catch (err) {
    if (err instanceof DomainError && err.code === 'Unavailable') {
      return { status: 'Running', retryAfter: '2s', message: `${err.message}; trying again` };
    }
    throw err;
  }
}

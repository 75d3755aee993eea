/**
 * Webhook receivers' paths: each ProjectConfig (or ClusterConfig) receiver with its token
 * computed from its Secret. Secrets are read from the same Kubernetes Secret manifests the
 * workers use (SHUNT_CREDENTIALS), never logged. Calls find their receiver in receiver-index.ts.
 */
import { webhookReceivers, type WebhookProvider, type WebhookReceiver } from '../../core/manifests/webhook-receiver.js';
import type { ProjectState } from '../../core/project/state.js';
import { receiverToken, secretKey } from './verify.js';

/** Kargo's namespace for the Secrets of the ClusterConfig's receivers (SHUNT_SYSTEM_NAMESPACE). */
export const DEFAULT_SYSTEM_NAMESPACE = 'kargo-system-resources';

/**
 * Receivers' Secrets, read in their project's namespace only (as Kargo); a ClusterConfig's
 * receivers read theirs in `systemNamespace` (default kargo-system-resources).
 */
export interface SecretSource {
  forProject(project: string): { secret(name: string): Promise<Record<string, string>> };
  systemNamespace?: string;
}

export interface ReceiverPath {
  name: string;
  provider: WebhookProvider;
  path?: string;
  problem?: string;
}

/** A receiver's path, or why it has none (its Secret lacks the provider's key). */
export async function receiverPath(project: string | undefined, receiver: WebhookReceiver, secrets: SecretSource): Promise<ReceiverPath & { secret?: string }> {
  const namespace = project ?? secrets.systemNamespace ?? DEFAULT_SYSTEM_NAMESPACE;
  const data = await secrets.forProject(namespace).secret(receiver.secretName);
  const key = secretKey(receiver.provider);
  const value = data[key];
  const base = { name: receiver.name, provider: receiver.provider };
  if (!value) return { ...base, problem: `Secret "${receiver.secretName}" in namespace "${namespace}" has no "${key}" key` };
  return { ...base, path: `/webhooks/${receiver.provider}/${receiverToken(project ?? '', receiver.name, value)}`, secret: value };
}

/** Every receiver of a project with its path (for `GET …/webhook-receivers`). */
export async function receiverPaths(project: ProjectState, secrets: SecretSource): Promise<ReceiverPath[]> {
  return Promise.all(
    webhookReceivers(project.specs.config?.spec.webhookReceivers).map(async (r) => {
      const { secret: _secret, ...path } = await receiverPath(project.project, r, secrets);
      return path;
    }),
  );
}

/** A store of Secrets (by namespace) as the receivers read them, with the system namespace set. */
export function webhookSecrets(store: Pick<SecretSource, 'forProject'>, systemNamespace: string): SecretSource {
  return { forProject: (namespace) => store.forProject(namespace), systemNamespace };
}

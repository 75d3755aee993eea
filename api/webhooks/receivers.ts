/**
 * Webhook receivers' paths: each ProjectConfig receiver with its token computed from its
 * Secret. Secrets are read from the same Kubernetes Secret manifests the workers use
 * (SHUNT_CREDENTIALS), never logged. Calls find their receiver in receiver-index.ts.
 */
import { webhookReceivers, type WebhookProvider } from '../../core/manifests/webhook-receiver.js';
import type { ProjectState } from '../../core/project/state.js';
import { receiverToken, secretKey } from './verify.js';

/** Receivers' Secrets, read in their project's namespace only (as Kargo). */
export interface SecretSource {
  forProject(project: string): { secret(name: string): Promise<Record<string, string>> };
}

/** Every receiver of a project with its path (for `GET …/webhook-receivers`). */
export async function receiverPaths(project: ProjectState, secrets: SecretSource): Promise<{ name: string; provider: WebhookProvider; path?: string; problem?: string }[]> {
  return Promise.all(
    webhookReceivers(project.specs.config?.spec.webhookReceivers).map(async (r) => {
      const data = await secrets.forProject(project.project).secret(r.secretName);
      if (!data[secretKey(r.provider)]) return { name: r.name, provider: r.provider, problem: `Secret "${r.secretName}" has no "${secretKey(r.provider)}" key` };
      return { name: r.name, provider: r.provider, path: `/webhooks/${r.provider}/${receiverToken(project.project, r.name, data)}` };
    }),
  );
}

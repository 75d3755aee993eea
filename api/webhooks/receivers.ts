/**
 * Finds the receiver a webhook URL names: every project's ProjectConfig receivers of that
 * provider, each with its token computed from its Secret. Secrets are read from the same
 * Kubernetes Secret manifests the workers use (SHUNT_CREDENTIALS), never logged.
 */
import { webhookReceivers, type WebhookProvider, type WebhookReceiver } from '../../core/manifests/webhook-receiver.js';
import type { ProjectState } from '../../core/project/state.js';
import type { ShuntBackend } from '../backend.js';
import { receiverToken, secretKey } from './verify.js';

/** Receivers' Secrets, read in their project's namespace only (as Kargo). */
export interface SecretSource {
  forProject(project: string): { secret(name: string): Promise<Record<string, string>> };
}

export interface ResolvedReceiver {
  project: ProjectState;
  receiver: WebhookReceiver;
  /** The value the provider signs or sends (its Secret's key for that provider). */
  secret: string;
}

export async function resolveReceiver(backend: ShuntBackend, secrets: SecretSource, provider: WebhookProvider, token: string): Promise<ResolvedReceiver | undefined> {
  for (const summary of await backend.listProjects()) {
    const project = await backend.getProject(summary.name);
    for (const receiver of webhookReceivers(project.specs.config?.spec.webhookReceivers)) {
      if (receiver.provider !== provider) continue;
      const data = await secrets.forProject(project.project).secret(receiver.secretName);
      const secret = data[secretKey(provider)];
      if (!secret) continue; // a receiver without its secret cannot be called
      if (receiverToken(project.project, receiver.name, data) === token) return { project, receiver, secret };
    }
  }
  return undefined;
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

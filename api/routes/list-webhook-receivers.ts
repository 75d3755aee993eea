import type { RequestHandler } from 'express';
import { param } from '../request-context.js';
import type { RouteDeps } from '../route-deps.js';
import { webhookReceivers } from '../../core/manifests/webhook-receiver.js';
import { receiverPath, receiverPaths, type SecretSource } from '../webhooks/receivers.js';

/**
 * GET /api/v1/projects/:project/webhook-receivers: each receiver of the project's ProjectConfig
 * with the path to give the provider (Kargo publishes it in the ProjectConfig's status).
 */
export function listWebhookReceivers({ backend }: RouteDeps, secrets: SecretSource): RequestHandler {
  return async (req, res) => {
    const project = await backend.getProject(param(req, 'project'));
    res.json({ items: await receiverPaths(project, secrets) });
  };
}

/**
 * GET /api/v1/cluster/webhook-receivers: the ClusterConfig's receivers with their paths (Kargo
 * publishes them in the ClusterConfig's status); their Secrets are read in the system namespace.
 */
export function listClusterWebhookReceivers({ backend }: RouteDeps, secrets: SecretSource): RequestHandler {
  return async (_req, res) => {
    const config = await backend.getClusterConfig();
    const items = await Promise.all(
      webhookReceivers(config?.spec.webhookReceivers).map(async (r) => {
        const { secret: _secret, ...path } = await receiverPath(undefined, r, secrets);
        return path;
      }),
    );
    res.json({ items });
  };
}

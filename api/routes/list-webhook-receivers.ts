import type { RequestHandler } from 'express';
import { param } from '../request-context.js';
import type { RouteDeps } from '../route-deps.js';
import { receiverPaths, type SecretSource } from '../webhooks/receivers.js';

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

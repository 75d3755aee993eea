/**
 * POST /webhooks/:provider/:token: a registry or git host says something was pushed. The URL
 * names the receiver (Kargo's path scheme), the provider's own authentication is checked
 * (GitHub HMAC, GitLab token), and the warehouses of the receiver's project whose subscriptions
 * accept what was pushed are scanned at once. Outside /api/v1: no bearer token is involved.
 *
 * 404: no receiver at this path · 401: bad signature or token (nothing triggered) ·
 * 400: body is not JSON · 200: `{ receiver, refreshed: [warehouse…] }` (possibly empty).
 */
import type { RequestHandler } from 'express';
import { DomainError } from '../../core/errors.js';
import { WEBHOOK_PROVIDERS, type WebhookProvider } from '../../core/manifests/webhook-receiver.js';
import { warehousesForEvent } from '../../core/warehouse/webhook-match.js';
import { errorBody } from '../http-errors.js';
import { param } from '../request-context.js';
import type { RouteDeps } from '../route-deps.js';
import { parsePayload } from '../webhooks/payloads.js';
import { resolveReceiver, type SecretSource } from '../webhooks/receivers.js';
import { authenticationProblem } from '../webhooks/verify.js';

export function receiveWebhook({ backend }: RouteDeps, secrets: SecretSource): RequestHandler {
  return async (req, res) => {
    const provider = param(req, 'provider');
    if (!(WEBHOOK_PROVIDERS as readonly string[]).includes(provider)) {
      throw new DomainError('NotFound', `unknown webhook provider "${provider}"; expected one of ${WEBHOOK_PROVIDERS.join(', ')}`);
    }
    const resolved = await resolveReceiver(backend, secrets, provider as WebhookProvider, param(req, 'token'));
    if (!resolved) throw new DomainError('NotFound', 'no webhook receiver at this path');
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const header = (name: string): string | undefined => req.get(name) ?? undefined;
    const problem = authenticationProblem(resolved.receiver.provider, resolved.secret, header, raw);
    if (problem) {
      res.status(401).json(errorBody('Unauthenticated', `webhook receiver "${resolved.receiver.name}": ${problem}`));
      return;
    }
    let body: unknown = {};
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        throw new DomainError('BadRequest', 'the webhook body is not JSON');
      }
    }
    const parsed = parsePayload(resolved.receiver.provider, header, body);
    const project = resolved.project;
    const names = warehousesForEvent(project.specs.warehouses, parsed.events);
    for (const name of names) await backend.refreshWarehouse(project.project, name, `webhook:${resolved.receiver.name}`);
    res.json({ receiver: resolved.receiver.name, project: project.project, refreshed: names, ...(parsed.ping ? { ping: true } : {}) });
  };
}

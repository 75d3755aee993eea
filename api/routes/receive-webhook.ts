/**
 * POST /webhooks/:provider/:token: a registry or git host says something was pushed. The URL
 * names the receiver (Kargo's path scheme), the provider's own authentication is checked
 * (GitHub HMAC, GitLab token), and the warehouses of the receiver's project whose subscriptions
 * accept what was pushed are scanned at once. Outside /api/v1: no bearer token is involved.
 *
 * The receiver is found in the api's index (webhooks/receiver-index.ts): a path no receiver has
 * costs no backend call. Each receiver is rate-limited, and a delivery it already acted on
 * (same delivery id, or same body) is ignored.
 *
 * 404: no receiver at this path · 429: too many calls to this receiver (Retry-After) ·
 * 401: bad signature or token (nothing triggered) · 400: body is not JSON ·
 * 200: `{ receiver, refreshed: [warehouse…] }` (possibly empty), or `{ duplicate: true, … }`.
 */
import type { RequestHandler } from 'express';
import { DomainError } from '../../core/errors.js';
import { WEBHOOK_PROVIDERS, type WebhookProvider } from '../../core/manifests/webhook-receiver.js';
import { warehousesForEvent } from '../../core/warehouse/webhook-match.js';
import { errorBody } from '../http-errors.js';
import { param } from '../request-context.js';
import type { RouteDeps } from '../route-deps.js';
import { DeliveryLog, deliveryKeys } from '../webhooks/delivery-log.js';
import { parsePayload } from '../webhooks/payloads.js';
import { receiverIndexFor } from '../webhooks/receiver-index.js';
import { ReceiverRateLimit } from '../webhooks/receiver-rate-limit.js';
import type { SecretSource } from '../webhooks/receivers.js';
import { authenticationProblem } from '../webhooks/verify.js';

export interface ReceiveWebhookOptions {
  index?: { maxAgeMs?: number };
  deliveries?: ConstructorParameters<typeof DeliveryLog>[0];
  rateLimit?: ConstructorParameters<typeof ReceiverRateLimit>[0];
}

export function receiveWebhook({ backend }: RouteDeps, secrets: SecretSource, opts: ReceiveWebhookOptions = {}): RequestHandler {
  const index = receiverIndexFor(backend, secrets, opts.index);
  const deliveries = new DeliveryLog(opts.deliveries);
  const limits = new ReceiverRateLimit(opts.rateLimit);
  return async (req, res) => {
    const provider = param(req, 'provider');
    if (!(WEBHOOK_PROVIDERS as readonly string[]).includes(provider)) {
      throw new DomainError('NotFound', `unknown webhook provider "${provider}"; expected one of ${WEBHOOK_PROVIDERS.join(', ')}`);
    }
    const resolved = await index.lookup(provider as WebhookProvider, param(req, 'token'));
    if (!resolved) throw new DomainError('NotFound', 'no webhook receiver at this path');
    const { receiver } = resolved;
    const receiverKey = `${resolved.project}/${receiver.name}`;
    const wait = limits.take(receiverKey);
    if (wait !== undefined) {
      res.set('Retry-After', String(wait));
      res.status(429).json(errorBody('Unavailable', `webhook receiver "${receiver.name}": too many calls; retry after ${wait}s`));
      return;
    }
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const header = (name: string): string | undefined => req.get(name) ?? undefined;
    const problem = authenticationProblem(receiver.provider, resolved.secret, header, raw);
    if (problem) {
      res.status(401).json(errorBody('Unauthenticated', `webhook receiver "${receiver.name}": ${problem}`));
      return;
    }
    const keys = deliveryKeys(receiverKey, receiver.provider, header, raw);
    if (deliveries.has(keys)) {
      res.json({ receiver: receiver.name, project: resolved.project, refreshed: [], duplicate: true, message: 'duplicate delivery, ignored' });
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
    const parsed = parsePayload(receiver.provider, header, body);
    // Recorded before acting, so a replay sent meanwhile is ignored too; forgotten on failure,
    // so the provider's own retry of a delivery that failed here is acted on.
    deliveries.record(keys);
    try {
      const project = await backend.getProject(resolved.project);
      const names = warehousesForEvent(project.specs.warehouses, parsed.events);
      for (const name of names) await backend.refreshWarehouse(project.project, name, `webhook:${receiver.name}`);
      res.json({ receiver: receiver.name, project: project.project, refreshed: names, ...(parsed.ping ? { ping: true } : {}) });
    } catch (err) {
      deliveries.forget(keys);
      throw err;
    }
  };
}

/**
 * POST /webhooks/:provider/:token: a registry or git host says something was pushed. The URL
 * names the receiver (Kargo's path scheme), the provider's own authentication is checked
 * (webhooks/verify.ts), and the warehouses of the receiver's project (every project, for a
 * ClusterConfig receiver) whose subscriptions accept what was pushed are scanned at once. A
 * generic receiver with actions runs them instead (webhooks/generic-actions.ts). Outside
 * /api/v1: no bearer token is involved.
 *
 * The receiver is found in the api's index (webhooks/receiver-index.ts): a path no receiver has
 * costs no backend call. Each receiver is rate-limited, and a delivery it already acted on
 * (same delivery id, or same body) is ignored.
 *
 * 404: no receiver at this path · 429: too many calls to this receiver (Retry-After) ·
 * 401: bad signature or token (nothing triggered) · 400: body is not JSON, or an event the
 * provider's receiver refuses in Kargo · 501: an event Kargo does not implement (Gitea,
 * Artifactory) · 200: `{ receiver, project | scope: 'cluster', refreshed: [warehouse…] }`
 * (`project/warehouse` for cluster receivers; possibly empty), or `{ duplicate: true, … }` ·
 * generic with actions: `{ results: […] }`, 500 when an action errored or failed (as Kargo).
 */
import type { Request, RequestHandler } from 'express';
import { DomainError } from '../../core/errors.js';
import { WEBHOOK_PROVIDERS, type WebhookProvider } from '../../core/manifests/webhook-receiver.js';
import { warehousesForEvent } from '../../core/warehouse/webhook-match.js';
import { errorBody } from '../http-errors.js';
import { param } from '../request-context.js';
import type { ShuntBackend } from '../backend.js';
import type { ProjectState } from '../../core/project/state.js';
import type { RouteDeps } from '../route-deps.js';
import { DeliveryLog, deliveryKeys } from '../webhooks/delivery-log.js';
import { runGenericActions, type GenericRequest } from '../webhooks/generic-actions.js';
import { parseJsonBody, parsePayload, unsupportedEvent, WebhookRefusal, type ParsedWebhook } from '../webhooks/payloads.js';
import { receiverIndexFor } from '../webhooks/receiver-index.js';
import { ReceiverRateLimit } from '../webhooks/receiver-rate-limit.js';
import type { SecretSource } from '../webhooks/receivers.js';
import { authenticationProblem } from '../webhooks/verify.js';

/** Why a merged or closed pull request refreshes nothing here. */
const PULL_REQUEST_NOTE = "Shunt's git-wait-for-pr polls the pull request on its own (pollInterval); nothing to wake";

/** Every project, for a ClusterConfig receiver (Kargo refreshes across all namespaces). */
async function allProjects(backend: ShuntBackend): Promise<ProjectState[]> {
  const out: ProjectState[] = [];
  for (const p of await backend.listProjects()) out.push(await backend.getProject(p.name));
  return out;
}

/** What a generic receiver's expressions see of the call (Kargo's `request`). */
function genericRequest(req: Request, body: unknown): GenericRequest {
  const query = new URL(req.originalUrl, 'http://receiver.invalid').searchParams;
  return {
    body,
    header: (name) => req.headersDistinct[String(name).toLowerCase()]?.[0] ?? '',
    headers: (name) => [...(req.headersDistinct[String(name).toLowerCase()] ?? [])],
    params: (name) => query.get(String(name)) ?? '',
  };
}

/** What besides the body a generic receiver's actions read: the query and the headers. */
function requestContext(req: Request): string {
  const headers = Object.entries(req.headersDistinct).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([req.originalUrl.slice(req.originalUrl.indexOf('?') + 1 || req.originalUrl.length), headers]);
}

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
    const receiverKey = `${resolved.project ?? '(cluster)'}/${receiver.name}`;
    const scope = resolved.project === undefined ? { scope: 'cluster' } : { project: resolved.project };
    const wait = limits.take(receiverKey);
    if (wait !== undefined) {
      res.set('Retry-After', String(wait));
      res.status(429).json(errorBody('Unavailable', `webhook receiver "${receiver.name}": too many calls; retry after ${wait}s`));
      return;
    }
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const header = (name: string): string | undefined => req.get(name) ?? undefined;
    const unsupported = unsupportedEvent(receiver.provider, header);
    if (unsupported) {
      res.status(unsupported.status).json(errorBody(unsupported.status === 501 ? 'NotImplemented' : 'BadRequest', `webhook receiver "${receiver.name}": ${unsupported.message}`));
      return;
    }
    const problem = authenticationProblem(receiver.provider, resolved.secret, header, raw);
    if (problem) {
      res.status(401).json(errorBody('Unauthenticated', `webhook receiver "${receiver.name}": ${problem}`));
      return;
    }
    const keys = deliveryKeys(receiverKey, receiver.provider, header, raw, receiver.actions ? requestContext(req) : '');
    if (deliveries.has(keys)) {
      res.json({ receiver: receiver.name, ...scope, refreshed: [], duplicate: true, message: 'duplicate delivery, ignored' });
      return;
    }
    let body: unknown;
    let parsed: ParsedWebhook | undefined;
    try {
      body = parseJsonBody(raw);
      if (receiver.provider !== 'generic' && (body === null || typeof body !== 'object' || Array.isArray(body))) {
        throw new WebhookRefusal(400, 'invalid request body: expected a JSON object');
      }
      if (!receiver.actions) parsed = parsePayload(receiver, header, body);
    } catch (err) {
      if (!(err instanceof WebhookRefusal)) throw err;
      res.status(err.status).json(errorBody(err.status === 501 ? 'NotImplemented' : 'BadRequest', `webhook receiver "${receiver.name}": ${err.message}`));
      return;
    }
    // Recorded before acting, so a replay sent meanwhile is ignored too; forgotten on failure,
    // so the provider's own retry of a delivery that failed here is acted on.
    deliveries.record(keys);
    try {
      const projects = resolved.project === undefined ? await allProjects(backend) : [await backend.getProject(resolved.project)];
      const refresh = async (project: string, warehouse: string): Promise<void> => {
        await backend.refreshWarehouse(project, warehouse, `webhook:${receiver.name}`);
      };
      if (receiver.actions) {
        const { results, failed } = await runGenericActions(receiver.actions, genericRequest(req, body), projects, refresh);
        if (failed) deliveries.forget(keys);
        res.status(failed ? 500 : 200).json({ receiver: receiver.name, ...scope, results });
        return;
      }
      const refreshed: string[] = [];
      for (const project of projects) {
        for (const name of warehousesForEvent(project.specs.warehouses, parsed!.events)) {
          await refresh(project.project, name);
          refreshed.push(resolved.project === undefined ? `${project.project}/${name}` : name);
        }
      }
      res.json({
        receiver: receiver.name,
        ...scope,
        refreshed,
        ...(parsed!.ping ? { ping: true } : {}),
        ...(parsed!.pullRequest ? { pullRequest: { url: parsed!.pullRequest, message: PULL_REQUEST_NOTE } } : {}),
      });
    } catch (err) {
      deliveries.forget(keys);
      throw err;
    }
  };
}

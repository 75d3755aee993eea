import express from 'express';
import { pino, type Logger } from 'pino';
import { downstreamOf } from '../core/project/downstream.js';
import { API_ROUTES } from './api-routes.js';
import { auditMiddleware } from './audit/audit-middleware.js';
import type { AccessControl } from './auth/access-control.js';
import { authenticate, authorizeScope, authorizeTargets, type TargetLookup } from './auth/index.js';
import type { ShuntBackend } from './backend.js';
import { errorHandler, notFoundHandler } from './http-errors.js';
import { DEFAULT_MAX_BODY_BYTES } from './body-limits.js';
import { ApiMetrics } from './metrics.js';
import { openApiDocument } from './openapi.js';
import { JSON_TYPES, requestOriginGuard } from './request-origin.js';
import { listRoutes } from './route-list.js';
import { vendorModules, webPage } from './web-assets.js';
import { requestContextMiddleware } from './request-context.js';
import { LOG_REDACT_PATHS } from '../core/log-redaction.js';
import type { RouteDeps } from './route-deps.js';
import { ProjectStreams, type ProjectStreamsOptions } from './project-streams.js';
import { getAuthConfig } from './routes/get-auth-config.js';
import { RenderedAnswers } from './rendered-answers.js';
import { getHealth } from './routes/get-health.js';
import { relayToken } from './routes/relay-token.js';
import { receiveWebhook, type ReceiveWebhookOptions } from './routes/receive-webhook.js';
import type { SecretSource } from './webhooks/receivers.js';

export interface AppDeps {
  backend: ShuntBackend;
  /** Who may call the api: `openAccess()` (explicit open mode) or `enforcedAccess(config)`. */
  access: AccessControl;
  /** Defaults to a pino logger at `info`; each request logs through a child of it. */
  logger?: Logger;
  /** Base address of the Temporal Web UI; when set, promotions carry `status.temporalUiUrl`. */
  temporalUiUrl?: string;
  /** Temporal namespace used in those links; default `default`. */
  namespace?: string;
  /** Where /metrics finds the worker's metrics (same process: its registry; else its HTTP endpoint). */
  workerMetrics?: () => Promise<string>;
  /** Default: a fresh registry without process metrics (the api process adds them). */
  metrics?: ApiMetrics;
  /** Where webhook receivers' Secrets are read (SHUNT_CREDENTIALS); without it no receiver answers. */
  secrets?: SecretSource;
  /** Largest request body under /api/v1, in bytes (SHUNT_MAX_BODY_BYTES); default {@link DEFAULT_MAX_BODY_BYTES}. */
  maxBodyBytes?: number;
  /** The projects' live updates; server.ts passes its own to close them at shutdown. Default: one of this app's. */
  streams?: ProjectStreams;
  /** Rendered answers of reads, kept per snapshot; default: one of this app's (tests pass theirs to count renders). */
  answers?: RenderedAnswers;
  /** Options of the default `streams`, and the keep-alive interval of event streams (tests shorten them). */
  streamOptions?: ProjectStreamsOptions & { keepAliveMs?: number };
  /** Host names the api is reached by, besides IP addresses and localhost (SHUNT_HOST, SHUNT_ALLOWED_HOSTS). */
  allowedHosts?: readonly string[];
  /** Options of the webhook receivers' route (tests give the rate limit a clock of their own). */
  webhookOptions?: ReceiveWebhookOptions;
}

/** Largest webhook body (a provider's push payload). */
export const MAX_WEBHOOK_BODY = '10mb';

export const API_PREFIX = '/api/v1';

/**
 * The only routes under /api/v1 that need no token and have no entry in the route table: the
 * caller is about to sign in (api/auth/sign-in.ts).
 */
export const OPEN_API_ROUTES = ['GET /api/v1/auth/config', 'POST /api/v1/auth/token'] as const;

/** The version the OpenAPI document states. */
export const API_VERSION = '0.1.0';

/**
 * Builds the REST API (no `listen`: api/server.ts or a test does that). Every route is listed
 * here; each handler lives in its own file under api/routes/.
 */
export function createApp(deps: AppDeps): express.Express {
  const logger = deps.logger ?? pino({ name: 'shunt-api', redact: [...LOG_REDACT_PATHS] });
  const views: RouteDeps['views'] = { namespace: deps.namespace ?? 'default' };
  if (deps.temporalUiUrl !== undefined) views.temporalUiUrl = deps.temporalUiUrl;
  const streams = deps.streams ?? new ProjectStreams(deps.backend, views, deps.streamOptions);
  const routeDeps: RouteDeps = {
    backend: deps.backend,
    views,
    answers: deps.answers ?? new RenderedAnswers(),
    streams,
    ...(deps.streamOptions?.keepAliveMs === undefined ? {} : { streamKeepAliveMs: deps.streamOptions.keepAliveMs }),
  };

  const app = express();
  // Before the first route: the app's router is created with these (paths match exactly).
  app.set('case sensitive routing', true);
  app.set('strict routing', true);
  app.disable('x-powered-by');
  app.set('etag', false);
  const metrics = deps.metrics ?? new ApiMetrics(deps.backend);
  app.use(requestContextMiddleware(logger));
  app.use(metrics.middleware());
  // Webhooks need the raw body for their signatures; providers call them from other sites, so
  // they come before the origin guard (each receiver checks its own signature or token).
  const secrets: SecretSource = deps.secrets ?? { forProject: () => ({ secret: async () => ({}) }) };
  app.post('/webhooks/:provider/:token', express.raw({ type: () => true, limit: MAX_WEBHOOK_BODY }), receiveWebhook(routeDeps, secrets, deps.webhookOptions));
  app.use(requestOriginGuard({ allowedHosts: deps.allowedHosts ?? [] }));

  const who = authenticate(deps.access);
  app.get('/healthz', getHealth(routeDeps));
  app.get('/metrics', who, metrics.handler(deps.workerMetrics));
  app.get('/openapi.json', (_req, res) => {
    res.json(openApiDocument(listRoutes(app), API_VERSION));
  });
  app.get('/', webPage());
  app.use('/vendor', vendorModules());
  // Sign-in, open: the caller has no token yet (api/auth/sign-in.ts).
  app.get(`${API_PREFIX}/auth/config`, getAuthConfig(deps.access));
  app.post(`${API_PREFIX}/auth/token`, express.json({ limit: '16kb', type: JSON_TYPES }), relayToken(deps.access));

  const api = express.Router({ caseSensitive: true, strict: true });
  // Audit first: it wraps the answer, so denials by the access checks are recorded too.
  api.use(auditMiddleware(deps.backend));
  // Who is calling, before any route reads a body.
  api.use(who);
  // Not strict: a body of `"x"` is valid JSON, and the route's schema explains what it expected.
  const json = express.json({ limit: deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES, strict: false, type: JSON_TYPES });
  const full = authorizeTargets(promotionLookup(deps.backend));
  const apiDeps = { ...routeDeps, secrets };
  for (const route of API_ROUTES) {
    const scope = authorizeScope(route.path, route.permission);
    const handlers = route.body ? [scope, json, full, route.handler(apiDeps)] : [scope, full, route.handler(apiDeps)];
    api[route.method === 'GET' ? 'get' : route.method === 'POST' ? 'post' : route.method === 'PATCH' ? 'patch' : 'delete'](route.path, ...handlers);
  }
  // A request no route matched gets no handler, no fallback permission: a 404.
  api.use(notFoundHandler);
  app.use(API_PREFIX, api);
  app.use(webPage());

  app.use(notFoundHandler);
  app.use(errorHandler(logger));
  return app;
}

/** Finds a promotion's stage for the permission check of routes that name a promotion. */
function promotionLookup(backend: ShuntBackend): TargetLookup {
  return {
    async promotionStage(project, name) {
      try {
        return (await backend.getPromotion(project, name)).stage;
      } catch {
        return undefined;
      }
    },
    async downstreamStages(project, stage, freight) {
      try {
        return downstreamOf(await backend.getProject(project), stage, freight);
      } catch {
        return undefined;
      }
    },
  };
}

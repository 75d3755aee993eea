import express from 'express';
import { pino, type Logger } from 'pino';
import { auditMiddleware } from './audit/audit-middleware.js';
import type { AccessControl } from './auth/access-control.js';
import { accessMiddleware, type TargetLookup } from './auth/index.js';
import type { ShuntBackend } from './backend.js';
import { errorHandler, notFoundHandler } from './http-errors.js';
import { ApiMetrics } from './metrics.js';
import { openApiDocument } from './openapi.js';
import { listRoutes } from './route-list.js';
import { webPage } from './web-assets.js';
import { REDACT_PATHS, requestContextMiddleware } from './request-context.js';
import type { RouteDeps } from './route-deps.js';
import { abortPromotionRoute } from './routes/abort-promotion.js';
import { abortVerificationRoute } from './routes/abort-verification.js';
import { applyManifests } from './routes/apply-manifests.js';
import { approveFreightRoute } from './routes/approve-freight.js';
import { approvePromotionRoute } from './routes/approve-promotion.js';
import { deleteProject } from './routes/delete-project.js';
import { deleteStage } from './routes/delete-stage.js';
import { deleteWarehouse } from './routes/delete-warehouse.js';
import { getFreight } from './routes/get-freight.js';
import { getHealth } from './routes/get-health.js';
import { getProject } from './routes/get-project.js';
import { getPromotion } from './routes/get-promotion.js';
import { getStage } from './routes/get-stage.js';
import { getWarehouse } from './routes/get-warehouse.js';
import { getWhoAmI } from './routes/get-whoami.js';
import { listEvents } from './routes/list-events.js';
import { listFreight } from './routes/list-freight.js';
import { listProjects } from './routes/list-projects.js';
import { listPromotions } from './routes/list-promotions.js';
import { listStages } from './routes/list-stages.js';
import { listWarehouses } from './routes/list-warehouses.js';
import { promoteFreight } from './routes/promote-freight.js';
import { retryPromotionRoute } from './routes/retry-promotion.js';
import { verifyStageRoute } from './routes/verify-stage.js';
import { listWebhookReceivers } from './routes/list-webhook-receivers.js';
import { receiveWebhook } from './routes/receive-webhook.js';
import { refreshWarehouse } from './routes/refresh-warehouse.js';
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
}

/** Largest accepted JSON body (an apply of many manifests). */
export const MAX_BODY = '10mb';

export const API_PREFIX = '/api/v1';

/** The version the OpenAPI document states. */
export const API_VERSION = '0.1.0';

/**
 * Builds the REST API (no `listen`: api/server.ts or a test does that). Every route is listed
 * here; each handler lives in its own file under api/routes/.
 */
export function createApp(deps: AppDeps): express.Express {
  const logger = deps.logger ?? pino({ name: 'shunt-api', redact: REDACT_PATHS });
  const views: RouteDeps['views'] = { namespace: deps.namespace ?? 'default' };
  if (deps.temporalUiUrl !== undefined) views.temporalUiUrl = deps.temporalUiUrl;
  const routeDeps: RouteDeps = { backend: deps.backend, views };

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  const metrics = deps.metrics ?? new ApiMetrics(deps.backend);
  app.use(requestContextMiddleware(logger));
  app.use(metrics.middleware());
  // Webhooks need the raw body for their signatures, so they come before the JSON parser.
  const secrets: SecretSource = deps.secrets ?? { forProject: () => ({ secret: async () => ({}) }) };
  app.post('/webhooks/:provider/:token', express.raw({ type: () => true, limit: MAX_BODY }), receiveWebhook(routeDeps, secrets));
  // Not strict: a body of `"x"` is valid JSON, and the route's schema explains what it expected.
  app.use(express.json({ limit: MAX_BODY, strict: false }));

  app.get('/healthz', getHealth(routeDeps));
  app.get('/metrics', metrics.handler(deps.workerMetrics));
  app.get('/openapi.json', (_req, res) => {
    res.json(openApiDocument(listRoutes(app), API_VERSION));
  });
  app.get('/', webPage());

  const api = express.Router();
  // Audit first: it wraps the answer, so denials by the access check are recorded too.
  api.use(auditMiddleware(deps.backend));
  api.use(accessMiddleware(deps.access, promotionLookup(deps.backend)));
  api.get('/whoami', getWhoAmI(routeDeps));
  api.post('/apply', applyManifests(routeDeps));
  api.get('/projects', listProjects(routeDeps));
  api.get('/projects/:project', getProject(routeDeps));
  api.delete('/projects/:project', deleteProject(routeDeps));
  api.get('/projects/:project/warehouses', listWarehouses(routeDeps));
  api.get('/projects/:project/warehouses/:name', getWarehouse(routeDeps));
  api.delete('/projects/:project/warehouses/:name', deleteWarehouse(routeDeps));
  api.post('/projects/:project/warehouses/:name/refresh', refreshWarehouse(routeDeps));
  api.get('/projects/:project/webhook-receivers', listWebhookReceivers(routeDeps, secrets));
  api.get('/projects/:project/stages', listStages(routeDeps));
  api.get('/projects/:project/stages/:name', getStage(routeDeps));
  api.delete('/projects/:project/stages/:name', deleteStage(routeDeps));
  api.get('/projects/:project/freight', listFreight(routeDeps));
  api.get('/projects/:project/freight/:name', getFreight(routeDeps));
  api.get('/projects/:project/promotions', listPromotions(routeDeps));
  api.post('/projects/:project/promotions', promoteFreight(routeDeps));
  api.get('/projects/:project/promotions/:name', getPromotion(routeDeps));
  api.post('/projects/:project/freight/:name/approve', approveFreightRoute(routeDeps));
  api.post('/projects/:project/promotions/:name/approve', approvePromotionRoute(routeDeps));
  api.post('/projects/:project/promotions/:name/retry', retryPromotionRoute(routeDeps));
  api.post('/projects/:project/promotions/:name/abort', abortPromotionRoute(routeDeps));
  api.post('/projects/:project/stages/:name/verify', verifyStageRoute(routeDeps));
  api.post('/projects/:project/stages/:name/verification/abort', abortVerificationRoute(routeDeps));
  api.get('/projects/:project/events', listEvents(routeDeps));
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
  };
}

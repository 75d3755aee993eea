/**
 * The REST API's routes under /api/v1: one table, each route with its handler and its
 * permission. createApp registers exactly these, each behind the checks its permission
 * declares, so a route cannot be served without a permission, and the permission checked is
 * the one of the route that matched (routing is case-sensitive and strict).
 */
import type { RequestHandler } from 'express';
import { PERMISSIONS, type RoutePermission } from './auth/permissions.js';
import type { RouteDeps } from './route-deps.js';
import { abortPromotionRoute } from './routes/abort-promotion.js';
import { abortVerificationRoute } from './routes/abort-verification.js';
import { applyManifests } from './routes/apply-manifests.js';
import { approveFreightRoute } from './routes/approve-freight.js';
import { approvePromotionRoute } from './routes/approve-promotion.js';
import { compareStagesRoute } from './routes/compare-stages.js';
import { deleteFreightRoute } from './routes/delete-freight.js';
import { deleteProject } from './routes/delete-project.js';
import { deleteStage } from './routes/delete-stage.js';
import { deleteWarehouse } from './routes/delete-warehouse.js';
import { getFreight } from './routes/get-freight.js';
import { getProject } from './routes/get-project.js';
import { getPromotion } from './routes/get-promotion.js';
import { getPromotionChanges } from './routes/get-promotion-changes.js';
import { getStage } from './routes/get-stage.js';
import { getWarehouse } from './routes/get-warehouse.js';
import { getWhoAmI } from './routes/get-whoami.js';
import { listApprovals } from './routes/list-approvals.js';
import { listAudit } from './routes/list-audit.js';
import { listEvents } from './routes/list-events.js';
import { listNotificationDeadLetters } from './routes/list-dead-letters.js';
import { streamEvents } from './routes/stream-events.js';
import { listFreight } from './routes/list-freight.js';
import { listProjects } from './routes/list-projects.js';
import { listPromotions } from './routes/list-promotions.js';
import { pruneProjectRoute } from './routes/prune-project.js';
import { listStages } from './routes/list-stages.js';
import { listWarehouses } from './routes/list-warehouses.js';
import { listClusterWebhookReceivers, listWebhookReceivers } from './routes/list-webhook-receivers.js';
import { promoteDownstream } from './routes/promote-downstream.js';
import { promoteFreight } from './routes/promote-freight.js';
import { streamProject } from './routes/stream-project.js';
import { refreshStageRoute } from './routes/refresh-stage.js';
import { refreshWarehouse } from './routes/refresh-warehouse.js';
import { retryPromotionRoute } from './routes/retry-promotion.js';
import { updateFreightAliasRoute } from './routes/update-freight-alias.js';
import { verifyStageRoute } from './routes/verify-stage.js';
import type { SecretSource } from './webhooks/receivers.js';

export interface ApiRouteDeps extends RouteDeps {
  secrets: SecretSource;
}

export interface ApiRoute {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Under /api/v1; `:name` segments are parameters. */
  path: string;
  permission: RoutePermission;
  /** The route reads a JSON body: parsed only after the caller passed the first check. */
  body?: true;
  handler(deps: ApiRouteDeps): RequestHandler;
}

const P = PERMISSIONS;

export const API_ROUTES: readonly ApiRoute[] = [
  { method: 'GET', path: '/whoami', permission: P.read, handler: getWhoAmI },
  { method: 'POST', path: '/apply', permission: P.apply, body: true, handler: applyManifests },
  { method: 'GET', path: '/projects', permission: P.read, handler: listProjects },
  { method: 'GET', path: '/projects/:project', permission: P.readProject, handler: getProject },
  { method: 'DELETE', path: '/projects/:project', permission: P.deleteProject, handler: deleteProject },
  { method: 'GET', path: '/projects/:project/warehouses', permission: P.readProject, handler: listWarehouses },
  { method: 'GET', path: '/projects/:project/warehouses/:name', permission: P.readProject, handler: getWarehouse },
  { method: 'DELETE', path: '/projects/:project/warehouses/:name', permission: P.deleteInProject, handler: deleteWarehouse },
  { method: 'POST', path: '/projects/:project/warehouses/:name/refresh', permission: P.refresh, body: true, handler: refreshWarehouse },
  { method: 'GET', path: '/projects/:project/webhook-receivers', permission: P.readProject, handler: (d) => listWebhookReceivers(d, d.secrets) },
  { method: 'GET', path: '/cluster/webhook-receivers', permission: P.readClusterSecrets, handler: (d) => listClusterWebhookReceivers(d, d.secrets) },
  { method: 'GET', path: '/projects/:project/stages', permission: P.readProject, handler: listStages },
  { method: 'GET', path: '/projects/:project/stages/:name', permission: P.readProject, handler: getStage },
  { method: 'GET', path: '/projects/:project/stages/:name/compare', permission: P.readProject, handler: compareStagesRoute },
  { method: 'DELETE', path: '/projects/:project/stages/:name', permission: P.deleteStage, handler: deleteStage },
  { method: 'POST', path: '/projects/:project/stages/:name/refresh', permission: P.refreshStage, body: true, handler: refreshStageRoute },
  {
    method: 'POST',
    path: '/projects/:project/stages/:name/promotions/downstream',
    permission: P.promoteDownstream,
    body: true,
    handler: promoteDownstream,
  },
  { method: 'GET', path: '/projects/:project/freight', permission: P.readProject, handler: listFreight },
  { method: 'GET', path: '/projects/:project/freight/:name', permission: P.readProject, handler: getFreight },
  { method: 'DELETE', path: '/projects/:project/freight/:name', permission: P.deleteInProject, handler: deleteFreightRoute },
  { method: 'POST', path: '/projects/:project/prune', permission: P.deleteInProject, body: true, handler: pruneProjectRoute },
  { method: 'PATCH', path: '/projects/:project/freight/:name/alias', permission: P.updateFreight, body: true, handler: updateFreightAliasRoute },
  { method: 'GET', path: '/projects/:project/promotions', permission: P.readProject, handler: listPromotions },
  { method: 'POST', path: '/projects/:project/promotions', permission: P.promote, body: true, handler: promoteFreight },
  { method: 'GET', path: '/projects/:project/promotions/:name', permission: P.readProject, handler: getPromotion },
  { method: 'GET', path: '/projects/:project/promotions/:name/changes', permission: P.readProject, handler: getPromotionChanges },
  { method: 'POST', path: '/projects/:project/freight/:name/approve', permission: P.approveFreight, body: true, handler: approveFreightRoute },
  { method: 'POST', path: '/projects/:project/promotions/:name/approve', permission: P.approvePromotion, body: true, handler: approvePromotionRoute },
  { method: 'POST', path: '/projects/:project/promotions/:name/retry', permission: P.retryPromotion, body: true, handler: retryPromotionRoute },
  { method: 'POST', path: '/projects/:project/promotions/:name/abort', permission: P.abortPromotion, body: true, handler: abortPromotionRoute },
  { method: 'POST', path: '/projects/:project/stages/:name/verify', permission: P.verify, body: true, handler: verifyStageRoute },
  {
    method: 'POST',
    path: '/projects/:project/stages/:name/verification/abort',
    permission: P.abortVerification,
    body: true,
    handler: abortVerificationRoute,
  },
  { method: 'GET', path: '/projects/:project/events', permission: P.readProject, handler: listEvents },
  { method: 'GET', path: '/projects/:project/events/stream', permission: P.readProject, handler: streamEvents },
  { method: 'GET', path: '/projects/:project/notifications/dead-letters', permission: P.readProject, handler: listNotificationDeadLetters },
  { method: 'GET', path: '/projects/:project/audit', permission: P.readProject, handler: listAudit },
  { method: 'GET', path: '/projects/:project/approvals', permission: P.readProject, handler: listApprovals },
  { method: 'GET', path: '/projects/:project/stream', permission: P.readProject, handler: streamProject },
];

/** The table's entry for a method and express pattern (parameter names aside), if any. */
export function apiRoute(method: string, path: string): ApiRoute | undefined {
  const shape = (p: string): string => p.replace(/:\w+/g, ':');
  return API_ROUTES.find((r) => r.method === method.toUpperCase() && shape(r.path) === shape(path));
}

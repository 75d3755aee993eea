import type { RequestHandler } from 'express';
import { actorOf, param } from '../request-context.js';
import type { RouteDeps } from '../route-deps.js';
import { deletedStatus } from '../views.js';

/**
 * DELETE /api/v1/projects/:project/freight/:name (id or alias): 409 while a stage holds the
 * freight or a promotion of it runs; queued promotions of it are aborted.
 */
export function deleteFreightRoute({ backend }: RouteDeps): RequestHandler {
  return async (req, res) => {
    const project = param(req, 'project');
    const deleted = await backend.deleteFreight(project, param(req, 'name'), actorOf(res));
    res.json({ ...deletedStatus('Freight', deleted.freight, project), alias: deleted.alias, abortedPromotions: deleted.abortedPromotions });
  };
}

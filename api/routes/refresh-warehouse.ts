import type { RequestHandler } from 'express';
import { actorOf, param } from '../request-context.js';
import type { RouteDeps } from '../route-deps.js';

/** POST /api/v1/projects/:project/warehouses/:name/refresh: scan the warehouse now (202). */
export function refreshWarehouse({ backend }: RouteDeps): RequestHandler {
  return async (req, res) => {
    const project = param(req, 'project');
    const name = param(req, 'name');
    const result = await backend.refreshWarehouse(project, name, actorOf(res));
    res.status(202).json(result);
  };
}

import type { RequestHandler } from 'express';
import { actorOf, param } from '../request-context.js';
import type { RouteDeps } from '../route-deps.js';
import { deletedStatus } from '../views.js';

/** DELETE /api/v1/projects/:project/warehouses/:name */
export function deleteWarehouse({ backend }: RouteDeps): RequestHandler {
  return async (req, res) => {
    const project = param(req, 'project');
    const name = param(req, 'name');
    await backend.deleteResource(project, 'Warehouse', name, actorOf(res));
    res.json(deletedStatus('Warehouse', name, project));
  };
}

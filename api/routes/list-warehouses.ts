import type { RequestHandler } from 'express';
import { param } from '../request-context.js';
import type { RouteDeps } from '../route-deps.js';
import { renderWarehouseList } from '../views.js';

/** GET /api/v1/projects/:project/warehouses */
export function listWarehouses({ backend }: RouteDeps): RequestHandler {
  return async (req, res) => {
    const state = await backend.getProject(param(req, 'project'));
    res.json(renderWarehouseList(state));
  };
}

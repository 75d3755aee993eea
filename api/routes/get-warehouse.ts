import type { RequestHandler } from 'express';
import { DomainError } from '../../core/errors.js';
import { param } from '../request-context.js';
import type { RouteDeps } from '../route-deps.js';
import { renderWarehouse } from '../views.js';

/** GET /api/v1/projects/:project/warehouses/:name */
export function getWarehouse({ backend }: RouteDeps): RequestHandler {
  return async (req, res) => {
    const project = param(req, 'project');
    const name = param(req, 'name');
    const state = await backend.getProject(project);
    const warehouse = state.specs.warehouses[name];
    if (warehouse === undefined) {
      throw new DomainError('NotFound', `warehouse "${name}" not found in project "${project}"`);
    }
    res.json(renderWarehouse(state, warehouse));
  };
}

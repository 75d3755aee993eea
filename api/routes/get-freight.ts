import type { RequestHandler } from 'express';
import { param } from '../request-context.js';
import type { RouteDeps } from '../route-deps.js';
import { renderFreight } from '../views.js';

/** GET /api/v1/projects/:project/freight/:name, where name is the freight's id or its alias. */
export function getFreight({ backend }: RouteDeps): RequestHandler {
  return async (req, res) => {
    const project = param(req, 'project');
    const read = await backend.getFreight(project, param(req, 'name'));
    res.json(renderFreight(project, read.freight, read.lastVerificationIn));
  };
}

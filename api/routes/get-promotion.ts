import type { RequestHandler } from 'express';
import { param } from '../request-context.js';
import type { RouteDeps } from '../route-deps.js';
import { renderPromotion } from '../views.js';

/** GET /api/v1/projects/:project/promotions/:name, with live step status while it runs. */
export function getPromotion({ backend, views }: RouteDeps): RequestHandler {
  return async (req, res) => {
    const project = param(req, 'project');
    const promotion = await backend.getPromotion(project, param(req, 'name'));
    res.json(renderPromotion(project, promotion, views));
  };
}

import type { RequestHandler } from 'express';
import { actorOf, param } from '../request-context.js';
import type { RouteDeps } from '../route-deps.js';
import { renderPromotion } from '../views.js';

/** POST /api/v1/projects/:project/promotions/:name/abort: stops a pending or running promotion. */
export function abortPromotionRoute({ backend, views }: RouteDeps): RequestHandler {
  return async (req, res) => {
    const project = param(req, 'project');
    const promotion = await backend.abortPromotion(project, param(req, 'name'), actorOf(res));
    res.status(200).json(renderPromotion(project, promotion, views));
  };
}

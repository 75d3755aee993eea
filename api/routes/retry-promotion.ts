import type { RequestHandler } from 'express';
import { actorOf, param } from '../request-context.js';
import type { RouteDeps } from '../route-deps.js';
import { renderPromotion } from '../views.js';

/** POST /api/v1/projects/:project/promotions/:name/retry: queues a new promotion re-running a failed, errored or aborted one; 201 with the new promotion. */
export function retryPromotionRoute({ backend, views }: RouteDeps): RequestHandler {
  return async (req, res) => {
    const project = param(req, 'project');
    const promotion = await backend.retryPromotion(project, param(req, 'name'), actorOf(res));
    res.status(201).json(renderPromotion(project, promotion, views));
  };
}

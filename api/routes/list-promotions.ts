import type { RequestHandler } from 'express';
import { param } from '../request-context.js';
import type { RouteDeps } from '../route-deps.js';
import { renderPromotionList } from '../views.js';

/** GET /api/v1/projects/:project/promotions: in creation order. */
export function listPromotions({ backend, views }: RouteDeps): RequestHandler {
  return async (req, res) => {
    const state = await backend.getProject(param(req, 'project'));
    res.json(renderPromotionList(state, views));
  };
}

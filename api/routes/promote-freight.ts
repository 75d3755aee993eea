import type { RequestHandler } from 'express';
import { PromoteBody } from '../../core/api/requests.js';
import { parseBody } from '../parse-body.js';
import { actorOf, param } from '../request-context.js';
import type { RouteDeps } from '../route-deps.js';
import { renderPromotion } from '../views.js';

export { PromoteBody };

/** POST /api/v1/projects/:project/promotions `{stage, freight}`: queue a promotion; 201 Promotion. */
export function promoteFreight({ backend, views }: RouteDeps): RequestHandler {
  return async (req, res) => {
    const project = param(req, 'project');
    const body = parseBody(PromoteBody, req.body, 'invalid promotion request');
    const promotion = await backend.promote(project, { ...body, actor: actorOf(res) });
    res
      .status(201)
      .location(`/api/v1/projects/${encodeURIComponent(project)}/promotions/${encodeURIComponent(promotion.name)}`)
      .json(renderPromotion(project, promotion, views));
  };
}

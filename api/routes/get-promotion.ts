import type { RequestHandler } from 'express';
import { PromotionGetQuery } from '../../core/api/requests.js';
import { parseBody } from '../parse-body.js';
import { param } from '../request-context.js';
import type { RouteDeps } from '../route-deps.js';
import { renderPromotion } from '../views.js';

/**
 * GET /api/v1/projects/:project/promotions/:name, with live step status while it runs. With
 * `?wait=30s` it answers once the promotion has ended, or as it is after that long (at most 60s):
 * `shunt promote --wait` waits this way instead of polling.
 */
export function getPromotion({ backend, views }: RouteDeps): RequestHandler {
  return async (req, res) => {
    const project = param(req, 'project');
    const { wait: waitMs } = parseBody(PromotionGetQuery, req.query, 'invalid promotion read');
    // A reader that goes away stops the wait.
    const gone = new AbortController();
    res.on('close', () => gone.abort());
    const promotion = await backend.getPromotion(project, param(req, 'name'), waitMs === undefined ? undefined : { waitMs, signal: gone.signal });
    res.json(renderPromotion(project, promotion, views));
  };
}

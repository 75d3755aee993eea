import type { RequestHandler } from 'express';
import { PromoteDownstreamBody } from '../../core/api/requests.js';
import { accessDecisionOf } from '../auth/middleware.js';
import { parseBody } from '../parse-body.js';
import { actorOf, param } from '../request-context.js';
import type { RouteDeps } from '../route-deps.js';
import { renderPromotion } from '../views.js';

/**
 * POST /api/v1/projects/:project/stages/:name/promotions/downstream `{freight}`: queue a
 * promotion of the freight to every stage immediately downstream of the stage (Kargo's
 * PromoteDownstream); 201 `{promotions, controlFlowStages}`. The stages the caller's permission
 * was checked for go along, so a stage that became downstream in between is refused, not promoted.
 */
export function promoteDownstream({ backend, views }: RouteDeps): RequestHandler {
  return async (req, res) => {
    const project = param(req, 'project');
    const stage = param(req, 'name');
    const body = parseBody(PromoteDownstreamBody, req.body, 'invalid promotion request');
    const authorizedStages = (accessDecisionOf(res)?.targets ?? []).flatMap((t) => (t.stage === undefined ? [] : [t.stage]));
    const result = await backend.promoteDownstream(project, { stage, freight: body.freight, actor: actorOf(res), authorizedStages });
    res.status(201).json({
      promotions: result.promotions.map((p) => renderPromotion(project, p, views)),
      controlFlowStages: result.controlFlowStages,
    });
  };
}

import type { RequestHandler } from 'express';
import { ApproveFreightBody } from '../../core/api/requests.js';
import { parseBody } from '../parse-body.js';
import { actorOf, param } from '../request-context.js';
import type { RouteDeps } from '../route-deps.js';

/**
 * POST /api/v1/projects/:project/freight/:name/approve `{stage}`: makes the freight (id or alias)
 * available to the stage, as Kargo's approval does; answers who approved and when.
 */
export function approveFreightRoute({ backend }: RouteDeps): RequestHandler {
  return async (req, res) => {
    const project = param(req, 'project');
    const body = parseBody(ApproveFreightBody, req.body, 'invalid approval request');
    const approval = await backend.approveFreight(project, { freight: param(req, 'name'), stage: body.stage, actor: actorOf(res) });
    res.json(approval);
  };
}

import type { RequestHandler } from 'express';
import { param } from '../request-context.js';
import type { RouteDeps } from '../route-deps.js';
import { renderStageList } from '../views.js';

/** GET /api/v1/projects/:project/stages */
export function listStages({ backend }: RouteDeps): RequestHandler {
  return async (req, res) => {
    const state = await backend.getProject(param(req, 'project'));
    res.json(renderStageList(state, Date.now()));
  };
}

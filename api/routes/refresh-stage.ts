import type { RequestHandler } from 'express';
import { actorOf, param } from '../request-context.js';
import type { RouteDeps } from '../route-deps.js';

/** POST /api/v1/projects/:project/stages/:name/refresh: re-evaluate the stage now (core/project/refresh-stage.ts). */
export function refreshStageRoute({ backend }: RouteDeps): RequestHandler {
  return async (req, res) => {
    const refresh = await backend.refreshStage(param(req, 'project'), param(req, 'name'), actorOf(res));
    res.json(refresh);
  };
}

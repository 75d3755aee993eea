import type { RequestHandler } from 'express';
import { actorOf, param } from '../request-context.js';
import type { RouteDeps } from '../route-deps.js';

/** POST /api/v1/projects/:project/stages/:name/verify: re-run the stage's verification; 202 with it (it runs in the background). */
export function verifyStageRoute({ backend }: RouteDeps): RequestHandler {
  return async (req, res) => {
    const verification = await backend.verifyStage(param(req, 'project'), param(req, 'name'), actorOf(res));
    res.status(202).json(verification);
  };
}

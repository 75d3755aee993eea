import type { RequestHandler } from 'express';
import { actorOf, param } from '../request-context.js';
import type { RouteDeps } from '../route-deps.js';

/** POST /api/v1/projects/:project/stages/:name/verification/abort: stop the stage's running verification. */
export function abortVerificationRoute({ backend }: RouteDeps): RequestHandler {
  return async (req, res) => {
    const verification = await backend.abortVerification(param(req, 'project'), param(req, 'name'), actorOf(res));
    res.json(verification);
  };
}

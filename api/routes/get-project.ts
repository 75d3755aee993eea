import type { RequestHandler } from 'express';
import { param } from '../request-context.js';
import type { RouteDeps } from '../route-deps.js';
import { renderProject } from '../views.js';

/** GET /api/v1/projects/:project: one Project object. */
export function getProject({ backend }: RouteDeps): RequestHandler {
  return async (req, res) => {
    res.json(renderProject(await backend.getProjectSummary(param(req, 'project'))));
  };
}

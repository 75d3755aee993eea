import type { RequestHandler } from 'express';
import { actorOf, param } from '../request-context.js';
import type { RouteDeps } from '../route-deps.js';
import { deletedStatus } from '../views.js';

/** DELETE /api/v1/projects/:project: the project and everything in it. */
export function deleteProject({ backend }: RouteDeps): RequestHandler {
  return async (req, res) => {
    const project = param(req, 'project');
    await backend.deleteProject(project, actorOf(res));
    res.json(deletedStatus('Project', project));
  };
}

import type { RequestHandler } from 'express';
import type { RouteDeps } from '../route-deps.js';
import { renderList, renderProject } from '../views.js';

/** GET /api/v1/projects: every project, as a List of Project objects sorted by name. */
export function listProjects({ backend }: RouteDeps): RequestHandler {
  return async (_req, res) => {
    const projects = await backend.listProjects();
    const sorted = [...projects].sort((a, b) => a.name.localeCompare(b.name));
    res.json(renderList(sorted.map(renderProject)));
  };
}

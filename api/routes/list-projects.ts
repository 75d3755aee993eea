import type { RequestHandler } from 'express';
import { DomainError } from '../../core/errors.js';
import { decide } from '../../core/rbac/rbac.js';
import { accessDecisionOf } from '../auth/middleware.js';
import { renderedAnswer, sendAnswer } from '../rendered-answers.js';
import type { RouteDeps } from '../route-deps.js';
import { renderList, renderProject } from '../views.js';

/** GET /api/v1/projects: the projects the caller may read, as a List of Project objects sorted by name. */
export function listProjects({ backend }: RouteDeps): RequestHandler {
  return async (_req, res) => {
    const subject = accessDecisionOf(res)?.subject;
    if (subject === undefined) throw new DomainError('Internal', 'access middleware is not installed');
    const projects = (await backend.listProjects()).filter((p) => decide(subject, 'read', [{ project: p.name }]).allowed);
    const sorted = [...projects].sort((a, b) => a.name.localeCompare(b.name));
    // Small and built afresh from shared reads: rendered per request, still with an ETag.
    sendAnswer(res, renderedAnswer(renderList(sorted.map(renderProject))));
  };
}

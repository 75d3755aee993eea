import type { RequestHandler } from 'express';
import { PruneProjectBody } from '../../core/api/requests.js';
import { parseBody } from '../parse-body.js';
import { actorOf, param } from '../request-context.js';
import type { RouteDeps } from '../route-deps.js';

/**
 * POST /api/v1/projects/:project/prune `{maxRetainedFreight?, minFreightDeletionAgeMs?}`: set the
 * project's freight retention and bring its state under its budget (core/project/prune.ts).
 */
export function pruneProjectRoute({ backend }: RouteDeps): RequestHandler {
  return async (req, res) => {
    const project = param(req, 'project');
    const body = parseBody(PruneProjectBody, req.body ?? {}, 'invalid prune request');
    const actor = actorOf(res);
    res.json(await backend.pruneProject(project, { ...body, ...(actor ? { actor } : {}) }));
  };
}

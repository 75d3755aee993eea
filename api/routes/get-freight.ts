import type { RequestHandler } from 'express';
import { DomainError } from '../../core/errors.js';
import { param } from '../request-context.js';
import type { RouteDeps } from '../route-deps.js';
import { lastVerificationIn } from '../../core/project/verification-status.js';
import { findFreight, renderFreight } from '../views.js';

/** GET /api/v1/projects/:project/freight/:name, where name is the freight's id or its alias. */
export function getFreight({ backend }: RouteDeps): RequestHandler {
  return async (req, res) => {
    const project = param(req, 'project');
    const name = param(req, 'name');
    const state = await backend.getProject(project);
    const freight = findFreight(state, name);
    if (freight === undefined) {
      throw new DomainError('NotFound', `freight "${name}" (id or alias) not found in project "${project}"`);
    }
    res.json(renderFreight(project, freight, lastVerificationIn(state, freight.name)));
  };
}

import type { RequestHandler } from 'express';
import { projectRepoURLs, pushedCommits, type PromotionChanges } from '../../core/changes/git-reads.js';
import { param } from '../request-context.js';
import type { RouteDeps } from '../route-deps.js';

/**
 * GET /api/v1/projects/:project/promotions/:name/changes: the commits the promotion pushed (its
 * push steps' outputs, kept when their `Shunt-Promotion` trailer names it) and the diff of the
 * files they changed, read from the worker's mirror of one of the project's repositories. 404
 * for an unknown promotion; empty lists when it pushed nothing.
 */
export function getPromotionChanges({ backend }: RouteDeps): RequestHandler {
  return async (req, res) => {
    const project = param(req, 'project');
    const promotion = await backend.getPromotion(project, param(req, 'name'));
    const pushed = pushedCommits(promotion.steps, promotion.state);
    const nothing: PromotionChanges = { commits: [], files: [] };
    if (pushed.length === 0) {
      res.json(nothing);
      return;
    }
    const state = await backend.getProject(project);
    const repoURLs = projectRepoURLs(state.specs, Object.values(state.freight));
    if (repoURLs.length === 0) {
      res.json(nothing);
      return;
    }
    res.json(await backend.readGit({ kind: 'promotion-changes', project, promotion: promotion.name, pushed, repoURLs }));
  };
}

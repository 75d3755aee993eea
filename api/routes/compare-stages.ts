import type { RequestHandler } from 'express';
import { CompareQuery } from '../../core/api/requests.js';
import { commitRangesToRead, compareStages, type StageComparison } from '../../core/changes/stage-compare.js';
import { DomainError } from '../../core/errors.js';
import { parseBody } from '../parse-body.js';
import { param } from '../request-context.js';
import type { RouteDeps } from '../route-deps.js';

/**
 * GET /api/v1/projects/:project/stages/:name/compare?with=<other>: what differs between the
 * freight the two stages hold (core/changes/stage-compare.ts), with the git commits between
 * their revisions read from the worker's mirror. A repository that cannot be read says why in
 * its entry; the rest of the answer stands.
 */
export function compareStagesRoute({ backend }: RouteDeps): RequestHandler {
  return async (req, res) => {
    const project = param(req, 'project');
    const stage = param(req, 'name');
    const query = parseBody(CompareQuery, req.query, 'invalid compare request');
    const state = await backend.getProject(project);
    for (const name of [stage, query.with]) {
      if (!state.specs.stages[name]) throw new DomainError('NotFound', `stage "${name}" not found in project "${project}"`);
    }
    const comparison: StageComparison = compareStages(state, stage, query.with);
    await Promise.all(
      commitRangesToRead(comparison).map(async (entry) => {
        try {
          const between = await backend.readGit({ kind: 'commits-between', project, repoURL: entry.repoURL, from: entry.stage!, to: entry.with! });
          entry.between = between.commits;
          entry.truncated = between.truncated;
        } catch (err) {
          entry.message = err instanceof Error ? err.message : String(err);
        }
      }),
    );
    res.json(comparison);
  };
}

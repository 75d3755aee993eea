import type { RequestHandler } from 'express';
import { DomainError } from '../../core/errors.js';
import { sendAnswer } from '../rendered-answers.js';
import { param } from '../request-context.js';
import type { RouteDeps } from '../route-deps.js';
import { renderStage } from '../views.js';

/** GET /api/v1/projects/:project/stages/:name */
export function getStage({ backend, answers }: RouteDeps): RequestHandler {
  return async (req, res) => {
    const project = param(req, 'project');
    const name = param(req, 'name');
    const state = await backend.getStageState(project, name);
    const stage = state.specs.stages[name];
    if (stage === undefined) {
      throw new DomainError('NotFound', `stage "${name}" not found in project "${project}"`);
    }
    sendAnswer(res, answers.answer(state, `stage:${name}`, () => renderStage(state, stage, Date.now())));
  };
}

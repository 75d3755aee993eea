import type { RequestHandler } from 'express';
import { sendAnswer } from '../rendered-answers.js';
import { param } from '../request-context.js';
import type { RouteDeps } from '../route-deps.js';
import { renderWarehouseList } from '../views.js';

/** GET /api/v1/projects/:project/warehouses */
export function listWarehouses({ backend, answers }: RouteDeps): RequestHandler {
  return async (req, res) => {
    const state = await backend.getProject(param(req, 'project'));
    sendAnswer(res, answers.answer(state, 'warehouses', () => renderWarehouseList(state)));
  };
}

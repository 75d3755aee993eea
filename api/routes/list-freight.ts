import type { RequestHandler } from 'express';
import { FreightListQuery } from '../../core/api/requests.js';
import { DomainError } from '../../core/errors.js';
import { sendAnswer } from '../rendered-answers.js';
import { param } from '../request-context.js';
import type { RouteDeps } from '../route-deps.js';
import { renderFreight, renderList } from '../views.js';

/**
 * GET /api/v1/projects/:project/freight: newest first; with `?limit=N` one page, whose
 * `metadata.continue` the next page passes as `?continue=` (absent on the last page).
 */
export function listFreight({ backend, answers }: RouteDeps): RequestHandler {
  return async (req, res) => {
    const project = param(req, 'project');
    const query = FreightListQuery.safeParse(req.query);
    if (!query.success) {
      const issues = query.error.issues.map((i) => `${i.path.join('.')}: ${i.path[0] === 'limit' ? 'must be a whole number from 1 to 1000' : i.message}`);
      throw new DomainError('BadRequest', issues.join('; '), issues);
    }
    const offset = Number(query.data.continue ?? 0);
    const limit = query.data.limit;
    const page = await backend.listFreight(project, limit === undefined ? { offset } : { offset, limit });
    const answer = answers.answer(page, `freight:${offset}:${limit ?? ''}`, () => {
      const view = renderList(page.items.map((r) => renderFreight(project, r.freight, r.lastVerificationIn)));
      const next = offset + page.items.length;
      if (limit !== undefined && next < page.total) view.metadata = { continue: String(next), remainingItemCount: page.total - next };
      return view;
    });
    sendAnswer(res, answer);
  };
}

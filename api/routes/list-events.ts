import type { RequestHandler } from 'express';
import { EventsQuery } from '../../core/api/requests.js';
import { renderEvent, type EventView } from '../../core/events/view.js';
import { DomainError } from '../../core/errors.js';
import { param } from '../request-context.js';
import type { RouteDeps } from '../route-deps.js';
import { renderList, type ListView } from '../views.js';

/**
 * GET /api/v1/projects/:project/events?limit=N&since=ID|TIME: the project's lifecycle events
 * (core/events/lifecycle.ts), newest first. The audit trail is at /audit.
 */
export function listEvents({ backend }: RouteDeps): RequestHandler {
  return async (req, res) => {
    const project = param(req, 'project');
    const query = EventsQuery.safeParse(req.query);
    if (!query.success) throw new DomainError('BadRequest', query.error.issues.map((i) => i.message).join('; '));
    const events = await backend.listEvents(project, { limit: query.data.limit, ...(query.data.since === undefined ? {} : { since: /^\d+$/.test(query.data.since) ? Number(query.data.since) : query.data.since }) });
    const view: ListView<EventView> = renderList(events.map((e) => renderEvent(project, e)));
    res.json(view);
  };
}

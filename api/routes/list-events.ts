import type { RequestHandler } from 'express';
import { EventsQuery } from '../../core/api/requests.js';
import type { AuditEvent } from '../../core/audit/event.js';
import { DomainError } from '../../core/errors.js';
import { param } from '../request-context.js';
import type { RouteDeps } from '../route-deps.js';
import { renderList, type ListView } from '../views.js';


/** An audit entry as the api shows it: Kargo-like metadata around the entry's fields. */
export interface AuditEventView extends Omit<AuditEvent, 'id' | 'project'> {
  apiVersion: 'shunt.dev/v1alpha1';
  kind: 'AuditEvent';
  metadata: { name: string; namespace?: string; creationTimestamp: string };
}

export function renderAuditEvent(event: AuditEvent): AuditEventView {
  const { id, project, ...rest } = event;
  return {
    apiVersion: 'shunt.dev/v1alpha1',
    kind: 'AuditEvent',
    metadata: { name: id, ...(project === undefined ? {} : { namespace: project }), creationTimestamp: event.time },
    ...rest,
  };
}

/** GET /api/v1/projects/:project/events?limit=N: the project's audit trail, newest first. */
export function listEvents({ backend }: RouteDeps): RequestHandler {
  return async (req, res) => {
    const project = param(req, 'project');
    const query = EventsQuery.safeParse(req.query);
    if (!query.success) throw new DomainError('BadRequest', 'limit: must be a whole number from 1 to 1000');
    const events = await backend.listAudit(project, query.data.limit);
    const view: ListView<AuditEventView> = renderList(events.map(renderAuditEvent));
    res.json(view);
  };
}

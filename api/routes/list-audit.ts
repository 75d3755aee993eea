import type { RequestHandler } from 'express';
import { AuditQuery } from '../../core/api/requests.js';
import type { AuditEvent } from '../../core/audit/event.js';
import { parseBody } from '../parse-body.js';
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

/**
 * GET /api/v1/projects/:project/audit?stage=&actor=&action=&outcome=&limit=: the project's audit
 * trail, newest first, denied and refused requests included; each filter is an exact match, and a
 * bad one is a 400 naming it. The audit workflow filters its whole kept trail, then cuts to `limit`.
 */
export function listAudit({ backend }: RouteDeps): RequestHandler {
  return async (req, res) => {
    const project = param(req, 'project');
    const filter = parseBody(AuditQuery, req.query, 'invalid audit filter');
    const view: ListView<AuditEventView> = renderList((await backend.listAudit(project, filter)).map(renderAuditEvent));
    res.json(view);
  };
}

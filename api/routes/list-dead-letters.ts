import type { RequestHandler } from 'express';
import { DeadLettersQuery } from '../../core/api/requests.js';
import { DomainError } from '../../core/errors.js';
import { param } from '../request-context.js';
import type { RouteDeps } from '../route-deps.js';

/**
 * GET /api/v1/projects/:project/notifications/dead-letters?limit=N: the notifications given up
 * on after their last attempt (core/events/notifications.ts), newest first, at most 50 kept.
 */
export function listNotificationDeadLetters({ backend }: RouteDeps): RequestHandler {
  return async (req, res) => {
    const project = param(req, 'project');
    const query = DeadLettersQuery.safeParse(req.query);
    if (!query.success) throw new DomainError('BadRequest', query.error.issues.map((i) => i.message).join('; '));
    res.json({ items: await backend.listDeadLetters(project, query.data.limit) });
  };
}

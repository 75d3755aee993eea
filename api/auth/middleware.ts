import type { Request, RequestHandler, Response } from 'express';
import { DomainError } from '../../core/errors.js';
import { decide, type Subject, type Target } from '../../core/rbac/rbac.js';
import { ACTOR_HEADER, setActor } from '../request-context.js';
import type { AccessControl } from './access-control.js';
import { permissionFor, type MatchedPermission, type TargetLookup } from './permissions.js';

/** What the access middleware leaves on the response for the routes and the audit trail. */
export interface AccessDecision {
  subject: Subject;
  matched: MatchedPermission;
  targets: Target[];
  allowed: boolean;
}

const DECISION_KEY = 'shuntAccess';

export function accessDecisionOf(res: Response): AccessDecision | undefined {
  return res.locals[DECISION_KEY] as AccessDecision | undefined;
}

/**
 * Mounted on /api/v1 after the body parser: authenticates the caller (401 with the reason),
 * then checks the route's permission (403 with the reason). Sets the request's actor.
 */
export function accessMiddleware(access: AccessControl, lookup: TargetLookup): RequestHandler {
  return async (req: Request, res: Response, next) => {
    let subject: Subject;
    try {
      subject = await access.authenticate(req.get('authorization'), claimedActor(req));
    } catch (err) {
      if ((err as { code?: unknown }).code === 'Unauthenticated') {
        const reason = (err as Error).message.replace(/"/g, "'");
        res.setHeader('WWW-Authenticate', `Bearer realm="shunt", error="invalid_token", error_description="${reason}"`);
      }
      throw err;
    }
    setActor(res, subject.name);
    const matched = permissionFor(req.method, req.path);
    const targets = await matched.permission.targets(req, matched.params, lookup);
    const decision = decide(subject, matched.permission.action, targets);
    res.locals[DECISION_KEY] = { subject, matched, targets, allowed: decision.allowed } satisfies AccessDecision;
    if (!decision.allowed) throw new DomainError('PermissionDenied', decision.reason);
    next();
  };
}

function claimedActor(req: Request): string | undefined {
  const header = req.get(ACTOR_HEADER)?.trim();
  return header === undefined || header === '' ? undefined : header;
}

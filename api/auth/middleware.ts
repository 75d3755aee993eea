import type { Request, RequestHandler, Response } from 'express';
import { DomainError } from '../../core/errors.js';
import { decide, holdsAnywhere, type Decision, type Subject, type Target } from '../../core/rbac/rbac.js';
import { ACTOR_HEADER, setActor } from '../request-context.js';
import type { AccessControl } from './access-control.js';
import type { RoutePermission, TargetLookup } from './permissions.js';

/** The route a request matched, as the route table declares it. */
export interface MatchedRoute {
  /** Express pattern under /api/v1, e.g. `/projects/:project/stages/:name`. */
  path: string;
  permission: RoutePermission;
  params: Record<string, string>;
}

/** What the access checks leave on the response for the routes and the audit trail. */
export interface AccessDecision {
  subject: Subject;
  matched: MatchedRoute;
  targets: Target[];
  allowed: boolean;
}

const SUBJECT_KEY = 'shuntSubject';
const DECISION_KEY = 'shuntAccess';

export function accessDecisionOf(res: Response): AccessDecision | undefined {
  return res.locals[DECISION_KEY] as AccessDecision | undefined;
}

export function subjectOf(res: Response): Subject {
  const subject = res.locals[SUBJECT_KEY] as Subject | undefined;
  if (subject === undefined) throw new DomainError('Internal', 'the authentication middleware is not installed');
  return subject;
}

/**
 * Who is calling (401 with the reason, and a WWW-Authenticate header): mounted in front of
 * every route that needs a caller, before any body is read. Sets the request's actor.
 */
export function authenticate(access: AccessControl): RequestHandler {
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
    res.locals[SUBJECT_KEY] = subject;
    setActor(res, subject.name);
    next();
  };
}

/**
 * The first check of a route, before its body is read. For a route whose permission is
 * `scopeFirst` (apply), the caller must hold the route's action in the route's project (any
 * stage), or anywhere for a route that names no project: a caller who could never be allowed
 * is refused without costing any parsing. Every route records here what matched.
 */
export function authorizeScope(path: string, permission: RoutePermission): RequestHandler {
  return (req, res, next) => {
    const subject = subjectOf(res);
    const params = Object.fromEntries(Object.entries(req.params).filter((e): e is [string, string] => typeof e[1] === 'string'));
    const project = params['project'];
    const targets: Target[] = project === undefined ? [] : [{ project }];
    const decision: Decision = !permission.scopeFirst
      ? { allowed: true }
      : project !== undefined || permission.action === 'read'
        ? decide(subject, permission.action, targets)
        : holdsAnywhere(subject, permission.action);
    record(res, { subject, matched: { path, permission, params }, targets, allowed: decision.allowed });
    if (!decision.allowed) throw new DomainError('PermissionDenied', decision.reason);
    next();
  };
}

/** The full check, once the body is parsed: every target of the route, each decided on its own. */
export function authorizeTargets(lookup: TargetLookup): RequestHandler {
  return async (req, res, next) => {
    const decision = accessDecisionOf(res);
    if (decision === undefined) throw new DomainError('Internal', 'the route scope check did not run');
    const labelled = await decision.matched.permission.targets(req, lookup);
    const targets: Target[] = labelled.map(({ project, stage }) => ({ ...(project === undefined ? {} : { project }), ...(stage === undefined ? {} : { stage }) }));
    const refusal = refusalOf(decision.subject, decision.matched.permission, labelled);
    record(res, { ...decision, targets, allowed: refusal === undefined });
    if (refusal !== undefined) throw new DomainError('PermissionDenied', refusal);
    next();
  };
}

function refusalOf(subject: Subject, permission: RoutePermission, targets: readonly (Target & { label?: string })[]): string | undefined {
  if (targets.length === 0) {
    const decision = decide(subject, permission.action, []);
    return decision.allowed ? undefined : decision.reason;
  }
  for (const { label, ...target } of targets) {
    const decision = decide(subject, permission.action, [target]);
    if (!decision.allowed) return label === undefined ? decision.reason : `${label}: ${decision.reason}`;
  }
  return undefined;
}

function record(res: Response, decision: AccessDecision): void {
  res.locals[DECISION_KEY] = decision;
}

function claimedActor(req: Request): string | undefined {
  const header = req.get(ACTOR_HEADER)?.trim();
  return header === undefined || header === '' ? undefined : header;
}

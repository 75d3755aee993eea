import type { Request, RequestHandler, Response } from 'express';
import { outcomeOf, type AuditEvent } from '../../core/audit/event.js';
import type { ShuntBackend } from '../backend.js';
import { accessDecisionOf, type AccessDecision } from '../auth/middleware.js';
import { auditScopes } from '../auth/permissions.js';
import { logOf } from '../request-context.js';

/**
 * Records every audited request (apply, delete, promote, refresh, approve, retry, abort,
 * verify) in the durable audit trail, including refused and denied ones, before the caller
 * gets the answer: a response the caller sees is already in the trail. Mounted before the
 * access middleware so that denials (which end in the error handler) are recorded too.
 */
export function auditMiddleware(backend: ShuntBackend): RequestHandler {
  return (req, res, next) => {
    const time = new Date().toISOString();
    const send = res.json.bind(res);
    let recorded = false;
    res.json = (body: unknown) => {
      const decision = accessDecisionOf(res);
      if (recorded || decision?.matched.permission.audit === undefined) return send(body);
      recorded = true;
      void record(backend, req, res, decision, time, body).finally(() => send(body));
      return res;
    };
    next();
  };
}

async function record(
  backend: ShuntBackend,
  req: Request,
  res: Response,
  decision: AccessDecision,
  time: string,
  body: unknown,
): Promise<void> {
  const base = auditEvent(req, res, decision, time, body);
  const scopes = auditScopes(decision.targets);
  try {
    await Promise.all(
      scopes.map((project, i) =>
        backend.recordAudit(project, {
          ...base,
          id: scopes.length > 1 ? `${base.id}.${i}` : base.id,
          ...(project === undefined ? {} : { project }),
        }),
      ),
    );
  } catch (err) {
    // The request already happened; say loudly that its audit entry is missing.
    logOf(res).error({ err, audit: base }, 'could not record the audit entry');
  }
}

function auditEvent(req: Request, res: Response, decision: AccessDecision, time: string, body: unknown): AuditEvent {
  const { permission, params, path } = decision.matched;
  const reqBody = (req.body ?? {}) as Record<string, unknown>;
  const target: AuditEvent['target'] = {};
  const stage = decision.targets.find((t) => t.stage !== undefined)?.stage;
  if (stage !== undefined) target.stage = stage;
  const freight = path.includes('/freight/:name') ? params['name'] : str(reqBody['freight']);
  if (freight !== undefined) target.freight = freight;
  if (path.includes('/promotions/:name')) target.promotion = params['name']!;
  if (path.includes('/warehouses/:name')) target.warehouse = params['name']!;
  if (permission.audit === 'apply' && reqBody['dryRun'] === true) target.dryRun = true;
  const answer = (body ?? {}) as { error?: { message?: unknown }; metadata?: { name?: unknown }; results?: unknown; promotions?: unknown };
  if (permission.audit === 'promote' && typeof answer.metadata?.name === 'string') target.promotion = answer.metadata.name;

  const event: AuditEvent = {
    id: String(res.getHeader('x-request-id') ?? time),
    time,
    actor: decision.subject.name,
    via: decision.subject.via,
    action: permission.audit ?? 'change',
    method: req.method,
    path: req.originalUrl.split('?')[0] ?? req.originalUrl,
    target,
    outcome: outcomeOf(res.statusCode),
    status: res.statusCode,
  };
  const message = typeof answer.error?.message === 'string' ? answer.error.message : (promotionsCreated(answer.promotions) ?? summary(answer.results));
  if (message !== undefined) event.message = message;
  return event;
}

/** A promotion downstream answers with several promotions: the entry names each. */
function promotionsCreated(promotions: unknown): string | undefined {
  if (!Array.isArray(promotions)) return undefined;
  const names = promotions.flatMap((p) => {
    const name = (p as { metadata?: { name?: unknown } }).metadata?.name;
    return typeof name === 'string' ? [name] : [];
  });
  return names.length === 0 ? 'no promotion created' : `promotions created: ${names.join(', ')}`;
}

function summary(results: unknown): string | undefined {
  if (!Array.isArray(results)) return undefined;
  const counts = new Map<string, number>();
  for (const r of results) {
    const action = (r as { action?: unknown }).action;
    if (typeof action === 'string') counts.set(action, (counts.get(action) ?? 0) + 1);
  }
  return [...counts].map(([action, n]) => `${n} ${action}`).join(', ') || 'nothing changed';
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

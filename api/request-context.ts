import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { DomainError } from '../core/errors.js';
import { LOG_REDACT_PATHS } from '../core/log-redaction.js';

export const REQUEST_ID_HEADER = 'x-request-id';
/** Who is acting, in open mode only (api/auth/access-control.ts); ignored when tokens are required. */
export const ACTOR_HEADER = 'x-shunt-actor';
export const ANONYMOUS_ACTOR = 'anonymous';

/** What the per-request middleware attaches to `res.locals`. */
interface RequestContext {
  requestId: string;
  log: Logger;
  actor: string;
}

const CONTEXT_KEY = 'shunt';

const SAFE_REQUEST_ID = /^[\w.:-]{1,128}$/;

/** The request path without its query, and with a webhook receiver's secret path token masked. */
export function loggablePath(url: string): string {
  const path = url.split('?')[0] ?? '';
  return path.replace(/^(\/webhooks\/[^/]+\/)[^/]+/, '$1***');
}

/** Gives each request an id (the caller's `x-request-id` if sane, else a UUID) and a child logger. */
export function requestContextMiddleware(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const given = req.get(REQUEST_ID_HEADER);
    const requestId = given !== undefined && SAFE_REQUEST_ID.test(given) ? given : randomUUID();
    res.setHeader(REQUEST_ID_HEADER, requestId);
    const log = logger.child({ requestId }, { redact: [...LOG_REDACT_PATHS] });
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      const path = loggablePath(req.originalUrl);
      log.info({ method: req.method, path, status: res.statusCode, durationMs, actor: context.actor }, 'request completed');
    });
    const context: RequestContext = { requestId, log, actor: ANONYMOUS_ACTOR };
    res.locals[CONTEXT_KEY] = context;
    next();
  };
}

/** Sets the actor of the request: called by the access middleware (api/auth/middleware.ts) only. */
export function setActor(res: Response, actor: string): void {
  context(res).actor = actor;
}

function context(res: Response): RequestContext {
  const value = res.locals[CONTEXT_KEY] as RequestContext | undefined;
  if (value === undefined) throw new Error('request context middleware is not installed');
  return value;
}

export function requestLogger(res: Response): Logger | undefined {
  return (res.locals[CONTEXT_KEY] as RequestContext | undefined)?.log;
}

export function actorOf(res: Response): string {
  return context(res).actor;
}

export function logOf(res: Response): Logger {
  return context(res).log;
}

/** A route parameter that must be present (express types them as optional). */
export function param(req: Request, name: string): string {
  const value = req.params[name];
  if (typeof value !== 'string' || value === '') {
    throw new DomainError('BadRequest', `missing path parameter "${name}"`);
  }
  return value;
}

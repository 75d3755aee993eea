import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { isErrorCode, type ErrorCode } from '../core/errors.js';
import { requestLogger } from './request-context.js';

/**
 * The one place where Shunt's error codes (core/errors.ts) become HTTP statuses. Every error
 * body has the same shape: `{ error: { code, message, details } }`.
 */
export const HTTP_STATUS_BY_CODE: Readonly<Record<ErrorCode, number>> = {
  InvalidManifest: 400,
  BadRequest: 400,
  InvalidExpression: 400,
  InvalidStepConfig: 400,
  PathEscape: 400,
  BudgetExceeded: 400,
  PayloadTooLarge: 413,
  Unauthenticated: 401,
  PermissionDenied: 403,
  NotFound: 404,
  Conflict: 409,
  FailedPrecondition: 409,
  Unavailable: 503,
  StepFailed: 500,
  Internal: 500,
};

export interface ErrorBody {
  error: { code: string; message: string; details: string[] };
}

export function errorBody(code: string, message: string, details: readonly string[] = []): ErrorBody {
  return { error: { code, message, details: [...details] } };
}

/** What the API answers for an error: its status and body. */
export interface HttpError {
  status: number;
  body: ErrorBody;
}

interface CodedError {
  code: ErrorCode;
  message: string;
  details: string[];
}

/**
 * Finds the domain meaning of a thrown value, branching on strings rather than class identity
 * (instanceof is unreliable across jest and the workflow sandbox):
 * - a DomainError (`name === 'DomainError'`, `code` an ErrorCode);
 * - a Temporal ApplicationFailure whose `type` is an ErrorCode, anywhere on the `cause` chain
 *   (what an update or query rejected by the project workflow surfaces as).
 */
export function domainErrorOf(err: unknown): CodedError | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 8 && current !== null && typeof current === 'object'; depth++) {
    const e = current as { name?: unknown; code?: unknown; type?: unknown; message?: unknown; details?: unknown; cause?: unknown };
    const message = typeof e.message === 'string' ? e.message : '';
    if (e.name === 'DomainError' && isErrorCode(e.code)) {
      return { code: e.code, message, details: stringDetails(e.details) };
    }
    if (e.name === 'ApplicationFailure' && isErrorCode(e.type)) {
      return { code: e.type, message, details: stringDetails(e.details) };
    }
    current = e.cause;
  }
  return undefined;
}

function stringDetails(details: unknown): string[] {
  if (!Array.isArray(details)) return [];
  return details.flatMap((d) => (typeof d === 'string' ? [d] : Array.isArray(d) ? stringDetails(d) : []));
}

/** Errors raised by express's body parser carry a `type` such as `entity.parse.failed`. */
function bodyParserError(err: unknown): HttpError | undefined {
  if (err === null || typeof err !== 'object') return undefined;
  const e = err as { type?: unknown; status?: unknown; message?: unknown; limit?: unknown; length?: unknown };
  if (typeof e.type !== 'string' || typeof e.status !== 'number') return undefined;
  switch (e.type) {
    case 'entity.parse.failed':
      return {
        status: 400,
        body: errorBody('BadRequest', `request body is not valid JSON: ${String(e.message)}`),
      };
    case 'entity.too.large':
      return {
        status: 413,
        body: errorBody(
          'BadRequest',
          `request body${typeof e.length === 'number' ? ` of ${e.length} bytes` : ''} is larger than the limit of ${String(e.limit)} bytes (SHUNT_MAX_BODY_BYTES)`,
        ),
      };
    default:
      if (e.status >= 400 && e.status < 500) {
        return { status: e.status, body: errorBody('BadRequest', String(e.message)) };
      }
      return undefined;
  }
}

/** Maps any thrown value to a status and body; `unexpected` is true when it should be logged as a bug. */
export function toHttpError(err: unknown): HttpError & { unexpected: boolean } {
  const domain = domainErrorOf(err);
  if (domain) {
    return {
      status: HTTP_STATUS_BY_CODE[domain.code],
      body: errorBody(domain.code, domain.message, domain.details),
      unexpected: HTTP_STATUS_BY_CODE[domain.code] >= 500 && domain.code !== 'Unavailable',
    };
  }
  const parser = bodyParserError(err);
  if (parser) return { ...parser, unexpected: false };
  return {
    status: 500,
    body: errorBody('Internal', 'internal error; see the api logs for details'),
    unexpected: true,
  };
}

/** The app's last middleware: renders every error as JSON and logs the unexpected ones. */
export function errorHandler(fallbackLogger: Logger): ErrorRequestHandler {
  return (err: unknown, _req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const mapped = toHttpError(err);
    const log = requestLogger(res) ?? fallbackLogger;
    if (mapped.unexpected) {
      log.error({ err, status: mapped.status }, 'request failed');
    } else {
      log.info({ code: mapped.body.error.code, status: mapped.status }, 'request refused');
    }
    res.status(mapped.status).json(mapped.body);
  };
}

/** For requests that match no route. */
export const notFoundHandler: RequestHandler = (req, res) => {
  res.status(404).json(errorBody('NotFound', `no route for ${req.method} ${req.baseUrl}${req.path}`));
};

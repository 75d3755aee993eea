/**
 * What every Shunt log blanks (pino's `redact`): credentials wherever a log line might carry
 * them, at the top level, one level down (`{ remote: { password } }`) and in request headers.
 * The one list for every logger: the api's and the worker's processes (launcher/logger.ts),
 * api/app.ts's default and each request's child in api/request-context.ts.
 */
export const LOG_REDACT_PATHS: readonly string[] = Object.freeze([
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
  'authorization',
  '*.authorization',
  'password',
  '*.password',
  'token',
  '*.token',
]);

import { pino, type Logger } from 'pino';
import { LOG_REDACT_PATHS } from '../core/log-redaction.js';

/** JSON logs on stdout; credentials redacted wherever they might appear. */
export function createLogger(level: string, name = 'shunt-worker'): Logger {
  return pino({
    name,
    level,
    redact: [...LOG_REDACT_PATHS],
  });
}

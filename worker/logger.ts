import { pino, type Logger } from 'pino';

/** JSON logs on stdout; credentials redacted wherever they might appear. */
export function createLogger(level: string, name = 'shunt-worker'): Logger {
  return pino({
    name,
    level,
    redact: ['*.password', '*.token', '*.authorization', 'password', 'token', 'headers.authorization'],
  });
}

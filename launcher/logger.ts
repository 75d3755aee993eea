/**
 * The one place Shunt's processes (launcher children: api and worker) make their pino logger,
 * and decide its form: readable lines (pino-pretty) when stdout is a terminal, JSON otherwise
 * (a pipe, a file, a log collector). `SHUNT_LOG_FORMAT=json|pretty` overrides the guess.
 * Credentials are redacted wherever they might appear, in both forms.
 */
import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';
import { z } from 'zod';
import { LOG_REDACT_PATHS } from '../core/log-redaction.js';

export type LogFormat = 'json' | 'pretty';

/**
 * SHUNT_LOG_FORMAT among each process's settings (api/config.ts, worker/config.ts), so that a
 * bad value is a configuration error (exit 78, no restarts); empty is unset.
 */
export const LogFormatSetting = z
  .enum(['json', 'pretty', ''], { error: 'expected "json" or "pretty" (default: pretty on a terminal, else json)' })
  .optional()
  .transform((v): LogFormat | undefined => (v === '' ? undefined : v));

/** The form of the logs: the one chosen, else pretty on a terminal. */
export function logFormat(chosen: LogFormat | undefined, stdoutIsTTY: boolean): LogFormat {
  return chosen ?? (stdoutIsTTY ? 'pretty' : 'json');
}

export function createLogger(level: string, name: string, chosen?: LogFormat): Logger {
  const format = logFormat(chosen, process.stdout.isTTY === true);
  const options = { name, level, redact: [...LOG_REDACT_PATHS] };
  if (format === 'json') return pino(options);
  // Synchronous: a fatal line just before process.exit is printed, not lost in a buffer.
  return pino(options, pretty({ colorize: true, sync: true, destination: 1, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' }));
}

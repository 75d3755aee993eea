/**
 * The one place Shunt's processes (launcher children: api and worker) make their pino logger,
 * and decide its form: readable lines (pino-pretty) when stdout is a terminal, JSON otherwise
 * (a pipe, a file, a log collector). `SHUNT_LOG_FORMAT=json|pretty` overrides the guess.
 * Credentials are redacted wherever they might appear, in both forms.
 */
import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';
import { LOG_REDACT_PATHS } from '../core/log-redaction.js';

export type LogFormat = 'json' | 'pretty';

/** The form of the logs: SHUNT_LOG_FORMAT when set, else pretty on a terminal. */
export function logFormat(env: Readonly<Record<string, string | undefined>>, stdoutIsTTY: boolean): LogFormat {
  const chosen = env['SHUNT_LOG_FORMAT'];
  if (chosen === undefined || chosen === '') return stdoutIsTTY ? 'pretty' : 'json';
  if (chosen === 'json' || chosen === 'pretty') return chosen;
  throw new Error(`SHUNT_LOG_FORMAT=${JSON.stringify(chosen)}: expected "json" or "pretty" (default: pretty on a terminal, else json)`);
}

export function createLogger(level: string, name: string, format: LogFormat = logFormat(process.env, process.stdout.isTTY === true)): Logger {
  const options = { name, level, redact: [...LOG_REDACT_PATHS] };
  if (format === 'json') return pino(options);
  // Synchronous: a fatal line just before process.exit is printed, not lost in a buffer.
  return pino(options, pretty({ colorize: true, sync: true, destination: 1, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' }));
}

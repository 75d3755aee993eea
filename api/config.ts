import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { z } from 'zod';
import { LogFormatSetting, type LogFormat } from '../launcher/logger.js';
import { EXIT_CONFIG } from '../core/exit-codes.js';
import { DEFAULT_MAX_BODY_BYTES } from './body-limits.js';
import { DEFAULT_READ_SNAPSHOT_MS } from './project-reads.js';
import { UPDATES_IN_FLIGHT_PER_PROJECT } from './temporal-backend.js';
import { temporalConnectionSettings, type TemporalConnectionSettings } from '../activities/adapters/temporal-connection.js';

const ApiEnv = z.object({
  TEMPORAL_ADDRESS: z.string().min(1, 'TEMPORAL_ADDRESS is required (host:port of the Temporal frontend)'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  SHUNT_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  SHUNT_HOST: z.string().default('127.0.0.1'),
  SHUNT_CONFIG: z.string().optional(),
  SHUNT_TEMPORAL_UI_URL: z.string().url().optional(),
  SHUNT_LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).default('info'),
  SHUNT_LOG_FORMAT: LogFormatSetting,
  /** Secrets of webhook receivers: the same Secret manifests the workers read. */
  SHUNT_DATA_DIR: z.string().min(1).default('./.shunt'),
  SHUNT_CREDENTIALS: z.string().optional(),
  /** Namespace of the ClusterConfig receivers' Secrets (Kargo's system resources namespace). */
  SHUNT_SYSTEM_NAMESPACE: z.string().min(1).default('kargo-system-resources'),
  SHUNT_AUTH_MODE: z.enum(['open', 'enforced'], { error: 'must be "open" or "enforced"' }).default('enforced'),
  SHUNT_AUTH_CONFIG: z.string().optional(),
  /** Where the worker serves its metrics; the api's /metrics includes them. */
  SHUNT_WORKER_METRICS_URL: z.string().url().optional(),
  /** Largest request body under /api/v1, in bytes. */
  SHUNT_MAX_BODY_BYTES: z.coerce.number().int().min(1024, 'must be at least 1024 bytes').default(DEFAULT_MAX_BODY_BYTES),
  /** How long one read of a project serves every other reader of it, in ms (api/project-reads.ts). */
  SHUNT_READ_SNAPSHOT_MS: z.coerce.number().int().min(0, 'must be 0 (no snapshot) or more').max(10_000, 'must be at most 10000 (10 s)').default(DEFAULT_READ_SNAPSHOT_MS),
  SHUNT_UPDATES_IN_FLIGHT_PER_PROJECT: z.coerce
    .number()
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(1000, 'must be at most 1000')
    .default(UPDATES_IN_FLIGHT_PER_PROJECT),
  /** Comma-separated host names the api is reached by (behind a proxy), besides IP addresses, localhost and SHUNT_HOST. */
  SHUNT_ALLOWED_HOSTS: z
    .string()
    .default('')
    .transform((s) => s.split(',').map((h) => h.trim()).filter((h) => h !== ''))
    .pipe(z.array(z.string().regex(/^[a-zA-Z0-9.-]+$/, 'host names only (no scheme, port or path), separated by commas'))),
});

export interface ApiConfig {
  temporalAddress: string;
  /** Address, TLS and API key for Temporal (TEMPORAL_TLS_*, TEMPORAL_API_KEY). */
  temporalConnection: TemporalConnectionSettings;
  namespace: string;
  port: number;
  host: string;
  configPath?: string;
  temporalUiUrl?: string;
  logLevel: string;
  /** SHUNT_LOG_FORMAT; unset: pretty on a terminal, else JSON. */
  logFormat?: LogFormat;
  credentialsPath: string;
  /** Where the ClusterConfig's webhook receivers' Secrets are read (SHUNT_SYSTEM_NAMESPACE). */
  systemNamespace: string;
  /** `open`: no access control (chosen explicitly); `enforced`: tokens from authConfigPath. */
  authMode: 'open' | 'enforced';
  authConfigPath?: string;
  workerMetricsUrl?: string;
  maxBodyBytes: number;
  /** SHUNT_READ_SNAPSHOT_MS */
  readSnapshotMs: number;
  /** SHUNT_UPDATES_IN_FLIGHT_PER_PROJECT: below the server's `history.maxInFlightUpdates`. */
  updatesInFlightPerProject: number;
  /** Names a Host header may carry besides IP addresses and localhost: SHUNT_HOST (if a name) and SHUNT_ALLOWED_HOSTS. */
  allowedHosts: string[];
}

/** Reads the api's settings from the environment once; prints every problem and exits 1. */
export function loadApiConfig(env: NodeJS.ProcessEnv = process.env): Readonly<ApiConfig> {
  const parsed = ApiEnv.safeParse(env);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) process.stderr.write(`config: ${issue.path.join('.')}: ${issue.message}\n`);
    process.exit(EXIT_CONFIG);
  }
  const e = parsed.data;
  let temporalConnection: TemporalConnectionSettings;
  try {
    temporalConnection = temporalConnectionSettings(env);
  } catch (err) {
    process.stderr.write(`config: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(EXIT_CONFIG);
  }
  return Object.freeze({
    temporalAddress: e.TEMPORAL_ADDRESS,
    temporalConnection,
    namespace: e.TEMPORAL_NAMESPACE,
    port: e.SHUNT_PORT,
    host: e.SHUNT_HOST,
    logLevel: e.SHUNT_LOG_LEVEL,
    ...(e.SHUNT_LOG_FORMAT ? { logFormat: e.SHUNT_LOG_FORMAT } : {}),
    credentialsPath: resolve(e.SHUNT_CREDENTIALS ?? `${resolve(e.SHUNT_DATA_DIR)}/credentials`),
    systemNamespace: e.SHUNT_SYSTEM_NAMESPACE,
    ...(e.SHUNT_CONFIG ? { configPath: resolve(e.SHUNT_CONFIG) } : {}),
    ...(e.SHUNT_TEMPORAL_UI_URL ? { temporalUiUrl: e.SHUNT_TEMPORAL_UI_URL } : {}),
    authMode: e.SHUNT_AUTH_MODE,
    ...(e.SHUNT_AUTH_CONFIG ? { authConfigPath: resolve(e.SHUNT_AUTH_CONFIG) } : {}),
    ...(e.SHUNT_WORKER_METRICS_URL ? { workerMetricsUrl: e.SHUNT_WORKER_METRICS_URL } : {}),
    maxBodyBytes: e.SHUNT_MAX_BODY_BYTES,
    readSnapshotMs: e.SHUNT_READ_SNAPSHOT_MS,
    updatesInFlightPerProject: e.SHUNT_UPDATES_IN_FLIGHT_PER_PROJECT,
    allowedHosts: [...(isIP(e.SHUNT_HOST) === 0 ? [e.SHUNT_HOST] : []), ...e.SHUNT_ALLOWED_HOSTS],
  });
}

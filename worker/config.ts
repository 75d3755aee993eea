import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { z } from 'zod';
import { EXIT_CONFIG } from '../core/exit-codes.js';

const WorkerEnv = z.object({
  TEMPORAL_ADDRESS: z.string().min(1, 'TEMPORAL_ADDRESS is required (host:port of the Temporal frontend)'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  SHUNT_DATA_DIR: z.string().min(1).default('./.shunt'),
  SHUNT_WORKER_ID: z.string().regex(/^[\w.@:-]+$/, 'letters, digits and . _ @ : - only').optional(),
  SHUNT_CREDENTIALS: z.string().optional(),
  SHUNT_LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).default('info'),
  SHUNT_MAX_CONCURRENT_ACTIVITIES: z.coerce.number().int().positive().default(32),
  SHUNT_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).optional(),
});

export interface WorkerConfig {
  temporalAddress: string;
  namespace: string;
  dataDir: string;
  /** Stable across restarts on the same data dir, so a restarted worker finds its workspaces. */
  workerId: string;
  credentialsPath: string;
  logLevel: z.infer<typeof WorkerEnv>['SHUNT_LOG_LEVEL'];
  maxConcurrentActivities: number;
  /** Workflows kept in the worker's sticky cache (default: Temporal's, from the heap limit). */
  maxCachedWorkflows?: number;
}

/** Reads the worker's settings from the environment once; prints every problem and exits 1. */
export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): Readonly<WorkerConfig> {
  const parsed = WorkerEnv.safeParse(env);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) process.stderr.write(`config: ${issue.path.join('.')}: ${issue.message}\n`);
    process.exit(EXIT_CONFIG);
  }
  const e = parsed.data;
  const dataDir = resolve(e.SHUNT_DATA_DIR);
  return Object.freeze({
    temporalAddress: e.TEMPORAL_ADDRESS,
    namespace: e.TEMPORAL_NAMESPACE,
    dataDir,
    workerId: e.SHUNT_WORKER_ID ?? defaultWorkerId(dataDir),
    credentialsPath: resolve(e.SHUNT_CREDENTIALS ?? `${dataDir}/credentials`),
    logLevel: e.SHUNT_LOG_LEVEL,
    maxConcurrentActivities: e.SHUNT_MAX_CONCURRENT_ACTIVITIES,
    ...(e.SHUNT_MAX_CACHED_WORKFLOWS !== undefined ? { maxCachedWorkflows: e.SHUNT_MAX_CACHED_WORKFLOWS } : {}),
  });
}

export function defaultWorkerId(dataDir: string): string {
  return `${hostname()}-${createHash('sha1').update(dataDir).digest('hex').slice(0, 8)}`;
}

/** The task queue only this worker polls: a promotion's steps go there, to its workspace. */
export const workerTaskQueue = (workerId: string): string => `shunt-worker:${workerId}`;

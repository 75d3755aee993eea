import { resolve } from 'node:path';
import { z } from 'zod';

const LauncherEnv = z.object({
  TEMPORAL_ADDRESS: z.string().optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  SHUNT_PORT: z.coerce.number().int().min(1).max(65535).default(8080),
  SHUNT_HOST: z.string().default('127.0.0.1'),
  SHUNT_DATA_DIR: z.string().min(1).default('./.shunt'),
  SHUNT_TEMPORAL_PORT: z.coerce.number().int().min(1).max(65535).default(7233),
  SHUNT_TEMPORAL_UI_PORT: z.coerce.number().int().min(1).max(65535).default(8233),
  SHUNT_CONFIG: z.string().optional(),
  SHUNT_AUTH_MODE: z.enum(['open', 'enforced']).optional(),
  SHUNT_AUTH_CONFIG: z.string().optional(),
});

export interface LauncherConfig {
  /** Set: use that Temporal server and start none. */
  temporalAddress?: string;
  namespace: string;
  port: number;
  host: string;
  dataDir: string;
  temporalPort: number;
  temporalUiPort: number;
  configPath?: string;
  /** What the api runs with: tokens from authConfigPath, or open (see authDecision). */
  authMode: 'open' | 'enforced';
  authConfigPath?: string;
  /** Why the api runs in that mode, for the start-up message. */
  authReason: string;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

/**
 * The embedded default may run without access control, but only on a loopback address, and it
 * says so; anything reachable from elsewhere needs SHUNT_AUTH_CONFIG or an explicit
 * SHUNT_AUTH_MODE=open.
 */
export function authDecision(e: { SHUNT_HOST: string; SHUNT_AUTH_MODE?: 'open' | 'enforced' | undefined; SHUNT_AUTH_CONFIG?: string | undefined }):
  | { ok: true; mode: 'open' | 'enforced'; reason: string }
  | { ok: false; message: string } {
  if (e.SHUNT_AUTH_CONFIG) return { ok: true, mode: 'enforced', reason: `access control on: tokens and roles from ${e.SHUNT_AUTH_CONFIG}` };
  if (e.SHUNT_AUTH_MODE === 'open') return { ok: true, mode: 'open', reason: 'access control OFF (SHUNT_AUTH_MODE=open): every caller may do everything' };
  if (e.SHUNT_AUTH_MODE === 'enforced') return { ok: false, message: 'SHUNT_AUTH_MODE=enforced needs SHUNT_AUTH_CONFIG (the file of hashed tokens and roles)' };
  if (LOOPBACK.has(e.SHUNT_HOST)) {
    return { ok: true, mode: 'open', reason: `access control OFF: the api listens on ${e.SHUNT_HOST} only; set SHUNT_AUTH_CONFIG to require tokens` };
  }
  return {
    ok: false,
    message: `SHUNT_HOST=${e.SHUNT_HOST} is reachable from other machines: set SHUNT_AUTH_CONFIG (tokens and roles), or SHUNT_AUTH_MODE=open to run without access control anyway`,
  };
}

/** Reads `npm start`'s settings once; prints every problem and exits 1. */
export function loadLauncherConfig(env: NodeJS.ProcessEnv = process.env): Readonly<LauncherConfig> {
  const parsed = LauncherEnv.safeParse(env);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) process.stderr.write(`config: ${issue.path.join('.')}: ${issue.message}\n`);
    process.exit(1);
  }
  const e = parsed.data;
  const auth = authDecision(e);
  if (!auth.ok) {
    process.stderr.write(`config: ${auth.message}\n`);
    process.exit(1);
  }
  return Object.freeze({
    authMode: auth.mode,
    authReason: auth.reason,
    ...(e.SHUNT_AUTH_CONFIG ? { authConfigPath: resolve(e.SHUNT_AUTH_CONFIG) } : {}),
    ...(e.TEMPORAL_ADDRESS ? { temporalAddress: e.TEMPORAL_ADDRESS } : {}),
    namespace: e.TEMPORAL_NAMESPACE,
    port: e.SHUNT_PORT,
    host: e.SHUNT_HOST,
    dataDir: resolve(e.SHUNT_DATA_DIR),
    temporalPort: e.SHUNT_TEMPORAL_PORT,
    temporalUiPort: e.SHUNT_TEMPORAL_UI_PORT,
    ...(e.SHUNT_CONFIG ? { configPath: resolve(e.SHUNT_CONFIG) } : {}),
  });
}

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
}

/** Reads `npm start`'s settings once; prints every problem and exits 1. */
export function loadLauncherConfig(env: NodeJS.ProcessEnv = process.env): Readonly<LauncherConfig> {
  const parsed = LauncherEnv.safeParse(env);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) process.stderr.write(`config: ${issue.path.join('.')}: ${issue.message}\n`);
    process.exit(1);
  }
  const e = parsed.data;
  return Object.freeze({
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

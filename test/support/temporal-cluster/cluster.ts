/**
 * Temporal in its production shape for the cluster suite: a private PostgreSQL, the schema set up
 * by deploy/temporal/setup-schema.sh with the built temporal-sql-tool, the built Temporal server
 * (scripts/build-temporal-server.sh) on ports below 32768, and the namespaces created, as an
 * operator does once (a real server, unlike the dev server, starts with none but its own).
 * Search attributes are left to Shunt's worker, which registers them at start.
 */
import { spawnSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common';
import { builtTemporal, type TemporalBuild } from './build.js';
import { startPostgres, type Postgres } from './postgres.js';
import { DEPLOY_DIR, TemporalServer } from './temporal-server.js';

export interface TemporalCluster {
  build: TemporalBuild;
  address: string;
  server: TemporalServer;
  db: Postgres;
  stop(): Promise<void>;
}

/** Runs deploy/temporal/setup-schema.sh against the database, as the compose file's set-up container does. */
export function setupSchema(build: TemporalBuild, db: Postgres): string {
  const r = spawnSync('sh', [join(DEPLOY_DIR, 'setup-schema.sh')], {
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      TEMPORAL_SQL_TOOL: build.sqlTool,
      SQL_HOST: db.host,
      SQL_PORT: String(db.port),
      SQL_USER: db.user,
      SQL_PASSWORD: db.password,
    },
  });
  if (r.status !== 0) throw new Error(`setup-schema.sh failed (${r.status}):\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** Registers each namespace that is missing (one day of retention); waits until each answers. */
export async function createNamespaces(address: string, namespaces: string[]): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    for (const namespace of namespaces) {
      try {
        await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('1 day') });
      } catch (err) {
        if (!/already exists|AlreadyExists/i.test(String(err))) throw err;
      }
    }
    // The frontend's namespace cache refreshes every few seconds: wait until each namespace serves.
    const deadline = Date.now() + 60_000;
    for (const namespace of namespaces) {
      for (;;) {
        try {
          await connection.workflowService.listWorkflowExecutions({ namespace, pageSize: 1 });
          break;
        } catch (err) {
          if (Date.now() > deadline) throw new Error(`namespace ${namespace} did not become usable: ${String(err)}`);
          await new Promise((r) => setTimeout(r, 250));
        }
      }
    }
  } finally {
    await connection.close();
  }
}

export async function startTemporalCluster(workDir: string, namespaces: string[]): Promise<TemporalCluster> {
  const build = builtTemporal();
  await mkdir(workDir, { recursive: true });
  const db = await startPostgres();
  let server: TemporalServer | undefined;
  try {
    setupSchema(build, db);
    server = new TemporalServer(build.server, db, join(workDir, 'temporal-server.log'));
    await server.start();
    await createNamespaces(server.address, namespaces);
  } catch (err) {
    await server?.close();
    await db.stop();
    throw err;
  }
  const running = server;
  return {
    build,
    address: running.address,
    server: running,
    db,
    async stop() {
      await running.close();
      await db.stop();
    },
  };
}

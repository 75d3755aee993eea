/**
 * The Temporal server (all four services in one process) as docker-compose.yml runs it: the
 * server's embedded config template, filled from deploy/temporal/server.env plus the database
 * and the ports of this run, and deploy/temporal/dynamicconfig.yaml.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, readFileSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { projectRoot } from '../../../launcher/temporal-binary.js';
import { freeLowPorts } from './low-ports.js';
import type { Postgres } from './postgres.js';

export const DEPLOY_DIR = join(projectRoot, 'deploy', 'temporal');

/** KEY=VALUE lines of an env file (docker compose's `env_file` format, without quoting). */
export function readEnvFile(path: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of readFileSync(path, 'utf8').split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) throw new Error(`${path}: not KEY=VALUE: ${line}`);
    out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

const PORT_SETTINGS = [
  'FRONTEND_GRPC_PORT',
  'FRONTEND_HTTP_PORT',
  'FRONTEND_MEMBERSHIP_PORT',
  'HISTORY_GRPC_PORT',
  'HISTORY_MEMBERSHIP_PORT',
  'MATCHING_GRPC_PORT',
  'MATCHING_MEMBERSHIP_PORT',
  'WORKER_GRPC_PORT',
  'WORKER_MEMBERSHIP_PORT',
] as const;

export class TemporalServer {
  private child: ChildProcess | undefined;
  private exitCode: number | null | undefined;
  private log: WriteStream;
  private tail: string[] = [];
  private ports: Record<string, string> = {};

  constructor(
    private readonly binary: string,
    private readonly db: Postgres,
    logFile: string,
  ) {
    this.log = createWriteStream(logFile, { flags: 'a' });
  }

  get address(): string {
    return `127.0.0.1:${this.ports['FRONTEND_GRPC_PORT']}`;
  }

  /** The last lines the server wrote (for failure messages). */
  recentOutput(): string {
    return this.tail.join('\n');
  }

  /** Starts the server (on the same ports as before, when started again) and waits until it answers. */
  async start(): Promise<void> {
    if (Object.keys(this.ports).length === 0) {
      const ports = await freeLowPorts(PORT_SETTINGS.length);
      PORT_SETTINGS.forEach((name, i) => (this.ports[name] = String(ports[i])));
    }
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ...readEnvFile(join(DEPLOY_DIR, 'server.env')),
      POSTGRES_SEEDS: this.db.host,
      DB_PORT: String(this.db.port),
      POSTGRES_USER: this.db.user,
      POSTGRES_PWD: this.db.password,
      BIND_ON_IP: '127.0.0.1',
      TEMPORAL_BROADCAST_ADDRESS: '127.0.0.1',
      DYNAMIC_CONFIG_FILE_PATH: join(DEPLOY_DIR, 'dynamicconfig.yaml'),
      ...this.ports,
    };
    this.exitCode = undefined;
    const child = spawn(this.binary, ['start'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const collect = (chunk: Buffer): void => {
      this.log.write(chunk);
      for (const line of chunk.toString().split('\n').filter((l) => l.trim())) {
        this.tail.push(line);
        if (this.tail.length > 60) this.tail.shift();
      }
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    child.on('exit', (code) => {
      if (this.child === child) this.exitCode = code;
    });
    await this.ready(child);
  }

  private async ready(child: ChildProcess): Promise<void> {
    const deadline = Date.now() + 120_000;
    for (;;) {
      if (this.exitCode !== undefined) {
        throw new Error(`the Temporal server exited (${this.exitCode}) before it answered:\n${this.recentOutput()}`);
      }
      try {
        const connection = await Connection.connect({ address: this.address, connectTimeout: 1000 });
        try {
          await connection.workflowService.describeNamespace({ namespace: 'temporal-system' });
          return;
        } finally {
          await connection.close();
        }
      } catch (err) {
        if (Date.now() > deadline) {
          child.kill('SIGKILL');
          throw new Error(`the Temporal server did not answer on ${this.address} within 120 s: ${String(err)}\n${this.recentOutput()}`);
        }
        await new Promise((r) => setTimeout(r, 300));
      }
    }
  }

  /** SIGKILL (a crash) or SIGTERM (a clean stop); resolves once the process is gone. */
  async stop(signal: 'SIGKILL' | 'SIGTERM' = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await once(child, 'exit');
    clearTimeout(timer);
  }

  async close(): Promise<void> {
    await this.stop();
    await new Promise((r) => this.log.end(r));
  }
}

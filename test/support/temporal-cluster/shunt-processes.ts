/**
 * Shunt's worker and api as separate processes on an existing Temporal server, as a production
 * deployment runs them (several of each, no launcher): `node dist/worker/main.js` and
 * `node dist/api/server.js` with TEMPORAL_ADDRESS set.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { freePort } from '../../../launcher/free-port.js';
import { projectRoot } from '../../../launcher/temporal-binary.js';
import { workerProcess } from '../../../launcher/worker-process.js';
import { processTree } from '../launched-shunt.js';

interface ProcessOptions {
  temporalAddress: string;
  namespace: string;
  dataDir: string;
  env?: NodeJS.ProcessEnv;
}

abstract class ShuntProcess {
  output = '';
  protected child: ChildProcess | undefined;

  constructor(
    readonly name: string,
    protected readonly opts: ProcessOptions,
  ) {}

  protected spawn(script: string, nodeArgs: string[], env: NodeJS.ProcessEnv): void {
    const base: NodeJS.ProcessEnv = { ...process.env };
    for (const key of Object.keys(base)) if (key.startsWith('TEMPORAL_') || key.startsWith('SHUNT_')) delete base[key];
    this.output = '';
    const child = spawn(process.execPath, [...nodeArgs, join(projectRoot, 'dist', script)], {
      env: {
        ...base,
        TEMPORAL_ADDRESS: this.opts.temporalAddress,
        TEMPORAL_NAMESPACE: this.opts.namespace,
        SHUNT_DATA_DIR: this.opts.dataDir,
        SHUNT_LOG_LEVEL: 'info',
        SHUNT_KUBERNETES: 'off',
        // The suite's git server listens on loopback, which the egress policy refuses unless allowed.
        SHUNT_EGRESS_ALLOW: process.env.SHUNT_EGRESS_ALLOW ?? '127.0.0.0/8,::1',
        ...env,
        ...this.opts.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (d: Buffer) => (this.output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (this.output += d.toString()));
    this.child = child;
  }

  get pid(): number {
    if (!this.child?.pid) throw new Error(`${this.name} is not running`);
    return this.child.pid;
  }

  running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  protected exitedWith(): string | undefined {
    if (!this.child || this.running()) return undefined;
    return String(this.child.exitCode ?? this.child.signalCode);
  }

  /** The last lines of its output (for failure messages). */
  recentOutput(lines = 40): string {
    return this.output.split('\n').slice(-lines).join('\n');
  }

  /** SIGKILL to the process and everything it started (git commands); resolves once it is gone. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || !this.running()) return;
    for (const pid of processTree(child.pid!)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    await once(child, 'exit');
  }

  /** SIGTERM: a graceful shutdown. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || !this.running()) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await once(child, 'exit');
    clearTimeout(timer);
  }
}

export class WorkerProcess extends ShuntProcess {
  /** Starts `node dist/worker/main.js` and waits until it says it polls. */
  async start(): Promise<void> {
    const worker = workerProcess({});
    this.spawn(join('worker', 'main.js'), worker.nodeArgs, { ...worker.env, SHUNT_WORKER_ID: this.name });
    const deadline = Date.now() + 120_000;
    for (;;) {
      const exited = this.exitedWith();
      if (exited !== undefined) throw new Error(`worker ${this.name} exited (${exited}) before it started:\n${this.recentOutput()}`);
      if (this.output.includes('"msg":"worker started"')) return;
      if (Date.now() > deadline) throw new Error(`worker ${this.name} did not start within 120 s:\n${this.recentOutput()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

export class ApiProcess extends ShuntProcess {
  port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts `node dist/api/server.js` on a free port and waits for GET /healthz to answer 200. */
  async start(): Promise<void> {
    this.port = await freePort();
    this.spawn(join('api', 'server.js'), [], { SHUNT_PORT: String(this.port), SHUNT_HOST: '127.0.0.1', SHUNT_AUTH_MODE: 'open' });
    const deadline = Date.now() + 120_000;
    for (;;) {
      const exited = this.exitedWith();
      if (exited !== undefined) throw new Error(`api ${this.name} exited (${exited}) before GET /healthz answered 200:\n${this.recentOutput()}`);
      if ((await fetch(`${this.url}/healthz`).catch(() => undefined))?.status === 200) return;
      if (Date.now() > deadline) throw new Error(`api ${this.name}: GET /healthz did not answer 200 within 120 s:\n${this.recentOutput()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

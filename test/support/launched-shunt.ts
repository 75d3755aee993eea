/**
 * Shunt started the way `npm start` starts it: `node dist/launcher/main.js` on a data dir, which
 * starts the embedded Temporal server (SQLite in the data dir), the worker and the api as real
 * processes. The launcher runs in a process group of its own, so a test can kill the whole tree
 * at once with SIGKILL, as a power cut or an OOM kill of the container would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../launcher/free-port.js';
import { projectRoot as root } from '../../launcher/temporal-binary.js';
import { eventually } from './poll.js';


export interface LaunchOptions {
  dataDir: string;
  /** Extra environment (e.g. TEMPORAL_ADDRESS to use an existing server). */
  env?: NodeJS.ProcessEnv;
}

/** Processes started for a data dir (every one inherits SHUNT_DATA_DIR). Linux /proc only. */
export function processesUsing(dataDir: string): { pid: number; command: string }[] {
  const marker = `SHUNT_DATA_DIR=${dataDir}\0`;
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry) && Number(entry) !== process.pid)
    .flatMap((entry) => {
      try {
        if (!`${readFileSync(`/proc/${entry}/environ`, 'latin1')}\0`.includes(marker)) return [];
        return [{ pid: Number(entry), command: readFileSync(`/proc/${entry}/cmdline`, 'latin1').replaceAll('\0', ' ').trim() }];
      } catch {
        return [];
      }
    });
}

/**
 * The fields of /proc/<pid>/stat after the command (which may hold spaces): [0] is field 3 (the
 * state), [1] field 4 (the parent), [11]–[14] fields 14–17 (utime, stime, cutime, cstime, in ticks).
 * Throws when the process is gone.
 */
export function statFields(pid: number | string): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** `pid` and every process below it. */
export function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      const ppid = Number(statFields(entry)[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      /* gone meanwhile */
    }
  }
  const out: number[] = [];
  const walk = (p: number): void => {
    out.push(p);
    for (const c of children.get(p) ?? []) walk(c);
  };
  walk(pid);
  return out;
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
}

export class LaunchedShunt {
  apiPort = 0;
  /** The embedded Temporal server's gRPC port (when the launcher starts one). */
  temporalPort = 0;
  output = '';
  private child: ChildProcess | undefined;

  constructor(private readonly opts: LaunchOptions) {}

  get api(): string {
    return `http://127.0.0.1:${this.apiPort}`;
  }

  get dataDir(): string {
    return this.opts.dataDir;
  }

  /**
   * Starts the launcher on fresh ports and waits for GET /healthz to answer 200. A port found
   * free can be taken by another test process before the launcher binds it: when the launcher
   * exits because an address is in use, it starts again on other ports.
   */
  async start(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const outputBefore = this.output.length;
      try {
        await this.launch();
        return;
      } catch (err) {
        const lostPortRace = this.exited() && /address already in use/.test(this.output.slice(outputBefore));
        if (!lostPortRace || attempt === 3) throw err;
        this.output += `\n(launch ${attempt} lost a port to another process; starting again on other ports)\n`;
      }
    }
  }

  private async launch(): Promise<void> {
    this.apiPort = await freePort();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      SHUNT_DATA_DIR: this.opts.dataDir,
      SHUNT_PORT: String(this.apiPort),
      SHUNT_TEMPORAL_PORT: String((this.temporalPort = await freePort())),
      SHUNT_TEMPORAL_UI_PORT: String(await freePort()),
      SHUNT_LOG_LEVEL: 'warn',
      ...this.opts.env,
    };
    if (!this.opts.env?.TEMPORAL_ADDRESS) delete env.TEMPORAL_ADDRESS;
    const child = spawn(process.execPath, [join(root, 'dist', 'launcher', 'main.js')], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    child.stdout?.on('data', (d: Buffer) => (this.output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (this.output += d.toString()));
    this.child = child;
    await this.healthy();
  }

  private exited(): boolean {
    return !!this.child && (this.child.exitCode !== null || this.child.signalCode !== null);
  }

  /** Waits for GET /healthz to answer 200; fails at once if the launcher has exited. */
  async healthy(): Promise<void> {
    const deadline = Date.now() + 120_000;
    for (;;) {
      if (this.exited()) {
        throw new Error(`the launcher exited (${this.child!.exitCode ?? this.child!.signalCode}) before GET /healthz answered 200 (launcher output:\n${this.interestingOutput()})`);
      }
      if ((await fetch(`${this.api}/healthz`).catch(() => undefined))?.status === 200) return;
      if (Date.now() > deadline) throw new Error(`timed out waiting for GET /healthz to answer 200 (launcher output:\n${this.interestingOutput()})`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** The launcher's output without the Temporal server's own log lines. */
  interestingOutput(): string {
    return this.output
      .split('\n')
      .filter((l) => !l.startsWith('temporal: time='))
      .slice(-60)
      .join('\n');
  }

  /** The pid of the running worker process (dist/worker/main.js). */
  workerPid(): number {
    const worker = processesUsing(this.dataDir).find((p) => p.command.includes(join('dist', 'worker', 'main.js')));
    if (!worker) throw new Error(`no worker process runs on ${this.dataDir}`);
    return worker.pid;
  }

  /**
   * SIGKILL to every process of the tree at once (the launcher's process group, and anything
   * that carries the data dir), then waits until none is left.
   */
  async killTree(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    const pids = new Set(processesUsing(this.dataDir).map((p) => p.pid));
    if (child?.pid) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* group already gone */
      }
    }
    for (const pid of pids) killQuietly(pid);
    if (child && child.exitCode === null && child.signalCode === null) await once(child, 'exit');
    await eventually(
      async () => (processesUsing(this.dataDir).length === 0 ? true : undefined),
      () => `every process on ${this.dataDir} to be gone: ${JSON.stringify(processesUsing(this.dataDir))}`,
      30_000,
    );
  }

  /** SIGKILL to the worker process and the git commands it runs; the launcher restarts it. */
  async killWorker(): Promise<number> {
    const pid = this.workerPid();
    for (const p of processTree(pid)) killQuietly(p);
    await eventually(
      async () => {
        const now = processesUsing(this.dataDir).find((p) => p.command.includes(join('dist', 'worker', 'main.js')));
        return now && now.pid !== pid ? now.pid : undefined;
      },
      () => `the launcher to start the worker again (launcher output:\n${this.interestingOutput()})`,
      60_000,
    );
    return pid;
  }

  /** Ctrl-C: the launcher stops everything. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGINT');
    await once(child, 'exit');
  }
}

/**
 * The server processes a real-kube harness starts: each logs to a file in the harness's
 * directory (shown when it dies early), is stopped by its own PID, and is killed if the test
 * process exits without stopping it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export class ServerProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  readonly logFile: string;

  constructor(
    readonly name: string,
    private readonly command: string,
    private readonly args: string[],
    private readonly opts: { dir: string; env?: Record<string, string> },
  ) {
    this.logFile = join(opts.dir, `${name}.log`);
  }

  start(): void {
    if (this.child) throw new Error(`${this.name} is already running`);
    const out = openSync(this.logFile, 'a');
    const child = spawn(this.command, this.args, {
      cwd: this.opts.dir,
      env: { ...process.env, ...this.opts.env },
      stdio: ['ignore', out, out],
    });
    closeSync(out);
    this.child = child;
    running.add(child);
    this.exited = new Promise((resolve) => {
      child.once('exit', () => {
        running.delete(child);
        if (this.child === child) this.child = undefined;
        resolve();
      });
    });
  }

  get alive(): boolean {
    return this.child !== undefined;
  }

  /** The last lines of its log, for error messages. */
  tail(lines = 15): string {
    try {
      return readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves when it has exited. */
  async stop(graceMs = 5_000): Promise<void> {
    const child = this.child;
    if (!child) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

/** Polls `ready` until it answers true; fails with the process's log when it dies or times out. */
export async function waitReady(proc: ServerProcess, ready: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!proc.alive) throw new Error(`${proc.name} exited while starting:\n${proc.tail()}`);
    try {
      if (await ready()) return;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) throw new Error(`${proc.name} was not ready after ${timeoutMs} ms:\n${proc.tail()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

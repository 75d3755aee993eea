/**
 * Starts processes from a small helper process instead of from this one.
 *
 * Node starts a child by forking the whole process first, and a fork copies the page tables of
 * everything the process has mapped: from a worker of ~550 MB resident (its workflow cache, two
 * V8 isolates) each start of git cost ~13 ms of kernel time and ~29 ms in all, against ~0.6 and
 * ~2.3 ms from a process of ~60 MB. Under 200 promotions at once that was half the worker's CPU
 * time. Git (git-command.ts), the steps' tools (tools.ts) and gpg for signing (signing.ts) start
 * through it. The helper is a bare Node process (no modules, a 64 MB heap cap) started once per
 * process on first use; it runs each request with `spawn` (no shell, the request's own
 * environment) and sends back the exit code and output. Nothing of a request is logged or kept.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface SpawnRequest {
  file: string;
  args: string[];
  cwd: string;
  /** The whole environment of the process. */
  env: Record<string, string>;
  /** Written to stdin, which is then closed (closed at once without it). */
  input?: string | undefined;
  /** Kills the process; the run rejects with an abort error. */
  signal?: AbortSignal | undefined;
  /** Kills the process (SIGKILL) after this long; the run answers the signal. */
  timeoutMs?: number | undefined;
}

export interface SpawnResult {
  /** The exit code, null when a signal ended the process. */
  code: number | null;
  signal: string | null;
  stdout: Buffer;
  stderr: Buffer;
}

type HelperMessage =
  | { id: number; type: 'exit'; code: number | null; signal: string | null; stdout: Uint8Array; stderr: Uint8Array }
  | { id: number; type: 'error'; message: string };

/** The helper's program (CommonJS, run with `node -e`): no file to ship beside the build. */
const HELPER_PROGRAM = `
const { spawn } = require('node:child_process');
const running = new Map();
const send = (m) => { if (process.connected) process.send(m); };
process.on('message', (m) => {
  if (m.type === 'kill') { running.get(m.id)?.kill('SIGTERM'); return; }
  const out = [];
  const err = [];
  let child;
  try {
    child = spawn(m.file, m.args, { cwd: m.cwd, env: m.env, stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (e) {
    send({ id: m.id, type: 'error', message: String((e && e.message) || e) });
    return;
  }
  running.set(m.id, child);
  const timer = m.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), m.timeoutMs) : undefined;
  let failed = false;
  child.on('error', (e) => { failed = true; running.delete(m.id); send({ id: m.id, type: 'error', message: e.message }); });
  child.stdout.on('data', (d) => out.push(d));
  child.stderr.on('data', (d) => err.push(d));
  child.stdin.on('error', () => {});
  child.stdin.end(m.input);
  child.on('close', (code, signal) => {
    if (timer) clearTimeout(timer);
    running.delete(m.id);
    if (!failed) send({ id: m.id, type: 'exit', code, signal, stdout: Buffer.concat(out), stderr: Buffer.concat(err) });
  });
});
process.on('disconnect', () => { for (const c of running.values()) c.kill('SIGTERM'); process.exit(0); });
`;

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  const err = new Error(reason instanceof Error ? reason.message : 'The operation was aborted');
  err.name = 'AbortError';
  return err;
}

export class SpawnHelper {
  private child: ChildProcess | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: SpawnResult) => void; reject: (e: Error) => void }>();

  run(req: SpawnRequest): Promise<SpawnResult> {
    if (req.signal?.aborted) return Promise.reject(abortError(req.signal));
    const child = this.started();
    const id = this.nextId++;
    return new Promise<SpawnResult>((resolve, reject) => {
      const onAbort = (): void => {
        if (!this.pending.delete(id)) return;
        this.settled();
        if (child.connected) child.send({ id, type: 'kill' });
        reject(abortError(req.signal!));
      };
      req.signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, {
        resolve: (r) => {
          req.signal?.removeEventListener('abort', onAbort);
          resolve(r);
        },
        reject: (e) => {
          req.signal?.removeEventListener('abort', onAbort);
          reject(e);
        },
      });
      child.ref();
      (child.channel as { ref?: () => void } | undefined)?.ref?.();
      child.send({ id, type: 'run', file: req.file, args: req.args, cwd: req.cwd, env: req.env, input: req.input, timeoutMs: req.timeoutMs }, (err) => {
        if (err) this.answer({ id, type: 'error', message: `the spawn helper took no request: ${err.message}` });
      });
    });
  }

  private started(): ChildProcess {
    if (this.child?.connected) return this.child;
    const child = spawn(process.execPath, ['--max-old-space-size=64', '-e', HELPER_PROGRAM], {
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      serialization: 'advanced',
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' },
    });
    child.on('message', (m: HelperMessage) => this.answer(m));
    child.on('exit', () => {
      if (this.child === child) this.child = undefined;
      for (const [id] of this.pending) this.answer({ id, type: 'error', message: 'the spawn helper exited' });
    });
    child.on('error', () => undefined);
    this.child = child;
    return child;
  }

  private answer(m: HelperMessage): void {
    const waiting = this.pending.get(m.id);
    if (!waiting) return;
    this.pending.delete(m.id);
    this.settled();
    if (m.type === 'error') waiting.reject(new Error(m.message));
    else waiting.resolve({ code: m.code, signal: m.signal, stdout: Buffer.from(m.stdout), stderr: Buffer.from(m.stderr) });
  }

  /** An idle helper keeps nothing alive: the process may exit without closing it. */
  private settled(): void {
    if (this.pending.size > 0 || !this.child) return;
    this.child.unref();
    (this.child.channel as { unref?: () => void } | undefined)?.unref?.();
  }
}

/** The process's one helper. */
export const spawnHelper = new SpawnHelper();

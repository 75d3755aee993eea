import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { EXIT_CONFIG } from '../core/exit-codes.js';

export interface SupervisedProcess {
  readonly name: string;
  current(): ChildProcess | undefined;
  stop(): Promise<void>;
}

/**
 * Runs `node <script>` and starts it again (after a short pause) whenever it exits on its own,
 * so a crashed worker or api comes back while the rest keeps running. A process that exits with
 * EXIT_CONFIG cannot run as configured: `onFatal` is called instead of restarting it.
 */
export function supervise(
  name: string,
  script: string,
  env: NodeJS.ProcessEnv,
  log: (line: string) => void,
  onFatal: () => void,
  /** Node options before the script (e.g. V8 heap settings). */
  nodeArgs: readonly string[] = [],
): SupervisedProcess {
  let child: ChildProcess | undefined;
  let stopping = false;
  let restarts = 0;
  const start = (): void => {
    // The IPC channel closes when this process dies, even by SIGKILL: the child then stops too.
    child = spawn(process.execPath, [...nodeArgs, script], { env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const started = Date.now();
    child.on('exit', (code, signal) => {
      if (stopping) return;
      if (code === EXIT_CONFIG) {
        log(`${name} cannot run as configured (see its message above); stopping`);
        onFatal();
        return;
      }
      if (Date.now() - started > 60_000) restarts = 0;
      restarts++;
      const delay = Math.min(500 * 2 ** Math.min(restarts, 5), 15_000);
      log(`${name} exited (${signal ?? `code ${code}`}); starting it again in ${delay} ms`);
      setTimeout(() => !stopping && start(), delay).unref();
    });
  };
  start();
  return {
    name,
    current: () => child,
    async stop() {
      stopping = true;
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child?.kill('SIGKILL'), 15_000);
      await once(child, 'exit');
      clearTimeout(timer);
    },
  };
}

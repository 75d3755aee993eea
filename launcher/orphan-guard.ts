/**
 * The worker and the api, started by the launcher, must not outlive it: a launcher killed
 * outright (SIGKILL, an OOM kill) cannot stop them, and an orphaned worker would go on polling
 * with nobody to stop it, or fight the next launch's worker for the data dir.
 *
 * `launcher/watch-launcher.ts`, imported first by both (before anything heavy), starts the watch
 * this module describes. The process is an orphan once its launcher is gone, by either sign:
 *
 * - the IPC channel the launcher opened has closed (`process.connected` false); the
 *   `'disconnect'` event alone is not enough, because it is emitted once, and a launcher that
 *   dies while the child is still loading its modules (seconds on a loaded machine) closes the
 *   channel before anyone listens;
 * - the parent pid is no longer the launcher's (`SHUNT_LAUNCHER_PID`): the kernel has re-parented
 *   the process. Node has no PR_SET_PDEATHSIG; `process.ppid` is read from the kernel each time.
 *
 * It is checked at once, on `'disconnect'`, and every second. A process started by hand or by a
 * container runtime (no IPC channel, no SHUNT_LAUNCHER_PID) is never watched.
 */

/** The environment variable the launcher sets to its own pid in its children's environment. */
export const LAUNCHER_PID_ENV = 'SHUNT_LAUNCHER_PID';

export interface ParentSigns {
  /** The process was started with an IPC channel (`process.send` exists). */
  hasChannel: boolean;
  /** That channel is still open. */
  connected: boolean;
  /** The launcher's pid, when it said so. */
  launcherPid: number | undefined;
  /** The current parent pid. */
  ppid: number;
}

/** Why the process is an orphan, or undefined while its launcher is there (or it has none). */
export function orphanedBecause(signs: ParentSigns): string | undefined {
  if (signs.hasChannel && !signs.connected) return "the launcher's IPC channel closed";
  if (signs.launcherPid !== undefined && signs.ppid !== signs.launcherPid) {
    return `the parent is now pid ${signs.ppid}, not the launcher (pid ${signs.launcherPid})`;
  }
  return undefined;
}

/** The launcher's pid from SHUNT_LAUNCHER_PID; undefined when absent, and an error when malformed. */
export function launcherPidFrom(env: NodeJS.ProcessEnv): number | undefined {
  const raw = env[LAUNCHER_PID_ENV];
  if (raw === undefined || raw === '') return undefined;
  if (!/^[1-9]\d*$/.test(raw)) throw new Error(`${LAUNCHER_PID_ENV} must be a process id (a positive integer), got "${raw}"`);
  return Number(raw);
}

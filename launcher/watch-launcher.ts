/**
 * Imported first by the worker and the api: watches for their launcher to die (see
 * orphan-guard.ts for how it tells), from the moment this module is evaluated, while the rest of
 * the process is still loading. A process started by hand or by a container runtime (no IPC
 * channel, no SHUNT_LAUNCHER_PID) is never watched.
 */
import { launcherPidFrom, orphanedBecause, type ParentSigns } from './orphan-guard.js';

const CHECK_EVERY_MS = 1_000;

function currentSigns(launcherPid: number | undefined): ParentSigns {
  return { hasChannel: typeof process.send === 'function', connected: process.connected === true, launcherPid, ppid: process.ppid };
}

/** Until a process registers its own: leave at once (nothing has started that needs stopping). */
let handler: (reason: string) => void = (reason) => {
  process.stderr.write(`shunt: ${reason}; exiting\n`);
  process.exit(1);
};
let orphaned: string | undefined;

/**
 * What to do once the launcher is gone (a graceful shutdown); called at most once, and at once
 * if the launcher is already gone.
 */
export function onOrphaned(fn: (reason: string) => void): void {
  handler = fn;
  if (orphaned !== undefined) fn(orphaned);
}

/** Checks at once, on `'disconnect'`, and every second. */
function watch(): void {
  const launcherPid = launcherPidFrom(process.env);
  const signs = currentSigns(launcherPid);
  if (!signs.hasChannel && launcherPid === undefined) return;
  let timer: NodeJS.Timeout | undefined;
  const check = (): void => {
    if (orphaned !== undefined) return;
    const reason = orphanedBecause(currentSigns(launcherPid));
    if (reason === undefined) return;
    orphaned = reason;
    if (timer) clearInterval(timer);
    handler(reason);
  };
  process.on('disconnect', check);
  // Unref'd: the watch never keeps a process alive that would otherwise have ended.
  timer = setInterval(check, CHECK_EVERY_MS).unref();
  check();
}

watch();

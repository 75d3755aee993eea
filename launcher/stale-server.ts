import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * The embedded Temporal server outlives a launcher killed outright (SIGKILL): nothing of ours
 * runs to stop it. Its pid is kept in a file in the data dir; the next launch on that data dir
 * stops it first, so two servers never share the SQLite file or the ports.
 */
export async function stopStaleServer(pidFile: string, dbFile: string, say: (line: string) => void): Promise<void> {
  let pid: number;
  try {
    pid = Number(readFileSync(pidFile, 'utf8').trim());
  } catch {
    return;
  }
  if (Number.isInteger(pid) && pid > 0 && isOurServer(pid, dbFile)) {
    say(`stopping the Temporal server (pid ${pid}) left running by an earlier launch on this data dir`);
    process.kill(pid, 'SIGTERM');
    for (let i = 0; i < 100 && alive(pid); i++) await sleep(100);
    if (alive(pid)) process.kill(pid, 'SIGKILL');
  }
  rmSync(pidFile, { force: true });
}

export function recordServer(pidFile: string, pid: number | undefined): void {
  if (pid !== undefined) writeFileSync(pidFile, `${pid}\n`);
}

/** Only a live `temporal server start-dev` on this very database: a reused pid is left alone. */
function isOurServer(pid: number, dbFile: string): boolean {
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return args.includes('start-dev') && args.includes(dbFile);
  } catch {
    return false;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

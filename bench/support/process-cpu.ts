/**
 * CPU time of a launched Shunt's processes, from /proc (Linux), by what each process is: every
 * process started for its data dir, and every process below the worker (its spawn helper, which
 * is started without the data dir in its environment, and the git processes running), each with
 * the children it waited for (the helper's finished git processes count as the helper's).
 */
import { processesUsing, processTree, statFields } from '../../test/support/launched-shunt.js';

const TICKS_PER_S = 100;

const PROCESS_ROLES = ['temporal', 'worker', 'api', 'spawn helper and git', 'other'] as const;
type ProcessRole = (typeof PROCESS_ROLES)[number];
export type CpuByRole = Record<ProcessRole, number>;

/** What a process started for the data dir is, from its command line. */
function roleOf(command: string): ProcessRole {
  if (/\btemporal\b.*\bserver\b/.test(command)) return 'temporal';
  if (command.includes('worker/main.js')) return 'worker';
  if (command.includes('api/server.js')) return 'api';
  return 'other';
}

function cpuOf(pid: number): number {
  try {
    const fields = statFields(pid);
    return [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0) / TICKS_PER_S;
  } catch {
    return 0; // ended between the listing and the read
  }
}

/** CPU seconds used so far by the launch's processes, with the children they waited for, by role. */
export function cpuSecondsByRole(dataDir: string): CpuByRole {
  const byRole = Object.fromEntries(PROCESS_ROLES.map((r) => [r, 0])) as CpuByRole;
  const launched = processesUsing(dataDir).map(({ pid, command }) => ({ pid, role: roleOf(command) }));
  const seen = new Set(launched.map((p) => p.pid));
  for (const { pid, role } of launched) {
    byRole[role] += cpuOf(pid);
    if (role !== 'worker') continue;
    for (const below of processTree(pid)) {
      if (seen.has(below)) continue;
      seen.add(below);
      byRole['spawn helper and git'] += cpuOf(below);
    }
  }
  return byRole;
}

/** CPU seconds used so far by the launch's processes. */
export function cpuSeconds(dataDir: string): number {
  return Object.values(cpuSecondsByRole(dataDir)).reduce((a, b) => a + b, 0);
}

/** What the launch's processes used between two readings, by role (seconds). */
export function cpuBetween(before: CpuByRole, after: CpuByRole): CpuByRole {
  return Object.fromEntries(PROCESS_ROLES.map((r) => [r, after[r] - before[r]])) as CpuByRole;
}

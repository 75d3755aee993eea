/** What the figures were measured on: the table is meaningless without it. */
import { arch, cpus, loadavg, release, totalmem } from 'node:os';

export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryGB: number;
  os: string;
  node: string;
  /** 1-minute load average when the run began: other work on the machine skews the figures. */
  loadAtStart: number;
  /** SHUNT_BENCH_NOTE: what else ran on the machine, in the operator's words. */
  note?: string;
  summary: string;
}

export function describeMachine(env: NodeJS.ProcessEnv = process.env): Machine {
  const list = cpus();
  const machine: Omit<Machine, 'summary'> = {
    cpus: list.length,
    cpuModel: (list[0]?.model ?? 'unknown').replace(/\s+/g, ' ').trim(),
    memoryGB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    os: `linux ${release()} ${arch()}`,
    node: process.version,
    loadAtStart: Math.round((loadavg()[0] ?? 0) * 100) / 100,
    ...(env.SHUNT_BENCH_NOTE ? { note: env.SHUNT_BENCH_NOTE } : {}),
  };
  const summary =
    `${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGB} GB, ${machine.os}, Node ${machine.node}, ` +
    `load ${machine.loadAtStart} at start${machine.note ? ` (${machine.note})` : ''}`;
  return { ...machine, summary };
}

/** Resident memory of a process, from /proc (Linux, like this project's machines). */
import { readFileSync } from 'node:fs';

function statusField(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kB = Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
  if (!Number.isFinite(kB)) throw new Error(`no ${field} in /proc/${pid}/status`);
  return kB / 1024;
}

/** Resident set size now, in MB. */
export const rssMB = (pid: number): number => statusField(pid, 'VmRSS');

/** The highest resident set size the process has had since it started (VmHWM), in MB. */
export const peakRssMB = (pid: number): number => statusField(pid, 'VmHWM');

/** Samples a process's RSS every `everyMs` until stopped; returns the samples (MB). */
export function sampleRss(pid: number, everyMs = 500): { stop(): number[] } {
  const samples: number[] = [];
  const timer = setInterval(() => {
    try {
      samples.push(rssMB(pid));
    } catch {
      /* the process is gone */
    }
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return samples;
    },
  };
}

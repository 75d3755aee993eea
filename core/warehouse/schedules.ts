/**
 * Each warehouse's Temporal Schedule: what it should be (from the specs) and what must change
 * to get there from what was applied last.
 */
import type { Warehouse } from '../model.js';
import { parseDuration } from '../duration.js';
import { warehouseSpecHash } from './scan-status.js';

/** Kargo's default `spec.interval`. */
export const DEFAULT_WAREHOUSE_INTERVAL = '5m';
/** Shortest interval honoured; shorter ones are raised to it. */
export const MIN_WAREHOUSE_INTERVAL_MS = 1000;

export function warehouseIntervalMs(w: Warehouse): number {
  return Math.max(MIN_WAREHOUSE_INTERVAL_MS, parseDuration(w.spec.interval ?? DEFAULT_WAREHOUSE_INTERVAL));
}

export interface ScheduleUpsert {
  warehouse: string;
  intervalMs: number;
  /** Scan at once: a new warehouse, or its spec changed. */
  triggerNow: boolean;
  fingerprint: string;
}

export interface ScheduleChanges {
  upsert: ScheduleUpsert[];
  remove: string[];
}

/** Interval + spec hash: a changed spec rescans at once, a changed interval re-times the schedule. */
export function scheduleFingerprint(w: Warehouse): string {
  return `${warehouseIntervalMs(w)}:${warehouseSpecHash(w.spec)}`;
}

export function scheduleChanges(
  warehouses: Record<string, Warehouse>,
  applied: Record<string, string>,
  fingerprintOf: (w: Warehouse) => string = scheduleFingerprint,
): ScheduleChanges {
  const upsert: ScheduleUpsert[] = [];
  for (const [name, w] of Object.entries(warehouses).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const fingerprint = fingerprintOf(w);
    if (applied[name] === fingerprint) continue;
    upsert.push({ warehouse: name, intervalMs: warehouseIntervalMs(w), triggerNow: true, fingerprint });
  }
  const remove = Object.keys(applied).filter((name) => !warehouses[name]).sort();
  return { upsert, remove };
}

export function hasScheduleChanges(c: ScheduleChanges): boolean {
  return c.upsert.length > 0 || c.remove.length > 0;
}

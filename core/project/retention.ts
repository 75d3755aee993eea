/**
 * Freight retention, as Kargo's garbage collector does it (pkg/garbage/freight.go,
 * cleanWarehouseFreight): per warehouse, freight sorted newest first; the oldest freight still in
 * use by a stage is found; freight more than `maxRetainedFreight` places older than it, and older
 * than `minFreightDeletionAge`, is dropped. "In use" is Kargo's StagesByFreight index: the
 * freight is in a stage's current freight collection. Shunt also keeps freight that a queued or
 * running promotion or a pending verification still needs (Kargo's promotion would end Errored).
 *
 * Kargo configures both numbers on the garbage collector (MAX_RETAINED_FREIGHT,
 * MIN_FREIGHT_DELETION_AGE, defaults 20 and 336h). Shunt keeps them per project, in the project
 * state (`retention`), set by `shunt project prune`; absent means Kargo's defaults.
 */
import { DomainError } from '../errors.js';
import { TERMINAL_PHASES } from '../promotion/types.js';
import type { FreightRecord, ProjectState } from './state.js';

/** Kargo's MAX_RETAINED_FREIGHT default. */
export const DEFAULT_MAX_RETAINED_FREIGHT = 20;
/** Kargo's MIN_FREIGHT_DELETION_AGE default: two weeks. */
export const DEFAULT_MIN_FREIGHT_DELETION_AGE_MS = 336 * 60 * 60 * 1000;
/** The largest `maxRetainedFreight` a project may set: more would defeat the state budget. */
export const MAX_RETAINED_FREIGHT_LIMIT = 1000;

export interface FreightRetention {
  /** Freight kept per warehouse beyond the oldest still in use. */
  maxRetainedFreight: number;
  /** Freight younger than this is never dropped (ms). */
  minFreightDeletionAgeMs: number;
}

export function retentionOf(state: ProjectState): FreightRetention {
  return {
    maxRetainedFreight: state.retention?.maxRetainedFreight ?? DEFAULT_MAX_RETAINED_FREIGHT,
    minFreightDeletionAgeMs: state.retention?.minFreightDeletionAgeMs ?? DEFAULT_MIN_FREIGHT_DELETION_AGE_MS,
  };
}

/** Why the retention settings are refused (undefined when they are fine). */
export function retentionIssue(retention: Partial<FreightRetention>): DomainError | undefined {
  const n = retention.maxRetainedFreight;
  if (n !== undefined && (!Number.isInteger(n) || n < 0 || n > MAX_RETAINED_FREIGHT_LIMIT)) {
    return new DomainError('BadRequest', `maxRetainedFreight must be a whole number from 0 to ${MAX_RETAINED_FREIGHT_LIMIT}, got ${String(n)}`);
  }
  const age = retention.minFreightDeletionAgeMs;
  if (age !== undefined && (!Number.isFinite(age) || age < 0)) {
    return new DomainError('BadRequest', `minFreightDeletionAge must be zero or more, got ${String(age)} ms`);
  }
  return undefined;
}

/** Freight names a stage or unfinished work still needs: never dropped. */
export function freightInUse(state: ProjectState): Set<string> {
  const used = new Set<string>();
  for (const s of Object.values(state.stages)) {
    for (const ref of Object.values(s.freightHistory[0]?.collection.items ?? {})) used.add(ref.name);
    for (const name of s.currentVerification?.freight ?? []) used.add(name);
  }
  for (const p of state.promotions) if (!TERMINAL_PHASES.includes(p.phase)) used.add(p.freight);
  return used;
}

/** The freight retention drops now, oldest first within each warehouse (warehouses by name). */
export function collectableFreight(state: ProjectState, nowMs: number, retention: FreightRetention = retentionOf(state)): string[] {
  const used = freightInUse(state);
  const byWarehouse = new Map<string, { f: FreightRecord; order: number }[]>();
  Object.values(state.freight).forEach((f, order) => {
    const list = byWarehouse.get(f.origin.name) ?? [];
    list.push({ f, order });
    byWarehouse.set(f.origin.name, list);
  });
  const drop: string[] = [];
  for (const warehouse of [...byWarehouse.keys()].sort()) {
    // Newest first; freight discovered in the same instant keeps its creation order.
    const list = byWarehouse.get(warehouse)!.sort((a, b) => Date.parse(b.f.discoveredAt) - Date.parse(a.f.discoveredAt) || b.order - a.order);
    if (list.length <= retention.maxRetainedFreight) continue;
    let oldestInUse = -1;
    list.forEach(({ f }, i) => {
      if (used.has(f.name)) oldestInUse = i;
    });
    const old = list.slice(oldestInUse + retention.maxRetainedFreight + 1);
    for (const { f } of old.reverse()) {
      if (nowMs - Date.parse(f.discoveredAt) < retention.minFreightDeletionAgeMs) continue;
      drop.push(f.name);
    }
  }
  return drop;
}

/** Drops what retention says to drop; returns the freight dropped. */
export function collectFreight(state: ProjectState, nowMs: number, retention?: FreightRetention): string[] {
  const drop = collectableFreight(state, nowMs, retention);
  for (const name of drop) delete state.freight[name];
  return drop;
}

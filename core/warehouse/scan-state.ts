/**
 * The discovery part of a project's state (ProjectState.discovery), and the pure functions the
 * project workflow applies when a scan reports: record what was found or why the scan failed,
 * and create Freight as Kargo does. The project workflow stays the single writer.
 */
import { freightAlias } from '../freight/alias.js';
import type { WarehouseSpec } from '../model.js';
import type { FreightRecord, ProjectState } from '../project/state.js';
import { sha1Hex } from '../freight/sha1.js';
import { stableStringify } from '../stable-stringify.js';
import { freightCreationCriteriaSatisfied } from './criteria.js';
import { freightCreationCriteriaSatisfiedV1 } from './criteria-v1.js';
import type { DiscoveredArtifacts } from './discovered.js';
import { freightCandidate } from './freight-candidate.js';

export interface LastScan {
  /** When the scan reported (ISO). */
  at: string;
  outcome: 'Succeeded' | 'Failed';
  /** Why it failed (redacted: no credentials). */
  message?: string;
  /** Failed scans: how many attempts so far in this run, and when the next one is due (ISO). */
  attempt?: number;
  nextAttemptAt?: string;
}

export interface WarehouseDiscoveryStatus {
  lastScan?: LastScan;
  /** The last successful scan's findings (kept through later failures). */
  discovered?: DiscoveredArtifacts;
  /** The Freight the newest artifacts make (whether it was created now or before). */
  lastFreightID?: string;
  /** Why the last successful scan created no Freight, when it did not. */
  freightMessage?: string;
}

export interface DiscoveryState {
  warehouses: Record<string, WarehouseDiscoveryStatus>;
  /** Warehouse → fingerprint of its Temporal Schedule as last applied. */
  schedules: Record<string, string>;
}

export function discoveryState(state: ProjectState): DiscoveryState {
  state.discovery ??= { warehouses: {}, schedules: {} };
  return state.discovery;
}

/** Identifies a spec: a scan made for another spec version creates no Freight. */
export function warehouseSpecHash(spec: WarehouseSpec): string {
  return sha1Hex(stableStringify(spec));
}

export interface ScanSucceeded {
  warehouse: string;
  specHash: string;
  found: DiscoveredArtifacts;
}

export interface ScanFailed {
  warehouse: string;
  message: string;
  attempt: number;
  nextAttemptAt?: string;
}

/** `kargo`: criteria.ts; `v1`: criteria-v1.ts (replay of older histories). */
export type CriteriaRules = 'kargo' | 'v1';

export interface ScanOutcome {
  created?: FreightRecord;
  message?: string;
}

/**
 * Records a successful scan and, when the policy and criteria allow, creates Freight from the
 * newest artifact of every subscription. The same combination never makes a second Freight:
 * the id is derived from the content.
 */
export function recordScanSucceeded(
  state: ProjectState,
  report: ScanSucceeded,
  now: string,
  random: () => number,
  /**
   * Which criteria rules apply, asked only when there is an expression: Kargo's, or the first
   * version's (criteria-v1.ts) for histories recorded before them. The workflow decides with
   * patched().
   */
  criteriaRules: () => CriteriaRules = () => 'kargo',
): ScanOutcome {
  const spec = state.specs.warehouses[report.warehouse]?.spec;
  if (!spec) return { message: `warehouse "${report.warehouse}" no longer exists` };
  const status = (discoveryState(state).warehouses[report.warehouse] ??= {});
  status.lastScan = { at: now, outcome: 'Succeeded' };
  status.discovered = report.found;
  delete status.freightMessage;
  const done = (message?: string, created?: FreightRecord): ScanOutcome => {
    if (message) status.freightMessage = message;
    state.updatedAt = now;
    return { ...(message ? { message } : {}), ...(created ? { created } : {}) };
  };
  if (report.specHash !== warehouseSpecHash(spec)) return done('the spec changed during the scan; the next scan uses the new one');
  const candidate = freightCandidate(report.warehouse, spec, report.found);
  if (!candidate.ok) return done(candidate.reason);
  status.lastFreightID = candidate.id;
  if (state.freight[candidate.id]) return done();
  if ((spec.freightCreationPolicy ?? 'Automatic') === 'Manual') return done('freightCreationPolicy is Manual: assemble Freight from the discovered artifacts');
  const expression = spec.freightCreationCriteria?.expression;
  const criteria =
    expression !== undefined && expression.trim() !== '' && criteriaRules() === 'v1'
      ? freightCreationCriteriaSatisfiedV1(expression, report.found)
      : freightCreationCriteriaSatisfied(expression, report.found);
  if (!criteria.ok) return done(criteria.reason);
  if (!criteria.create) return done('freightCreationCriteria.expression is false for the newest artifacts');
  const taken = new Set(Object.values(state.freight).map((f) => f.alias));
  const record: FreightRecord = {
    name: candidate.id,
    alias: freightAlias(random, taken),
    ...candidate.content,
    discoveredAt: now,
    currentlyIn: {},
    verifiedIn: {},
    approvedFor: {},
  };
  state.freight[candidate.id] = record;
  return done(undefined, record);
}

/** Records why a scan failed; what was found before stays. No Freight is created. */
export function recordScanFailed(state: ProjectState, report: ScanFailed, now: string): void {
  if (!state.specs.warehouses[report.warehouse]) return;
  const status = (discoveryState(state).warehouses[report.warehouse] ??= {});
  status.lastScan = {
    at: now,
    outcome: 'Failed',
    message: report.message,
    attempt: report.attempt,
    ...(report.nextAttemptAt ? { nextAttemptAt: report.nextAttemptAt } : {}),
  };
  state.updatedAt = now;
}

/** Forgets the discovery status of warehouses that no longer exist. */
export function pruneDiscovery(state: ProjectState): void {
  const d = state.discovery;
  if (!d) return;
  for (const name of Object.keys(d.warehouses)) if (!state.specs.warehouses[name]) delete d.warehouses[name];
}

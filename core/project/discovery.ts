/**
 * The pure functions the project workflow applies to its state when a warehouse scan reports:
 * record what was found or why the scan failed, and create Freight as Kargo does. The project
 * workflow stays the single writer; what a scan reports is described in core/warehouse/scan-status.ts.
 */
import { freightAlias } from '../freight/alias.js';
import { freightCreationCriteriaSatisfied } from '../warehouse/criteria.js';
import { freightCreationCriteriaSatisfiedV1 } from '../warehouse/criteria-v1.js';
import { freightCandidate } from '../warehouse/freight-candidate.js';
import { type CriteriaRules, type DiscoveryState, type ScanFailed, type ScanSucceeded, warehouseSpecHash } from '../warehouse/scan-status.js';
import type { FreightRecord, ProjectState } from './state.js';

export function discoveryState(state: ProjectState): DiscoveryState {
  state.discovery ??= { warehouses: {}, schedules: {} };
  return state.discovery;
}

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

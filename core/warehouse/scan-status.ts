/**
 * What a warehouse's scans report and what the project keeps of them (ProjectState.discovery),
 * and the fingerprint that ties a scan to the spec it was made for. Types and one pure hash: the
 * transitions that apply a report to a project's state are in core/project/discovery.ts.
 */
import type { WarehouseSpec } from '../model.js';
import { sha1Hex } from '../hash.js';
import { stableStringify } from '../stable-stringify.js';
import type { DiscoveredArtifacts } from './discovered.js';

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

/**
 * Names for warehouse scans that both sides of the Temporal boundary use: schedule and workflow
 * ids, the scan report signals, and the scan-target query the project workflow answers.
 * Re-exported from definitions.ts; free of side effects.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { WarehouseSpec } from '../core/model.js';
import type { ScanFailed, ScanSucceeded } from '../core/warehouse/scan-status.js';

/** One Temporal Schedule per warehouse. */
export const warehouseScheduleId = (project: string, warehouse: string): string => `warehouse:${project}:${warehouse}`;
/** The scans a schedule starts get this id plus a timestamp (Temporal appends it). */
export const warehouseScanWorkflowId = (project: string, warehouse: string): string => `warehouse-scan:${project}:${warehouse}`;

export interface WarehouseScanInput {
  project: string;
  warehouse: string;
}

/** What a scan needs to know about its warehouse, answered by the project workflow. */
export interface WarehouseScanTarget {
  spec: WarehouseSpec;
  specHash: string;
  intervalMs: number;
}

/** The id of on-demand scans (refresh, webhooks), started or signalled with signal-with-start. */
export const warehouseRescanWorkflowId = (project: string, warehouse: string): string => `warehouse-scan:${project}:${warehouse}:now`;
/** "Scan again once you are done": what a refresh or webhook sends to a running on-demand scan. */
export const warehouseRescanSignal = defineSignal('warehouseRescan');

export const warehouseScanTargetQuery = defineQuery<WarehouseScanTarget | null, [string]>('warehouseScanTarget');
export const warehouseScannedSignal = defineSignal<[ScanSucceeded]>('warehouseScanned');
export const warehouseScanFailedSignal = defineSignal<[ScanFailed]>('warehouseScanFailed');

/**
 * Scanning a warehouse now (refresh, webhooks): signal-with-start of the warehouse's on-demand
 * scan workflow. If one is running, it scans once more when done (so a push during a scan is
 * never missed); otherwise one starts at once, without the schedule's extra hop.
 */
import type { Client } from '@temporalio/client';
import { SEARCH_ATTRIBUTES, warehouseRescanSignal, warehouseRescanWorkflowId } from '../workflows/definitions.js';
import type { RefreshResult } from './backend.js';

export async function refreshWarehouseScan(client: Client, project: string, warehouse: string, taskQueue: string): Promise<RefreshResult> {
  const workflowId = warehouseRescanWorkflowId(project, warehouse);
  await client.workflow.signalWithStart('warehouseScanWorkflow', {
    workflowId,
    taskQueue,
    args: [{ project, warehouse }],
    signal: warehouseRescanSignal,
    signalArgs: [],
    staticSummary: `Scan warehouse ${warehouse} of project ${project} now`,
    typedSearchAttributes: [
      { key: SEARCH_ATTRIBUTES.project, value: project },
      { key: SEARCH_ATTRIBUTES.warehouse, value: warehouse },
    ],
  });
  return { project, warehouse, workflowId };
}

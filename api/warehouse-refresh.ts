/**
 * Scanning a warehouse now (refresh, webhooks): trigger its schedule, so the scan obeys the
 * schedule's overlap rules; when the schedule is not there yet (the project workflow creates it
 * right after an apply), start a scan directly.
 */
import type { Client } from '@temporalio/client';
import { triggerWarehouseScan } from '../activities/schedules/warehouse-schedules.js';
import { SEARCH_ATTRIBUTES, warehouseScanWorkflowId } from '../workflows/definitions.js';
import type { RefreshResult } from './backend.js';

export async function refreshWarehouseScan(client: Client, project: string, warehouse: string, taskQueue: string): Promise<RefreshResult> {
  if (await triggerWarehouseScan(client, project, warehouse)) return { project, warehouse, via: 'schedule' };
  await client.workflow.start('warehouseScanWorkflow', {
    workflowId: `${warehouseScanWorkflowId(project, warehouse)}:refresh`,
    taskQueue,
    args: [{ project, warehouse }],
    workflowIdConflictPolicy: 'USE_EXISTING',
    typedSearchAttributes: [
      { key: SEARCH_ATTRIBUTES.project, value: project },
      { key: SEARCH_ATTRIBUTES.warehouse, value: warehouse },
    ],
  });
  return { project, warehouse, via: 'workflow' };
}

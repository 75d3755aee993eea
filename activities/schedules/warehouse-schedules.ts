/**
 * The Temporal Schedules that scan warehouses: one per warehouse, firing the scan workflow every
 * `spec.interval`, overlapping runs skipped (refresh and webhooks start on-demand scans
 * directly: api/warehouse-refresh.ts). Creating is idempotent (an existing schedule is
 * updated), removing a missing one is fine: the project workflow calls these through activities
 * and retries them until they succeed, so the schedules follow the specs durably.
 */
import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  type Client,
} from '@temporalio/client';
import {
  SEARCH_ATTRIBUTES,
  warehouseScanWorkflowId,
  warehouseScheduleId,
  type WarehouseScanInput,
} from '../../workflows/definitions.js';

export interface WarehouseScheduleOptions {
  project: string;
  warehouse: string;
  intervalMs: number;
  /** The task queue scans run on. */
  taskQueue: string;
}

function scheduleOptions(o: WarehouseScheduleOptions) {
  const args: [WarehouseScanInput] = [{ project: o.project, warehouse: o.warehouse }];
  return {
    spec: { intervals: [{ every: o.intervalMs }] },
    action: {
      type: 'startWorkflow' as const,
      workflowType: 'warehouseScanWorkflow',
      workflowId: warehouseScanWorkflowId(o.project, o.warehouse),
      taskQueue: o.taskQueue,
      args,
      staticSummary: `Scan warehouse ${o.warehouse} of project ${o.project}`,
      typedSearchAttributes: [
        { key: SEARCH_ATTRIBUTES.project, value: o.project },
        { key: SEARCH_ATTRIBUTES.warehouse, value: o.warehouse },
      ],
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 minute', pauseOnFailure: false },
  };
}

/** Creates or updates the schedule; with `triggerNow` a scan also starts at once. */
export async function upsertWarehouseSchedule(client: Client, o: WarehouseScheduleOptions, triggerNow: boolean): Promise<void> {
  const scheduleId = warehouseScheduleId(o.project, o.warehouse);
  const opts = scheduleOptions(o);
  try {
    await client.schedule.create({
      scheduleId,
      ...opts,
      state: { paused: false, triggerImmediately: triggerNow, note: 'managed by Shunt' },
      memo: { project: o.project, warehouse: o.warehouse },
    });
    return;
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  const handle = client.schedule.getHandle(scheduleId);
  await handle.update((prev) => ({ ...prev, spec: opts.spec, action: opts.action, policies: opts.policies, state: { ...prev.state, paused: false } }));
  if (triggerNow) await handle.trigger(ScheduleOverlapPolicy.BUFFER_ONE);
}

export async function removeWarehouseSchedule(client: Client, project: string, warehouse: string): Promise<void> {
  try {
    await client.schedule.getHandle(warehouseScheduleId(project, warehouse)).delete();
  } catch (err) {
    if (!(err instanceof ScheduleNotFoundError)) throw err;
  }
}

/** A deleted warehouse's schedule is paused (Kargo-style: nothing scans it); applying it again resumes it. */
export async function pauseWarehouseSchedule(client: Client, project: string, warehouse: string): Promise<void> {
  try {
    await client.schedule.getHandle(warehouseScheduleId(project, warehouse)).pause(`warehouse ${warehouse} was deleted`);
  } catch (err) {
    if (!(err instanceof ScheduleNotFoundError)) throw err;
  }
}

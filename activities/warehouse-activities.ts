/**
 * The activities of warehouse scans: read the scan target from the project workflow, discover
 * artifacts, and keep the warehouses' Temporal Schedules in line with the specs.
 */
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { WarehouseSpec } from '../core/model.js';
import type { DiscoveredArtifacts } from '../core/warehouse/discovered.js';
import type { ScheduleUpsert } from '../core/warehouse/schedules.js';
import { projectWorkflowId, warehouseScanTargetQuery, type WarehouseScanInput, type WarehouseScanTarget } from '../workflows/definitions.js';
import type { ProjectCredentials } from './adapters/credentials.js';
import type { GitService } from './adapters/git/git-service.js';
import { redact } from './adapters/git/redact.js';
import { egressRefusal } from './adapters/egress/egress-connect.js';
import { ImageInfoCache } from './adapters/oci/image-cache.js';
import { discoverWarehouse } from './discovery/warehouse.js';
import { removeWarehouseSchedule, pauseWarehouseSchedule, upsertWarehouseSchedule } from './schedules/warehouse-schedules.js';

export interface WarehouseActivityDeps {
  /** A project's credentials: its namespace's, then the shared namespace's. */
  credentials: ProjectCredentials;
  git: GitService;
  /** Talks to Temporal for schedules and the scan-target query; absent in plain activity tests. */
  temporal?: { client: Client; taskQueue: string } | undefined;
  imageCache?: ImageInfoCache;
  /** Per registry / chart repository request (default 30 s). */
  registryTimeoutMs?: number;
}

export interface DiscoverArtifactsInput {
  project: string;
  warehouse: string;
  spec: WarehouseSpec;
}

export interface ApplyWarehouseSchedulesInput {
  project: string;
  upsert: ScheduleUpsert[];
  /** Warehouses gone from the specs: their schedules are paused (deleted with `purge`). */
  remove: string[];
  /** The project is being deleted: delete the schedules instead of pausing them. */
  purge?: boolean;
}

export interface WarehouseActivities {
  loadWarehouseScanTarget(input: WarehouseScanInput): Promise<WarehouseScanTarget | null>;
  discoverArtifacts(input: DiscoverArtifactsInput): Promise<DiscoveredArtifacts>;
  applyWarehouseSchedules(input: ApplyWarehouseSchedulesInput): Promise<void>;
  removeWarehouseSchedule(input: WarehouseScanInput): Promise<void>;
}

function heartbeat(): void {
  try {
    Context.current().heartbeat();
  } catch {
    /* outside an activity */
  }
}

function cancellation(): AbortSignal | undefined {
  try {
    return Context.current().cancellationSignal;
  } catch {
    return undefined;
  }
}

export function createWarehouseActivities(deps: WarehouseActivityDeps): WarehouseActivities {
  const imageCache = deps.imageCache ?? new ImageInfoCache();
  const temporal = (): { client: Client; taskQueue: string } => {
    if (!deps.temporal) throw ApplicationFailure.create({ type: 'Internal', message: 'this worker has no Temporal client for warehouse schedules', nonRetryable: true });
    return deps.temporal;
  };
  return {
    async loadWarehouseScanTarget(input) {
      const { client } = temporal();
      try {
        return await client.workflow.getHandle(projectWorkflowId(input.project)).query(warehouseScanTargetQuery, input.warehouse);
      } catch (err) {
        if ((err as Error).name === 'WorkflowNotFoundError') return null;
        throw err;
      }
    },

    async discoverArtifacts(input) {
      const signal = cancellation();
      try {
        return await discoverWarehouse(input.spec, {
          credentials: deps.credentials.forProject(input.project),
          imageCache,
          git: deps.git,
          ...(deps.registryTimeoutMs ? { timeoutMs: deps.registryTimeoutMs } : {}),
          ...(signal ? { signal } : {}),
          heartbeat,
        });
      } catch (err) {
        const message = redact(err instanceof Error ? err.message : String(err));
        const bad = err instanceof Error && err.name === 'BadSubscription';
        // A subscription that cannot work as written, or whose address the egress policy
        // refuses, is not retried; anything else may pass.
        if (egressRefusal(err)) throw ApplicationFailure.create({ type: 'PermissionDenied', message, nonRetryable: true });
        throw ApplicationFailure.create({ type: bad ? 'InvalidManifest' : 'Unavailable', message, nonRetryable: bad });
      }
    },

    async applyWarehouseSchedules(input) {
      const { client, taskQueue } = temporal();
      for (const u of input.upsert) {
        await upsertWarehouseSchedule(client, { project: input.project, warehouse: u.warehouse, intervalMs: u.intervalMs, taskQueue }, u.triggerNow);
      }
      for (const name of input.remove) {
        if (input.purge) await removeWarehouseSchedule(client, input.project, name);
        else await pauseWarehouseSchedule(client, input.project, name);
      }
    },

    async removeWarehouseSchedule(input) {
      await removeWarehouseSchedule(temporal().client, input.project, input.warehouse);
    },
  };
}

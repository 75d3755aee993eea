/**
 * warehouseScanWorkflow: one scan of one warehouse, started by its Temporal Schedule (every
 * `spec.interval`), by `shunt refresh` or by a webhook (both trigger the schedule). It reads the
 * current spec from the project workflow, discovers artifacts, and reports to the project
 * workflow, which records them and creates Freight.
 *
 * A failed discovery is reported at once (the warehouse's status says why) and retried with
 * backoff until the next scheduled scan would be due; nothing partial is ever reported as found.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  getExternalWorkflowHandle,
  proxyActivities,
  setHandler,
  sleep,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import {
  projectWorkflowId,
  warehouseScanFailedSignal,
  warehouseRescanSignal,
  warehouseScannedSignal,
  type WarehouseScanInput,
} from './definitions.js';

const control = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 20 },
});

const discovery = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '2 minutes',
  // The workflow retries itself, so each failure reaches the warehouse's status.
  retry: { maximumAttempts: 1 },
});

/** First wait after a failed discovery; doubled each time, up to MAX_BACKOFF_MS. */
export const FIRST_BACKOFF_MS = 1000;
export const MAX_BACKOFF_MS = 60_000;

export async function warehouseScanWorkflow(input: WarehouseScanInput): Promise<void> {
  // A refresh or webhook arriving while this scan runs asks for one more scan afterwards, so a
  // push that lands mid-scan is never missed.
  let again = false;
  setHandler(warehouseRescanSignal, () => {
    again = true;
  });
  do {
    await scanOnce(input, () => {
      again = false;
    });
  } while (again);
}

/** One scan with its retries; `started` is called once the scan target is read. */
async function scanOnce(input: WarehouseScanInput, loaded: () => void): Promise<void> {
  const project = getExternalWorkflowHandle(projectWorkflowId(input.project));
  const started = Date.now();
  let backoff = FIRST_BACKOFF_MS;
  for (let attempt = 1; ; attempt++) {
    const target = await control.loadWarehouseScanTarget(input);
    // Anything that asked for a scan before now is covered by the discovery that follows.
    loaded();
    if (target === null) {
      // The warehouse (or its project) is gone: its schedule has no more work.
      await control.removeWarehouseSchedule(input);
      return;
    }
    try {
      const found = await discovery.discoverArtifacts({ ...input, spec: target.spec });
      await project.signal(warehouseScannedSignal, { warehouse: input.warehouse, specHash: target.specHash, found });
      return;
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      const cause = err.cause;
      const message = cause?.message ?? err.message;
      const terminal = cause instanceof ApplicationFailure && cause.nonRetryable;
      const retry = !terminal && Date.now() - started + backoff < target.intervalMs;
      await project.signal(warehouseScanFailedSignal, {
        warehouse: input.warehouse,
        message,
        attempt,
        ...(retry ? { nextAttemptAt: new Date(Date.now() + backoff).toISOString() } : {}),
      });
      if (!retry) return;
      await sleep(backoff);
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    }
  }
}

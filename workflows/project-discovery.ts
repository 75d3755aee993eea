/**
 * The project workflow's part in warehouse discovery (registered from project.ts):
 *
 * - answers the scan-target query (a scan reads the current spec from here);
 * - applies scan reports: discovered artifacts and last-scan outcome into `state.discovery`,
 *   Freight created as Kargo does (core/project/discovery.ts);
 * - keeps each warehouse's Temporal Schedule in line with the specs, through an activity that
 *   is retried until it succeeds; what was applied is kept in the state, so the work resumes
 *   after a crash or continue-as-new.
 */
import { CancellationScope, condition, log, patched, proxyActivities, setHandler, sleep } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { Warehouse } from '../core/model.js';
import type { ProjectState } from '../core/project/state.js';
import { discoveryState, pruneDiscovery, recordScanFailed, recordScanSucceeded } from '../core/project/discovery.js';
import { type CriteriaRules, warehouseSpecHash } from '../core/warehouse/scan-status.js';
import { hasScheduleChanges, scheduleChanges, scheduleFingerprint, warehouseIntervalMs, type ScheduleChanges } from '../core/warehouse/schedules.js';
import { warehouseScanFailedSignal, warehouseScannedSignal, warehouseScanTargetQuery } from './definitions.js';

const schedules = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/** On project deletion: a few tries, then the schedules are left to remove themselves. */
const finalRemoval = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '5 seconds', maximumAttempts: 3 },
});

export interface WarehouseDiscovery {
  /** The project is being deleted: remove every schedule. */
  projectDeleted(): void;
  /** Resolves once schedule work is done (after projectDeleted: once every schedule is gone). */
  drained(): Promise<void>;
}

/** Freight creation criteria with Kargo's checks (core/warehouse/criteria.ts) since this patch. */
export const KARGO_CRITERIA_PATCH = 'kargo-freight-creation-criteria';
const criteriaRules = (): CriteriaRules => (patched(KARGO_CRITERIA_PATCH) ? 'kargo' : 'v1');

export function registerWarehouseDiscovery(state: ProjectState, onChange: () => void): WarehouseDiscovery {
  setHandler(warehouseScanTargetQuery, (name) => {
    const w = state.specs.warehouses[name];
    return w ? { spec: w.spec, specHash: warehouseSpecHash(w.spec), intervalMs: warehouseIntervalMs(w) } : null;
  });
  setHandler(warehouseScannedSignal, (report) => {
    const outcome = recordScanSucceeded(state, report, new Date().toISOString(), Math.random, criteriaRules);
    if (outcome.created) log.info('freight created', { warehouse: report.warehouse, freight: outcome.created.name, alias: outcome.created.alias });
    onChange();
  });
  setHandler(warehouseScanFailedSignal, (report) => {
    recordScanFailed(state, report, new Date().toISOString());
    onChange();
  });

  let deleting = false;
  let busy = false;
  let done = false;
  let current: CancellationScope | undefined;
  // Specs are replaced (never mutated) on apply, so their fingerprints can be cached by identity.
  const fingerprints = new WeakMap<Warehouse, string>();
  const fingerprint = (w: Warehouse): string => {
    let f = fingerprints.get(w);
    if (f === undefined) fingerprints.set(w, (f = scheduleFingerprint(w)));
    return f;
  };
  const pending = (): ScheduleChanges => {
    const applied = discoveryState(state).schedules;
    return deleting ? { upsert: [], remove: Object.keys(applied).sort() } : scheduleChanges(state.specs.warehouses, applied, fingerprint);
  };

  const run = async (): Promise<void> => {
    for (;;) {
      await condition(() => hasScheduleChanges(pending()) || (deleting && !hasScheduleChanges(pending())));
      const changes = pending();
      if (!hasScheduleChanges(changes)) break; // deleting, and nothing left to remove
      busy = true;
      try {
        if (deleting) {
          // A scan whose project is gone removes its own schedule (warehouse-scan.ts), so a
          // removal that keeps failing must not hold the deletion up.
          await finalRemoval.applyWarehouseSchedules({ project: state.project, ...changes, purge: true }).catch((err: unknown) => {
            log.warn('warehouse schedules not removed; each removes itself at its next scan', { error: err instanceof Error ? err.message : String(err) });
          });
          break;
        }
        current = new CancellationScope();
        await current.run(() => schedules.applyWarehouseSchedules({ project: state.project, ...changes }));
        const applied = discoveryState(state).schedules;
        for (const u of changes.upsert) applied[u.warehouse] = u.fingerprint;
        for (const name of changes.remove) delete applied[name];
        pruneDiscovery(state);
        onChange();
      } catch (err) {
        if (deleting) continue;
        log.warn('warehouse schedules not applied; trying again', { error: err instanceof Error ? err.message : String(err) });
        await sleep('30 seconds');
      } finally {
        current = undefined;
        busy = false;
      }
    }
    done = true;
  };
  // Project histories recorded before warehouse schedules existed never ran this loop.
  if (patched('warehouse-schedules')) void run();
  else done = true;

  return {
    projectDeleted: () => {
      deleting = true;
      // Stop applying the old set; the loop then removes every schedule.
      current?.cancel();
    },
    drained: async () => {
      await condition(() => done || (!deleting && !busy));
    },
  };
}

/**
 * warehouseScanWorkflow with the real project workflow and stub discovery activities: a refresh
 * during a running scan makes exactly one more scan; a failing discovery is reported with its
 * reason and retried with backoff until it succeeds; no partial result is ever reported.
 */
import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { DiscoverArtifactsInput } from '../../activities/warehouse-activities.js';
import { refreshWarehouseScan } from '../../api/warehouse-refresh.js';
import type { TemporalBackend } from '../../api/temporal-backend.js';
import type { DiscoveredArtifacts } from '../../core/warehouse/discovered.js';
import { warehouseSpecHash } from '../../core/warehouse/scan-status.js';
import { warehouseRescanWorkflowId } from '../../workflows/definitions.js';
import { CallLog, Gate } from '../support/deferred.js';
import { aProject, aWarehouse, WAREHOUSE, yamlOf } from '../support/manifests.js';
import { eventually } from '../support/poll.js';
import { uniqueName } from '../support/temporal.js';
import { startWorkflowHarness, type WorkflowHarness } from '../support/workflow-harness.js';

const namespace = 'warehouse';
// A fixed queue: the suite's cluster workflow lives on it across runs against one server.
const taskQueue = 'warehouse-scan-test';
const project = uniqueName('scan');
let harness: WorkflowHarness;
let client: Client;
let backend: TemporalBackend;

const calls = new CallLog<DiscoverArtifactsInput>();
/** Discoveries wait while it is closed. */
const gate = new Gate();
let failuresLeft = 0;
let tag = '1.0.0';

const found = (t: string): DiscoveredArtifacts => ({
  discoveredAt: new Date().toISOString(),
  subscriptions: [{ kind: 'image', repoURL: 'reg.test/app', images: [{ tag: t, digest: `sha256:${t}` }] }],
});

beforeAll(async () => {
  harness = await startWorkflowHarness({
    namespace,
    taskQueue,
    activities: {
      loadWarehouseScanTarget: async (input: { project: string; warehouse: string }) => {
        const state = await backend.getProject(input.project);
        const w = state.specs.warehouses[input.warehouse];
        return w ? { spec: w.spec, specHash: warehouseSpecHash(w.spec), intervalMs: 3_600_000 } : null;
      },
      discoverArtifacts: async (input: DiscoverArtifactsInput) => {
        calls.record(input);
        await gate.pass();
        if (failuresLeft > 0) {
          failuresLeft--;
          throw ApplicationFailure.create({ type: 'Unavailable', message: 'registry reg.test answered 503 to GET /v2/app/tags/list' });
        }
        return found(tag);
      },
    },
  });
  ({ client, backend } = harness);
  const manifests = yamlOf(aProject(project), aWarehouse(WAREHOUSE, { project, image: 'reg.test/app' }));
  await backend.apply([{ name: 'p.yaml', content: manifests }], { dryRun: false });
});

afterAll(async () => {
  await harness?.stop();
});

const freightTags = async (): Promise<string[]> => Object.values((await backend.getProject(project)).freight).map((f) => f.images[0]?.tag ?? '');

describe('warehouseScanWorkflow', () => {
  it('scans once more when asked during a scan, and makes Freight of the newest', async () => {
    gate.close(); // hold the first discovery
    await refreshWarehouseScan(client, project, 'app', taskQueue);
    await calls.reached(1, 'the first discovery');
    tag = '1.1.0';
    await refreshWarehouseScan(client, project, 'app', taskQueue);
    await refreshWarehouseScan(client, project, 'app', taskQueue);
    gate.open();
    await client.workflow.getHandle(warehouseRescanWorkflowId(project, 'app')).result();
    expect(calls.calls).toHaveLength(2);
    expect((await freightTags()).sort()).toEqual(['1.1.0']);
  });

  it('reports each failure with its reason, retries with backoff, then recovers', async () => {
    calls.clear();
    failuresLeft = 2;
    tag = '1.2.0';
    await refreshWarehouseScan(client, project, 'app', taskQueue);
    const failed = await eventually(async () => {
      const s = (await backend.getProject(project)).discovery?.warehouses['app']?.lastScan;
      return s?.outcome === 'Failed' ? s : undefined;
    }, 'a failed scan');
    expect(failed).toMatchObject({ message: 'registry reg.test answered 503 to GET /v2/app/tags/list', attempt: expect.any(Number), nextAttemptAt: expect.any(String) });
    expect(await freightTags()).not.toContain('1.2.0');
    await client.workflow.getHandle(warehouseRescanWorkflowId(project, 'app')).result();
    expect(calls.calls).toHaveLength(3);
    expect(await freightTags()).toContain('1.2.0');
    expect((await backend.getProject(project)).discovery?.warehouses['app']?.lastScan?.outcome).toBe('Succeeded');
  });
});

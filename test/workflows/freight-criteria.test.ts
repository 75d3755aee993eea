/**
 * The project workflow creates Freight from scan reports under Kargo's freight creation criteria
 * (core/warehouse/criteria.ts), behind the `kargo-freight-creation-criteria` patch: the history
 * saved here replays in test/replay with the patch marker in it.
 */
import type { Client } from '@temporalio/client';
import type { TemporalBackend } from '../../api/temporal-backend.js';
import type { DiscoveredArtifacts } from '../../core/warehouse/discovered.js';
import { projectWorkflowId } from '../../workflows/definitions.js';
import { KARGO_CRITERIA_PATCH } from '../../workflows/project-discovery.js';
import { warehouseScannedSignal, warehouseScanTargetQuery } from '../../workflows/warehouse-definitions.js';
import { patchIds, saveHistory } from '../support/histories.js';
import { aProject, aWarehouse, WAREHOUSE, yamlOf } from '../support/manifests.js';
import { eventually } from '../support/poll.js';
import { startWorkflowHarness, type WorkflowHarness } from '../support/workflow-harness.js';

let harness: WorkflowHarness;
let client: Client;
let backend: TemporalBackend;

beforeAll(async () => {
  harness = await startWorkflowHarness({ namespace: 'freight-criteria', activities: {} });
  ({ client, backend } = harness);
});

afterAll(async () => {
  await harness?.stop();
});

const manifests = (project: string, expression: string): string =>
  yamlOf(aProject(project), aWarehouse(WAREHOUSE, { project, spec: { freightCreationCriteria: { expression } } }));

const found = (tag: string): DiscoveredArtifacts => ({
  discoveredAt: '2026-01-01T00:00:00Z',
  subscriptions: [{ kind: 'image', repoURL: 'ghcr.io/example/app', images: [{ tag, digest: `sha256:${tag.padEnd(64, '0')}` }] }],
});

interface ScanView {
  freight: number;
  message: string | undefined;
  scans: string | undefined;
}

async function scan(project: string, tag: string): Promise<ScanView> {
  const handle = client.workflow.getHandle(projectWorkflowId(project));
  const target = await handle.query(warehouseScanTargetQuery, 'app');
  const before = (await backend.getProject(project)).discovery?.warehouses['app']?.lastScan?.at;
  await handle.signal(warehouseScannedSignal, { warehouse: 'app', specHash: target!.specHash, found: found(tag) });
  return eventually(async () => {
    const state = await backend.getProject(project);
    const status = state.discovery?.warehouses['app'];
    if (status?.lastScan?.at === undefined || status.lastScan.at === before) return undefined;
    return { freight: Object.keys(state.freight).length, message: status.freightMessage, scans: status.lastScan.at };
  }, 'the scan report applied');
}

describe('freight creation criteria in the project workflow', () => {
  it("creates Freight only when Kargo's criteria hold, and says why not", async () => {
    await backend.apply([{ name: 'p.yaml', content: manifests('crit', "imageFrom('ghcr.io/example/app').Tag != 'latest'") }], { dryRun: false });

    expect(await scan('crit', 'latest')).toMatchObject({ freight: 0, message: 'freightCreationCriteria.expression is false for the newest artifacts' });
    expect(await scan('crit', '1.0.0')).toMatchObject({ freight: 1, message: undefined });

    await backend.apply([{ name: 'p.yaml', content: manifests('crit', "imageFrom('ghcr.io/example/app', 'x').Tag != ''") }], { dryRun: false });
    const refused = await scan('crit', '1.1.0');
    expect(refused.freight).toBe(1);
    expect(refused.message).toBe(
      "freightCreationCriteria.expression: error compiling expression: too many arguments to call imageFrom at position 0 in `imageFrom('ghcr.io/example/app', 'x').Tag != ''`",
    );

    const history = await client.workflow.getHandle(projectWorkflowId('crit')).fetchHistory();
    expect(patchIds(history.events ?? [])).toContain(KARGO_CRITERIA_PATCH);
    await saveHistory(client, projectWorkflowId('crit'), 'project', 'freight-creation-criteria');
  });
});

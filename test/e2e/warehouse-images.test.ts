/**
 * Warehouses end to end, over the real parts: a Temporal dev server, Shunt's workers and api
 * in-process, Debian's docker-registry with images the test pushes itself. A warehouse gets a
 * Schedule, its first scan makes Freight, `shunt refresh` scans at once, the same combination
 * never makes a second Freight, a registry outage shows in the status and heals by itself, and
 * deleting the warehouse pauses its schedule.
 */
import { warehouseScheduleId } from '../../workflows/definitions.js';
import { shunt, type CliResult } from '../support/cli.js';
import { pushImage } from '../support/oci-images.js';
import { startRegistry, type TestRegistry } from '../support/oci-registry.js';
import { eventually } from '../support/poll.js';
import { scenario } from '../support/scenario.js';
import { startShuntStack, type ShuntStack } from '../support/shunt-stack.js';
import { uniqueName } from '../support/temporal.js';
import { saveHistory } from '../support/histories.js';

interface FreightView {
  metadata: { name: string };
  alias: string;
  images?: { repoURL: string; tag: string; digest: string }[];
}
interface WarehouseView {
  status: {
    lastFreightID?: string;
    message?: string;
    lastScan?: { at: string; outcome: string; message?: string; attempt?: number; nextAttemptAt?: string };
    discoveredArtifacts?: { images: { repoURL: string; references: { tag: string; digest: string; createdAt?: string }[] }[] };
  };
}

describe('warehouse image discovery (e2e)', () => {
  let stack: ShuntStack;
  let registry: TestRegistry;
  const project = uniqueName('wh');
  const { given } = scenario(() => stack.url);

  beforeAll(async () => {
    [stack, registry] = await Promise.all([startShuntStack({ namespace: 'warehouse-e2e' }), startRegistry()]);
  });
  afterAll(async () => {
    await stack?.stop();
    await registry?.dispose();
  });

  async function api<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const res = await fetch(`${stack.url}/api/v1${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as T };
  }
  const freight = async (): Promise<FreightView[]> => (await api<{ items: FreightView[] }>('GET', `/projects/${project}/freight`)).body.items;
  const warehouse = async (): Promise<WarehouseView> => (await api<WarehouseView>('GET', `/projects/${project}/warehouses/app`)).body;
  const cli = (...argv: string[]): Promise<CliResult> => shunt([...argv, '--server', stack.url]);
  /** The newest scan of the warehouse that has finished (for saving its history). */
  const newestScan = async (): Promise<string> =>
    eventually(async () => {
      for await (const wf of stack.client.workflow.list({ query: `WorkflowType = 'warehouseScanWorkflow' AND ShuntProject = '${project}' AND ExecutionStatus = 'Completed'` })) {
        return wf.workflowId;
      }
      return undefined;
    }, 'a finished scan');
  const scannedAfter = async (at: string | undefined): Promise<WarehouseView> =>
    eventually(async () => {
      const w = await warehouse();
      return w.status.lastScan && w.status.lastScan.at !== at ? w : undefined;
    }, 'a new scan report');

  it('scans on apply, on refresh, and keeps one Freight per combination', async () => {
    const repo = `${registry.host}/team/app`;
    const d100 = await pushImage(registry.host, 'team/app', '1.0.0', { created: '2024-01-01T00:00:00Z', content: 'a' });
    await pushImage(registry.host, 'team/app', 'latest', { content: 'latest' });
    await given.aProject(project, {
      warehouse: { subscriptions: [{ image: { repoURL: repo, imageSelectionStrategy: 'SemVer', discoveryLimit: 5 } }], spec: { interval: '1h' } },
    });

    // The new warehouse's schedule scans at once.
    const first = await eventually(async () => ((await freight()).length === 1 ? (await freight())[0] : undefined), 'the first freight');
    expect(first.images).toEqual([{ repoURL: repo, tag: '1.0.0', digest: d100 }]);
    const described = await stack.client.schedule.getHandle(warehouseScheduleId(project, 'app')).describe();
    expect(described.spec.intervals).toEqual([expect.objectContaining({ every: 3_600_000 })]);
    expect(described.policies.overlap).toBe('SKIP');
    let w = await warehouse();
    expect(w.status.lastFreightID).toBe(first.metadata.name);
    expect(w.status.discoveredArtifacts?.images[0]?.references.map((r) => r.tag)).toEqual(['1.0.0']);

    // A new version, then `shunt refresh`: new Freight at once.
    const d110 = await pushImage(registry.host, 'team/app', '1.1.0', { created: '2024-02-01T00:00:00Z', content: 'b' });
    const refreshed = await cli('refresh', 'warehouse', 'app', '--project', project);
    expect(refreshed).toMatchObject({ code: 0, stdout: expect.stringContaining('warehouse/app refresh requested') });
    const second = await eventually(async () => (await freight()).find((f) => f.images?.[0]?.tag === '1.1.0'), 'freight for 1.1.0');
    expect(second.images?.[0]?.digest).toBe(d110);

    // Nothing new: a scan makes no second Freight for the same combination.
    w = await warehouse();
    await cli('refresh', 'warehouse', 'app', '--project', project);
    w = await scannedAfter(w.status.lastScan?.at);
    expect(w.status.lastScan?.outcome).toBe('Succeeded');
    expect((await freight()).length).toBe(2);
    expect(w.status.discoveredArtifacts?.images[0]?.references.map((r) => r.tag)).toEqual(['1.1.0', '1.0.0']);
    await saveHistory(stack.client, await newestScan(), 'warehouse-scan', 'nothing-new');
  });

  it('says why a scan fails, creates nothing, and recovers by itself', async () => {
    const before = (await freight()).length;
    let w = await warehouse();
    await registry.stop();
    expect((await cli('refresh', 'warehouse', 'app', '--project', project)).code).toBe(0);
    w = await eventually(async () => {
      const now = await warehouse();
      return now.status.lastScan?.outcome === 'Failed' ? now : undefined;
    }, 'a failed scan in the status');
    expect(w.status.lastScan?.message).toMatch(/cannot reach registry 127\.0\.0\.1:\d+: connection refused/);
    expect(w.status.lastScan?.nextAttemptAt).toBeDefined();
    expect((await freight()).length).toBe(before);
    // Still what the last good scan found.
    expect(w.status.discoveredArtifacts?.images[0]?.references[0]?.tag).toBe('1.1.0');

    await registry.start();
    await pushImage(registry.host, 'team/app', '1.2.0', { content: 'c' });
    // No refresh: the scan's own backoff retry finds it.
    const healed = await eventually(async () => (await freight()).find((f) => f.images?.[0]?.tag === '1.2.0'), 'freight after recovery', 90_000);
    expect(healed).toBeDefined();
    expect((await warehouse()).status.lastScan?.outcome).toBe('Succeeded');
    await saveHistory(stack.client, await newestScan(), 'warehouse-scan', 'fails-then-recovers');
    await saveHistory(stack.client, `project:${project}`, 'project', 'warehouse-discovery');
  });

  it('refuses to refresh what does not exist', async () => {
    const unknownWarehouse = await api<{ error: { code: string; message: string } }>('POST', `/projects/${project}/warehouses/nope/refresh`, {});
    expect(unknownWarehouse.status).toBe(404);
    expect(unknownWarehouse.body.error.message).toBe(`warehouse "nope" not found in project "${project}"`);
    const unknownProject = await cli('refresh', 'warehouse', 'app', '--project', 'no-such-project');
    expect(unknownProject.code).toBe(1);
    expect(unknownProject.stderr).toContain('project "no-such-project" not found');
    const noProject = await cli('refresh', 'warehouse', 'app');
    expect(noProject.stderr).toContain('--project is required to refresh a warehouse');
    const unknownStage = await cli('refresh', 'stage', 'app', '--project', project);
    expect(unknownStage.stderr).toContain(`stage "app" not found in project "${project}"`);
    const wrongKind = await cli('refresh', 'promotion', 'app', '--project', project);
    expect(wrongKind.stderr).toContain('cannot refresh "promotion": only a warehouse or a stage can be refreshed');
  });

  it('pauses the schedule when the warehouse is deleted', async () => {
    const deleted = await api('DELETE', `/projects/${project}/warehouses/app`);
    expect(deleted.status).toBe(200);
    const paused = await eventually(async () => {
      const d = await stack.client.schedule.getHandle(warehouseScheduleId(project, 'app')).describe();
      return d.state.paused ? d.state : undefined;
    }, 'the schedule to be paused');
    expect(paused.note).toBe('warehouse app was deleted');
  });
});

/**
 * Fault: the image registry answering 5xx, then hanging (no answer: the client's timeout), then
 * healthy again. Debian's docker-registry sits behind a proxy the test controls; the warehouse
 * scans through it. Each failed scan says why in the warehouse status and creates nothing; the
 * scan's own retry finds the new image once the registry is back, and no scan ever makes a
 * second Freight for the same image.
 */
import { GatedProxy } from '../support/gated-proxy.js';
import { Disposer } from '../support/git-repos.js';
import { aProject, aWarehouse, WAREHOUSE, yamlOf } from '../support/manifests.js';
import { pushImage } from '../support/oci-images.js';
import { startRegistry, type TestRegistry } from '../support/oci-registry.js';
import { eventually } from '../support/poll.js';
import { ShuntApi } from '../support/shunt-api.js';
import { startShuntStack, type ShuntStack } from '../support/shunt-stack.js';

const PROJECT = 'flaky-registry';
const disposer = new Disposer();
let stack: ShuntStack;
let registry: TestRegistry;
let proxy: GatedProxy;
const api = new ShuntApi(() => stack.url);

interface WarehouseView {
  status: { lastScan?: { at: string; outcome: string; message?: string; nextAttemptAt?: string } };
}

const warehouse = async (): Promise<WarehouseView> => (await api.request<WarehouseView>('GET', `/api/v1/projects/${PROJECT}/warehouses/app`)).body;
const tags = async (): Promise<string[]> => (await api.freight(PROJECT)).map((f) => f.images[0]!.tag).sort();

async function refresh(): Promise<void> {
  const res = await api.request('POST', `/api/v1/projects/${PROJECT}/warehouses/app/refresh`, {});
  if (res.status >= 300) throw new Error(`refresh answered ${res.status}: ${JSON.stringify(res.body)}`);
}

/** Waits for a failed scan reported after `after`; returns its message. */
async function failedScan(after: string | undefined): Promise<string> {
  const w = await eventually(async () => {
    const now = await warehouse();
    return now.status.lastScan && now.status.lastScan.at !== after && now.status.lastScan.outcome === 'Failed' ? now : undefined;
  }, 'a failed scan in the warehouse status', 120_000);
  expect(w.status.lastScan?.nextAttemptAt).toBeDefined();
  return w.status.lastScan?.message ?? '';
}

async function freightFor(tag: string): Promise<void> {
  await eventually(async () => ((await tags()).includes(tag) ? true : undefined), `freight for ${tag} once the registry is back`, 180_000);
}

beforeAll(async () => {
  [stack, registry] = await Promise.all([startShuntStack({ namespace: 'fault-registry' }), startRegistry()]);
  disposer.add(() => stack.stop());
  disposer.add(() => registry.stop());
  proxy = new GatedProxy(`http://${registry.host}`);
  await proxy.start();
  disposer.add(() => proxy.stop());
  await pushImage(registry.host, 'team/app', '1.0.0', { content: 'a' });
  const host = proxy.baseURL.replace('http://', '');
  await api.apply(
    'registry.yaml',
    yamlOf(
      aProject(PROJECT),
      aWarehouse(WAREHOUSE, {
        project: PROJECT,
        subscriptions: [{ image: { repoURL: `${host}/team/app`, imageSelectionStrategy: 'SemVer', discoveryLimit: 5 } }],
        spec: { interval: '1h' },
      }),
    ),
  );
  await freightFor('1.0.0');
}, 180_000);

afterAll(async () => {
  proxy?.up();
  await disposer.dispose();
}, 60_000);

describe('registry faults during scans', () => {
  it('a registry answering 503: the scan fails saying so, creates nothing, and retries until it finds the new image', async () => {
    const before = (await warehouse()).status.lastScan?.at;
    proxy.failWith(503);
    await pushImage(registry.host, 'team/app', '1.1.0', { content: 'b' });
    await refresh();
    expect(await failedScan(before)).toMatch(/503/);
    expect(await tags()).toEqual(['1.0.0']);
    proxy.up();
    await freightFor('1.1.0');
    expect(await tags()).toEqual(['1.0.0', '1.1.0']);
  });

  it('a registry that does not answer: the scan times out saying so, and retries until it finds the new image', async () => {
    const before = (await warehouse()).status.lastScan?.at;
    proxy.stall();
    await pushImage(registry.host, 'team/app', '1.2.0', { content: 'c' });
    await refresh();
    expect(await failedScan(before)).toMatch(/did not answer within \d+s/);
    expect(await tags()).toEqual(['1.0.0', '1.1.0']);
    proxy.up();
    await freightFor('1.2.0');
  });

  it('makes no second Freight for an image it already has', async () => {
    const before = (await warehouse()).status.lastScan?.at;
    await refresh();
    await eventually(async () => {
      const now = await warehouse();
      return now.status.lastScan && now.status.lastScan.at !== before && now.status.lastScan.outcome === 'Succeeded' ? true : undefined;
    }, 'another successful scan');
    expect(await tags()).toEqual(['1.0.0', '1.1.0', '1.2.0']);
  });
});

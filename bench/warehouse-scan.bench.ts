/**
 * Warehouse discovery benchmarks (issue 3):
 *
 * - a scan of an image repository with 5,000 tags (SemVer, discoveryLimit 20) against Debian's
 *   docker-registry: cold (first scan: tag list, 20 manifests and configs) and warm (a later scan:
 *   the tag list and one digest HEAD per kept tag, no manifest fetched again); target < 2 s;
 * - the time from a webhook call (Docker Hub receiver) to the new Freight existing, through the
 *   whole stack (api, Temporal Schedule trigger, scan workflow, project workflow); target < 1 s
 *   at the median.
 *
 * Uses TEMPORAL_ADDRESS when set, else starts a Temporal dev server of its own.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ImageInfoCache } from '../activities/adapters/oci/image-cache.js';
import type { OciClient } from '../activities/adapters/oci/client.js';
import { discoverImages } from '../activities/discovery/images.js';
import { freePort } from '../launcher/free-port.js';
import { resolveTemporalTool } from '../launcher/temporal-binary.js';
import { startEmbeddedTemporal, type EmbeddedTemporal } from '../launcher/embedded-temporal.js';
import { aCredentialSecret, aProject, aProjectConfig, aWarehouse, WAREHOUSE, yamlOf } from '../test/support/manifests.js';
import { pushImage, tagManifest } from '../test/support/oci-images.js';
import { startRegistry } from '../test/support/oci-registry.js';
import { startShuntStack } from '../test/support/shunt-stack.js';
import type { BenchContext, BenchFigure, BenchModule } from './types.js';

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const p95 = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(s.length * 0.95) - 1)]!;
};

async function scanFigures(ctx: BenchContext, host: string): Promise<BenchFigure[]> {
  const tagCount = ctx.quick ? 500 : 5000;
  ctx.log(`pushing ${tagCount} tags`);
  await pushImage(host, 'bench/app', 'seed', { content: 'bench' });
  const tags = Array.from({ length: tagCount }, (_, i) => `${Math.floor(i / 100)}.${i % 100}.0`);
  await tagManifest(host, 'bench/app', 'seed', tags);
  // Distinct content for the newest versions, so the cold scan reads distinct manifests.
  for (let i = 0; i < 20; i++) await pushImage(host, 'bench/app', `${tagCount}.${i}.0`, { content: `top-${i}` });

  const sub = { repoURL: `${host}/bench/app`, discoveryLimit: 20 };
  const runs = ctx.quick ? 2 : 7;
  const cold: number[] = [];
  const warm: number[] = [];
  let warmManifestGets = 0;
  let warmHeads = 0;
  for (let r = 0; r < runs; r++) {
    const cache = new ImageInfoCache();
    let t = performance.now();
    await discoverImages(sub, { cache, credentials: undefined });
    cold.push(performance.now() - t);
    const clients: OciClient[] = [];
    t = performance.now();
    const found = await discoverImages(sub, { cache, credentials: undefined, onClient: (c) => clients.push(c) });
    warm.push(performance.now() - t);
    warmManifestGets += clients[0]!.counts.manifestGets;
    warmHeads = clients[0]!.counts.manifestHeads;
    if (found.length !== 20) throw new Error(`expected 20 images, found ${found.length}`);
  }
  const target = { op: '<' as const, value: 2000 };
  return [
    { name: `warehouse-scan.${tagCount}-tags.cold`, title: `Image scan, ${tagCount} tags, first scan`, unit: 'ms', median: median(cold), p95: p95(cold), samples: cold, target },
    {
      name: `warehouse-scan.${tagCount}-tags.warm`,
      title: `Image scan, ${tagCount} tags, later scan`,
      unit: 'ms',
      median: median(warm),
      p95: p95(warm),
      samples: warm,
      target,
      note: `manifests fetched again by later scans: ${warmManifestGets} (digest HEADs per scan: ${warmHeads})`,
    },
  ];
}

async function webhookFigure(ctx: BenchContext, host: string): Promise<BenchFigure> {
  let temporal: EmbeddedTemporal | undefined;
  if (!process.env.TEMPORAL_ADDRESS) {
    temporal = await startEmbeddedTemporal({ binary: resolveTemporalTool('temporal'), port: await freePort(), extraNamespaces: ['bench'], readyTimeoutMs: 90_000 });
    process.env.TEMPORAL_ADDRESS = temporal.address;
  }
  const secrets = join(ctx.workDir, 'secrets.yaml');
  const project = `bench-${Date.now().toString(36)}`;
  await writeFile(secrets, yamlOf(aCredentialSecret('hub', undefined, { secret: 'bench-secret' }, project)));
  const stack = await startShuntStack({ namespace: temporal ? 'bench' : 'spare', credentialsPath: secrets });
  try {
    await pushImage(host, 'bench/hooked', '1.0.0', { content: 'h0' });
    const manifests = yamlOf(
      aProject(project),
      aProjectConfig({ webhookReceivers: [{ name: 'hub', dockerhub: { secretRef: { name: 'hub' } } }] }, project),
      aWarehouse(WAREHOUSE, { project, image: `${host}/bench/hooked`, spec: { interval: '1h' } }),
    );
    const api = `${stack.url}/api/v1`;
    const applied = await fetch(`${api}/apply`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ files: [{ name: 'b.yaml', content: manifests }] }) });
    if (applied.status !== 200) throw new Error(`apply failed: ${await applied.text()}`);
    const freightTags = async (): Promise<string[]> =>
      (((await (await fetch(`${api}/projects/${project}/freight`)).json()) as { items: { images?: { tag: string }[] }[] }).items).map((f) => f.images?.[0]?.tag ?? '');
    const waitFor = async (tag: string): Promise<void> => {
      const deadline = Date.now() + 60_000;
      while (!(await freightTags()).includes(tag)) {
        if (Date.now() > deadline) throw new Error(`no freight for ${tag}`);
        await new Promise((r) => setTimeout(r, 5));
      }
    };
    await waitFor('1.0.0');
    const receivers = (await (await fetch(`${api}/projects/${project}/webhook-receivers`)).json()) as { items: { path: string }[] };
    const hook = `${stack.url}${receivers.items[0]!.path}`;
    const samples: number[] = [];
    const runs = ctx.quick ? 3 : 15;
    for (let i = 1; i <= runs; i++) {
      const tag = `1.${i}.0`;
      await pushImage(host, 'bench/hooked', tag, { content: `h${i}` });
      const t = performance.now();
      const res = await fetch(hook, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ repository: { repo_name: `${host}/bench/hooked` }, push_data: { tag } }) });
      if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
      await waitFor(tag);
      samples.push(performance.now() - t);
    }
    return { name: 'warehouse-scan.webhook-to-freight', title: 'Webhook call → new Freight exists', unit: 'ms', median: median(samples), p95: p95(samples), samples, target: { op: '<', value: 1000 } };
  } finally {
    await stack.stop();
    await temporal?.stop();
  }
}

const bench: BenchModule = async (ctx) => {
  const registry = await startRegistry();
  try {
    return [...(await scanFigures(ctx, registry.host)), await webhookFigure(ctx, registry.host)];
  } finally {
    await registry.dispose();
  }
};

export default bench;

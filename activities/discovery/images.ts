/**
 * Image discovery: list the repository's tags, order them by the subscription's strategy
 * (core/warehouse/image-selection.ts), then read metadata only for the tags kept, until
 * `discoveryLimit` images are found. NewestBuild needs every eligible tag's build time.
 */
import type { ImageSubscription } from '../../core/model.js';
import type { DiscoveredImageRef } from '../../core/warehouse/discovered.js';
import {
  discoveryLimit,
  imageStrategy,
  newestBuildOrder,
  orderImageTags,
  parsePlatform,
  type Platform,
} from '../../core/warehouse/image-selection.js';
import type { RepoCredentials } from '../adapters/credentials.js';
import { OciClient } from '../adapters/oci/client.js';
import { ImageInfoCache } from '../adapters/oci/image-cache.js';
import { describeImage, type ImageInfo } from '../adapters/oci/image-info.js';
import { BadSubscription } from './errors.js';

export interface ImageDiscoveryDeps {
  cache: ImageInfoCache;
  credentials: RepoCredentials | undefined;
  timeoutMs?: number;
  /** Parallel metadata reads per subscription (default 8). */
  concurrency?: number;
  signal?: AbortSignal;
  /** Called with the client after the scan (benchmarks count requests). */
  onClient?: (client: OciClient) => void;
}

export async function discoverImages(sub: ImageSubscription, deps: ImageDiscoveryDeps): Promise<DiscoveredImageRef[]> {
  let platform: Platform | undefined;
  let client: OciClient;
  try {
    platform = sub.platform ? parsePlatform(sub.platform) : undefined;
    client = new OciClient(sub.repoURL, {
      credentials: deps.credentials,
      ...(deps.timeoutMs ? { timeoutMs: deps.timeoutMs } : {}),
      signal: deps.signal,
    });
  } catch (e) {
    throw new BadSubscription((e as Error).message);
  }
  const tags = await client.listTags();
  let ordered: string[];
  try {
    ordered = orderImageTags(sub, tags);
  } catch (e) {
    throw new BadSubscription((e as Error).message);
  }
  const limit = discoveryLimit(sub);
  const platformKey = sub.platform ?? '';
  const repoKey = client.display;
  const cacheByTag = (sub.cacheByTag ?? false) && imageStrategy(sub) !== 'Digest';

  const info = async (tag: string): Promise<ImageInfo> => {
    const tagKey = ImageInfoCache.tagKey(repoKey, tag, platformKey);
    if (cacheByTag) {
      const hit = deps.cache.get(tagKey);
      if (hit) return hit;
    }
    const digest = await client.resolveDigest(tag);
    const key = ImageInfoCache.digestKey(repoKey, digest, platformKey);
    let found = deps.cache.get(key);
    if (!found) {
      found = await describeImage(client, digest, platform);
      deps.cache.set(key, found);
    }
    if (cacheByTag) deps.cache.set(tagKey, found);
    return found;
  };

  const toRef = (tag: string, i: ImageInfo): DiscoveredImageRef => ({
    tag,
    digest: i.digest,
    ...(i.annotations ? { annotations: i.annotations } : {}),
    ...(i.createdAt ? { createdAt: i.createdAt } : {}),
  });

  const concurrency = deps.concurrency ?? 8;
  try {
    if (imageStrategy(sub) === 'NewestBuild') {
      const all = await mapLimited(ordered, concurrency, async (tag) => ({ tag, i: await info(tag) }));
      const kept = all.filter((e) => e.i.hasPlatform).map((e) => toRef(e.tag, e.i));
      return newestBuildOrder(kept).slice(0, limit);
    }
    // Walk the order in batches until the limit is filled (platform may drop some tags).
    const out: DiscoveredImageRef[] = [];
    for (let start = 0; start < ordered.length && out.length < limit; ) {
      const batch = ordered.slice(start, start + Math.max(concurrency, limit - out.length));
      start += batch.length;
      const infos = await mapLimited(batch, concurrency, async (tag) => ({ tag, i: await info(tag) }));
      for (const e of infos) if (e.i.hasPlatform && out.length < limit) out.push(toRef(e.tag, e.i));
    }
    return out;
  } finally {
    deps.onClient?.(client);
  }
}

async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  });
  await Promise.all(workers);
  return out;
}

/**
 * Scans every subscription of a warehouse. All or nothing: one failing subscription fails the
 * scan, so no Freight is ever made from a partial view.
 */
import type { WarehouseSpec } from '../../core/model.js';
import type { DiscoveredArtifacts, DiscoveredSubscription } from '../../core/warehouse/discovered.js';
import type { CredentialStore } from '../adapters/credentials.js';
import type { GitService } from '../adapters/git/git-service.js';
import type { OciClient } from '../adapters/oci/client.js';
import type { ImageInfoCache } from '../adapters/oci/image-cache.js';
import { discoverCharts } from './charts.js';
import { discoverCommits } from './git.js';
import { discoverImages } from './images.js';

export interface DiscoveryDeps {
  credentials: CredentialStore;
  imageCache: ImageInfoCache;
  git: GitService;
  /** Per registry / chart repository request (default 30 s). */
  timeoutMs?: number;
  signal?: AbortSignal;
  heartbeat?: () => void;
  onOciClient?: (client: OciClient) => void;
}

export async function discoverWarehouse(spec: WarehouseSpec, deps: DiscoveryDeps, now: () => Date = () => new Date()): Promise<DiscoveredArtifacts> {
  const subscriptions = await Promise.all(
    spec.subscriptions.map(async (sub, i): Promise<DiscoveredSubscription> => {
      const named = sub.name ? { subscriptionName: sub.name } : {};
      try {
        if (sub.image) {
          const images = await discoverImages(sub.image, {
            cache: deps.imageCache,
            credentials: await deps.credentials.image(sub.image.repoURL),
            ...(deps.timeoutMs ? { timeoutMs: deps.timeoutMs } : {}),
            ...(deps.signal ? { signal: deps.signal } : {}),
            ...(deps.onOciClient ? { onClient: deps.onOciClient } : {}),
          });
          return { kind: 'image', repoURL: sub.image.repoURL, ...named, ...(sub.image.platform ? { platform: sub.image.platform } : {}), images };
        }
        if (sub.git) {
          const found = await discoverCommits(sub.git, { git: deps.git, credentials: await deps.credentials.git(sub.git.repoURL), heartbeat: deps.heartbeat, signal: deps.signal });
          return { kind: 'git', repoURL: sub.git.repoURL, ...named, commits: found };
        }
        if (sub.chart) {
          const versions = await discoverCharts(sub.chart, {
            credentials: await deps.credentials.helm(sub.chart.repoURL),
            ...(deps.timeoutMs ? { timeoutMs: deps.timeoutMs } : {}),
            ...(deps.signal ? { signal: deps.signal } : {}),
          });
          return {
            kind: 'chart',
            repoURL: sub.chart.repoURL,
            ...named,
            ...(sub.chart.name ? { name: sub.chart.name } : {}),
            ...(sub.chart.semverConstraint ? { semverConstraint: sub.chart.semverConstraint } : {}),
            versions,
          };
        }
        throw new Error('expected exactly one of image, git or chart');
      } catch (err) {
        const label = sub.name ? `subscriptions[${i}] (${sub.name})` : `subscriptions[${i}]`;
        (err as Error).message = `${label}: ${(err as Error).message}`;
        throw err;
      }
    }),
  );
  return { discoveredAt: now().toISOString(), subscriptions };
}

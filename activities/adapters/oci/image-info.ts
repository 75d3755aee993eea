/**
 * What a tag is: its digest, annotations, build time and whether it has a given platform.
 * Reads the manifest (or image index), then the image config for `created`.
 */
import { platformMatches, type Platform } from '../../../core/warehouse/image-selection.js';
import { isIndex, type Descriptor, type OciClient } from './client.js';
import { ImageConfig } from './schema.js';

export interface ImageInfo {
  digest: string;
  annotations?: Record<string, string>;
  /** Newest of config `created`, `org.opencontainers.image.created`, `org.label-schema.build-date` (ISO). */
  createdAt?: string;
  /** False when a platform was asked for and the image does not have it. */
  hasPlatform: boolean;
}

function newest(...times: (string | undefined)[]): string | undefined {
  let best: number | undefined;
  for (const t of times) {
    if (!t) continue;
    const ms = Date.parse(t);
    if (!Number.isNaN(ms) && (best === undefined || ms > best)) best = ms;
  }
  return best === undefined ? undefined : new Date(best).toISOString();
}

/** Attestation manifests in an index are marked unknown/unknown; they are not images. */
function isImageEntry(d: Descriptor): boolean {
  return d.platform?.os !== 'unknown' && d.platform?.architecture !== 'unknown';
}

/** Describes the manifest at `digest` (already resolved), filtering by `platform`. */
export async function describeImage(client: OciClient, digest: string, platform: Platform | undefined): Promise<ImageInfo> {
  const top = await client.getManifest(digest);
  const annotations = top.body.annotations;
  const base = { digest, ...(annotations && Object.keys(annotations).length ? { annotations } : {}) };
  if (isIndex(top)) {
    const entries = (top.body.manifests ?? []).filter(isImageEntry);
    const chosen = platform ? entries.filter((e) => e.platform && platformMatches(platform, e.platform)) : entries;
    if (chosen.length === 0) return { ...base, hasPlatform: false };
    // With no platform asked for, the index is as new as its newest image.
    const times: (string | undefined)[] = [annotations?.['org.opencontainers.image.created']];
    for (const entry of platform ? chosen.slice(0, 1) : chosen) {
      const m = await client.getManifest(entry.digest);
      times.push(await configTime(client, m.body.config, m.body.annotations));
    }
    const createdAt = newest(...times);
    return { ...base, ...(createdAt ? { createdAt } : {}), hasPlatform: true };
  }
  const config = top.body.config ? await client.getBlobJSON(top.body.config.digest, ImageConfig) : undefined;
  const hasPlatform = !platform || (config !== undefined && platformMatches(platform, config));
  const createdAt = newest(
    config?.created,
    annotations?.['org.opencontainers.image.created'],
    config?.config?.Labels?.['org.label-schema.build-date'],
    config?.config?.Labels?.['org.opencontainers.image.created'],
  );
  return { ...base, ...(createdAt ? { createdAt } : {}), hasPlatform };
}

async function configTime(client: OciClient, config: Descriptor | undefined, annotations: Record<string, string> | undefined): Promise<string | undefined> {
  if (!config) return annotations?.['org.opencontainers.image.created'];
  const c = await client.getBlobJSON(config.digest, ImageConfig);
  return newest(c.created, annotations?.['org.opencontainers.image.created'], c.config?.Labels?.['org.label-schema.build-date']);
}

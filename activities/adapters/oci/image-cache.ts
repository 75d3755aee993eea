/**
 * What the worker already knows about images: by digest (content never changes under a digest)
 * and, for `cacheByTag` subscriptions, by tag. A scan asks the registry for a known tag's
 * digest (a HEAD) and never fetches a manifest it has already read.
 */
import type { ImageInfo } from './image-info.js';

export class ImageInfoCache {
  private readonly byKey = new Map<string, ImageInfo>();

  constructor(private readonly maxEntries = 50_000) {}

  get(key: string): ImageInfo | undefined {
    const hit = this.byKey.get(key);
    if (hit) {
      this.byKey.delete(key);
      this.byKey.set(key, hit);
    }
    return hit;
  }

  set(key: string, info: ImageInfo): void {
    this.byKey.delete(key);
    this.byKey.set(key, info);
    while (this.byKey.size > this.maxEntries) {
      const oldest = this.byKey.keys().next().value;
      if (oldest === undefined) break;
      this.byKey.delete(oldest);
    }
  }

  static digestKey(repo: string, digest: string, platform: string): string {
    return `${repo}@${digest}|${platform}`;
  }

  static tagKey(repo: string, tag: string, platform: string): string {
    return `${repo}:${tag}|${platform}`;
  }
}

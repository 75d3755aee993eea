/**
 * Which image tags a subscription considers, in order of preference (Kargo's `pkg/image`
 * selectors). Pure: the registry calls happen in activities/discovery, which walks this order
 * and fetches metadata only for the tags it keeps.
 *
 * - SemVer: tags that are versions (strict by default) within `constraint`, newest first.
 * - Lexical: lexically greatest first.
 * - NewestBuild: every eligible tag; the caller orders them by build time (newestBuildOrder).
 * - Digest: the one tag named by `constraint`.
 */
import type { ImageSubscription } from '../model.js';
import { newestFirst, parseTag, subscriptionConstraint } from '../semver/index.js';
import { tagFilter } from './tag-filters.js';

export type ImageStrategy = NonNullable<ImageSubscription['imageSelectionStrategy']>;

/** Kargo's default `discoveryLimit`. */
export const DEFAULT_DISCOVERY_LIMIT = 20;

export function imageStrategy(sub: ImageSubscription): ImageStrategy {
  return sub.imageSelectionStrategy ?? 'SemVer';
}

export function discoveryLimit(sub: { discoveryLimit?: number | undefined }): number {
  return sub.discoveryLimit ?? DEFAULT_DISCOVERY_LIMIT;
}

/**
 * The eligible tags, best first (for NewestBuild: in no particular order).
 * @throws Error for an invalid constraint or regular expression (the message names it).
 */
export function orderImageTags(sub: ImageSubscription, tags: readonly string[]): string[] {
  const strategy = imageStrategy(sub);
  if (strategy === 'Digest') {
    const tag = sub.constraint ?? '';
    if (tag === '') throw new Error('constraint: required with imageSelectionStrategy Digest (the tag to track)');
    return tags.includes(tag) ? [tag] : [];
  }
  const keep = tagFilter(sub);
  const eligible = tags.filter(keep);
  if (strategy === 'Lexical') return [...eligible].sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
  if (strategy === 'NewestBuild') return eligible;
  const constraint = subscriptionConstraint(sub.constraint);
  const strict = sub.strictSemvers ?? true;
  return eligible
    .flatMap((tag) => {
      const v = parseTag(tag, strict);
      return v !== undefined && (constraint === undefined || constraint.check(v)) ? [v] : [];
    })
    .sort(newestFirst)
    .map((v) => v.original);
}

/** Newest build first; ties by tag, greatest first. Tags without a build time go last. */
export function newestBuildOrder<T extends { tag: string; createdAt?: string | undefined }>(images: readonly T[]): T[] {
  return [...images].sort((a, b) => {
    const ta = a.createdAt ? Date.parse(a.createdAt) : Number.NEGATIVE_INFINITY;
    const tb = b.createdAt ? Date.parse(b.createdAt) : Number.NEGATIVE_INFINITY;
    if (ta !== tb) return tb > ta ? 1 : -1;
    return a.tag < b.tag ? 1 : a.tag > b.tag ? -1 : 0;
  });
}

/** `os/arch[/variant]`, as `platform` is written. */
export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

/** @throws Error when the text is not `os/arch[/variant]`. */
export function parsePlatform(text: string): Platform {
  const parts = text.split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => p === '')) {
    throw new Error(`platform: ${JSON.stringify(text)} is not os/arch[/variant] (for example linux/amd64)`);
  }
  const [os, architecture, variant] = parts as [string, string, string | undefined];
  return variant ? { os, architecture, variant } : { os, architecture };
}

export function platformMatches(want: Platform, have: { os?: string; architecture?: string; variant?: string }): boolean {
  return want.os === have.os && want.architecture === have.architecture && (want.variant === undefined || want.variant === have.variant);
}

/**
 * Freight ids, computed exactly as Kargo's `GenerateFreightID` (`pkg/api/freight.go`):
 *
 *   part(commit) = normGit(repoURL) + ":" + (tag ? tag + ":" : "") + id   [+ ":" + subscriptionName]
 *   part(image)  = repoURL + ":" + tag + "@" + digest                      [+ ":" + subscriptionName]
 *   part(chart)  = path.Join(normChart(repoURL), name) + ":" + version      [+ ":" + subscriptionName]
 *   part(artifact) = artifactType + ":" + subscriptionName + ":" + version
 *   id = hex(sha1("Warehouse/<origin>" + ":" + sort(parts).join("|")))
 *
 * The tag and the digest of an image are both hashed: a re-pointed mutable tag, or a
 * re-tagged digest, is new Freight. A commit's tag is hashed too, so tagging a known commit
 * again yields new Freight. The image repoURL is hashed as written (not normalized).
 *
 * An id must never change for the same content: the golden tests pin these values.
 */
import type { ArtifactReference, Chart, FreightArtifacts, FreightContent, FreightOrigin, GitCommit, Image } from '../manifests/artifacts.js';
import { goPathJoin, normalizeChartURL, normalizeGitURL } from './normalize.js';
import { sha1Hex } from '../hash.js';

function withSubscription(base: string, subscriptionName: string | undefined): string {
  return subscriptionName ? `${base}:${subscriptionName}` : base;
}

export function commitHashPart(c: GitCommit): string {
  const base = c.tag ? `${normalizeGitURL(c.repoURL)}:${c.tag}:${c.id}` : `${normalizeGitURL(c.repoURL)}:${c.id}`;
  return withSubscription(base, c.subscriptionName);
}

export function imageHashPart(i: Image): string {
  return withSubscription(`${i.repoURL}:${i.tag}@${i.digest ?? ''}`, i.subscriptionName);
}

export function chartHashPart(c: Chart): string {
  return withSubscription(`${goPathJoin(normalizeChartURL(c.repoURL), c.name ?? '')}:${c.version}`, c.subscriptionName);
}

/** Kargo's artifactHashPart: type, subscription and version (no metadata). */
export function artifactHashPart(a: ArtifactReference): string {
  return `${a.artifactType ?? ''}:${a.subscriptionName}:${a.version}`;
}

/** `Warehouse/<name>`: how Kargo writes an origin (and keys a FreightCollection's items). */
export function originKey(origin: FreightOrigin): string {
  return `${origin.kind}/${origin.name}`;
}

/** The sorted parts hashed into the id (exported for diagnostics and tests). */
export function freightHashParts(content: Pick<FreightContent, 'commits' | 'images' | 'charts' | 'artifacts'>): string[] {
  const parts = [
    ...content.commits.map(commitHashPart),
    ...content.images.map(imageHashPart),
    ...content.charts.map(chartHashPart),
    ...(content.artifacts ?? []).map(artifactHashPart),
  ];
  // Go's slices.Sort on strings compares bytes; for these ASCII parts that is code-unit order.
  return parts.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The Freight id (its `metadata.name`): 40 lowercase hex characters. */
export function freightId(content: FreightContent): string {
  return sha1Hex(`${originKey(content.origin)}:${freightHashParts(content).join('|')}`);
}

/** A FreightCollection id: hex(sha1(sorted freight names joined by ",")). */
export function freightCollectionId(freightNames: readonly string[]): string {
  return sha1Hex([...freightNames].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).join(','));
}

// ---- canonical content ---------------------------------------------------------------------

function sortBy<T>(items: readonly T[], key: (t: T) => string): T[] {
  return items
    .map((item) => ({ item, k: key(item) }))
    .sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0))
    .map((e) => e.item);
}

/** Sorts the artifact lists of some content (by the same parts the id hashes). */
export function canonicalFreightContent(content: FreightContent): FreightContent {
  return {
    origin: { kind: 'Warehouse', name: content.origin.name },
    commits: sortBy(content.commits, commitHashPart),
    images: sortBy(content.images, imageHashPart),
    charts: sortBy(content.charts, chartHashPart),
    // Only when there are any: content without them stays exactly as it always was.
    ...(content.artifacts?.length ? { artifacts: sortBy(content.artifacts, artifactHashPart) } : {}),
  };
}

/** The content of a `kind: Freight` document: absent lists become empty, all sorted. */
export function freightContentFromManifest(m: FreightArtifacts): FreightContent {
  return canonicalFreightContent({
    origin: m.origin,
    commits: m.commits ?? [],
    images: m.images ?? [],
    charts: m.charts ?? [],
    ...(m.artifacts?.length ? { artifacts: m.artifacts } : {}),
  });
}

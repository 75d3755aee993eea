/**
 * Kargo's discovery → Freight rule (`pkg/controller/warehouses/warehouses.go`): one Freight made
 * of element [0] of every subscription's discovered list. A subscription that found nothing
 * means no Freight (and says which).
 */
import { freightId } from '../freight/freight-id.js';
import type { Chart, FreightContent, GitCommit, Image, WarehouseSpec } from '../model.js';
import { canonicalFreightContent } from '../freight/freight-id.js';
import type { DiscoveredArtifacts } from './discovered.js';

export type FreightCandidate =
  | { ok: true; id: string; content: FreightContent }
  | { ok: false; reason: string };

export function freightCandidate(warehouse: string, spec: WarehouseSpec, found: DiscoveredArtifacts): FreightCandidate {
  const content: FreightContent = { origin: { kind: 'Warehouse', name: warehouse }, commits: [], images: [], charts: [] };
  if (found.subscriptions.length !== spec.subscriptions.length) {
    return { ok: false, reason: 'the discovered artifacts do not match the subscriptions (the spec changed during the scan)' };
  }
  for (let i = 0; i < spec.subscriptions.length; i++) {
    const sub = spec.subscriptions[i]!;
    const d = found.subscriptions[i]!;
    const named = sub.name ? { subscriptionName: sub.name } : {};
    const label = `subscriptions[${i}]${sub.name ? ` (${sub.name})` : ''} ${d.kind} ${d.repoURL}${d.name ? ` ${d.name}` : ''}`;
    if (sub.image && d.kind === 'image') {
      const best = d.images?.[0];
      if (!best) return { ok: false, reason: `${label}: no eligible image found` };
      const image: Image = { repoURL: sub.image.repoURL, tag: best.tag, digest: best.digest, ...named };
      if (best.annotations && Object.keys(best.annotations).length > 0) image.annotations = { ...best.annotations };
      content.images.push(image);
    } else if (sub.git && d.kind === 'git') {
      const best = d.commits?.[0];
      if (!best) return { ok: false, reason: `${label}: no eligible commit found` };
      const commit: GitCommit = { repoURL: sub.git.repoURL, id: best.id, ...named };
      if (best.branch) commit.branch = best.branch;
      if (best.tag) commit.tag = best.tag;
      if (best.subject !== undefined) commit.message = best.subject;
      if (best.author) commit.author = best.author;
      if (best.committer) commit.committer = best.committer;
      content.commits.push(commit);
    } else if (sub.chart && d.kind === 'chart') {
      const best = d.versions?.[0];
      if (!best) return { ok: false, reason: `${label}: no eligible chart version found` };
      const chart: Chart = { repoURL: sub.chart.repoURL, version: best, ...named };
      if (sub.chart.name) chart.name = sub.chart.name;
      content.charts.push(chart);
    } else {
      return { ok: false, reason: `subscriptions[${i}]: the discovered artifacts do not match the subscription (the spec changed during the scan)` };
    }
  }
  const canonical = canonicalFreightContent(content);
  return { ok: true, id: freightId(canonical), content: canonical };
}

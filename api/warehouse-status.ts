/**
 * The discovery part of a Warehouse's `status`, in Kargo's shape: `discoveredArtifacts` (what
 * each subscription last found, best first), plus Shunt's `lastScan` (outcome, when, and why a
 * scan failed) and a `message` when the newest artifacts made no Freight.
 */
import type { ProjectState } from '../core/project/state.js';
import type { DiscoveredSubscription } from '../core/warehouse/discovered.js';
import type { LastScan } from '../core/warehouse/scan-status.js';

export interface DiscoveredArtifactsView {
  discoveredAt: string;
  images: { repoURL: string; subscriptionName?: string; platform?: string; references: { tag: string; digest: string; annotations?: Record<string, string>; createdAt?: string }[] }[];
  git: { repoURL: string; subscriptionName?: string; commits: { id: string; branch?: string; tag?: string; subject?: string; author?: string; committer?: string; creatorDate?: string }[] }[];
  charts: { repoURL: string; subscriptionName?: string; name?: string; semverConstraint?: string; versions: string[] }[];
}

export interface WarehouseDiscoveryView {
  discoveredArtifacts?: DiscoveredArtifactsView;
  lastScan?: LastScan;
  lastFreightID?: string;
  message?: string;
}

function named(s: DiscoveredSubscription): { subscriptionName?: string } {
  return s.subscriptionName ? { subscriptionName: s.subscriptionName } : {};
}

export function warehouseDiscoveryView(state: ProjectState, warehouse: string): WarehouseDiscoveryView {
  const status = state.discovery?.warehouses[warehouse];
  if (!status) return {};
  const view: WarehouseDiscoveryView = {};
  const found = status.discovered;
  if (found) {
    view.discoveredArtifacts = { discoveredAt: found.discoveredAt, images: [], git: [], charts: [] };
    for (const s of found.subscriptions) {
      if (s.kind === 'image') view.discoveredArtifacts.images.push({ repoURL: s.repoURL, ...named(s), ...(s.platform ? { platform: s.platform } : {}), references: s.images ?? [] });
      else if (s.kind === 'git') view.discoveredArtifacts.git.push({ repoURL: s.repoURL, ...named(s), commits: s.commits ?? [] });
      else view.discoveredArtifacts.charts.push({ repoURL: s.repoURL, ...named(s), ...(s.name ? { name: s.name } : {}), ...(s.semverConstraint ? { semverConstraint: s.semverConstraint } : {}), versions: s.versions ?? [] });
    }
  }
  if (status.lastScan) view.lastScan = status.lastScan;
  if (status.lastFreightID) view.lastFreightID = status.lastFreightID;
  if (status.freightMessage) view.message = status.freightMessage;
  return view;
}

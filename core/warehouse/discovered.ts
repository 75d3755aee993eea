/**
 * What a scan found, in Kargo's `status.discoveredArtifacts` shape: one entry per subscription,
 * in the order of `spec.subscriptions`, each listing up to `discoveryLimit` artifacts, best first.
 */

export interface DiscoveredImageRef {
  tag: string;
  digest: string;
  annotations?: Record<string, string>;
  /** Build time (ISO), when the registry tells it. */
  createdAt?: string;
}

export interface DiscoveredCommit {
  id: string;
  branch?: string;
  tag?: string;
  /** First line of the message. */
  subject?: string;
  author?: string;
  committer?: string;
  /** Commit date (branch strategy) or tag creation date (tag strategies), ISO. */
  creatorDate?: string;
}

export interface DiscoveredSubscription {
  kind: 'image' | 'git' | 'chart';
  repoURL: string;
  subscriptionName?: string;
  /** image: the platform filter in force. */
  platform?: string;
  /** chart: the chart name (HTTP repositories). */
  name?: string;
  semverConstraint?: string;
  images?: DiscoveredImageRef[];
  commits?: DiscoveredCommit[];
  /** chart versions, best first. */
  versions?: string[];
}

export interface DiscoveredArtifacts {
  discoveredAt: string;
  subscriptions: DiscoveredSubscription[];
}

/** How many artifacts a subscription found. */
export function artifactCount(s: DiscoveredSubscription): number {
  return (s.images?.length ?? 0) + (s.commits?.length ?? 0) + (s.versions?.length ?? 0);
}

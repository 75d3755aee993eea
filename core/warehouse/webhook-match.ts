/**
 * Which warehouses a webhook event concerns (Kargo's receivers): subscriptions to the event's
 * repository (compared after URL normalization) whose selectors would accept what was pushed:
 * the pushed branch for NewestFromBranch (any branch when none is set: the default branch is
 * not known here), a tag that passes the tag filters for tag strategies and images (and for the
 * SemVer strategies, and OCI charts, is a version within the constraint), and, for git pushes
 * that list their changed files, the path filters.
 */
import { normalizeChartURL, normalizeGitURL, normalizeImageRepo } from '../freight/normalize.js';
import type { RepoSubscription, Warehouse } from '../model.js';
import { parseTag, subscriptionConstraint, tryVersion } from '../semver/index.js';
import { commitStrategy } from './git-selection.js';
import { pathFilter } from './path-filters.js';
import { tagFilter } from './tag-filters.js';

export type WebhookEvent =
  | { kind: 'git'; repoURLs: string[]; branch?: string; tag?: string; changedPaths?: string[] }
  | { kind: 'image'; repoURLs: string[]; tag?: string }
  /** A generic receiver: every subscription to the repositories (all warehouses when none). */
  | { kind: 'any'; repoURLs: string[] };

function safe<T>(fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch {
    return fallback;
  }
}

/** Kargo's SemVer selectors (MatchesTag / MatchesRef): the tag is a version within the constraint. */
function semverAccepts(tag: string, constraint: string | undefined, strictSemvers: boolean | undefined): boolean {
  const v = parseTag(tag, strictSemvers ?? true);
  return v !== undefined && safe(() => subscriptionConstraint(constraint)?.check(v) ?? true, true);
}

function gitAccepts(sub: NonNullable<RepoSubscription['git']>, e: Extract<WebhookEvent, { kind: 'git' }>): boolean {
  const strategy = commitStrategy(sub);
  if (strategy === 'NewestFromBranch') {
    if (e.tag !== undefined && e.branch === undefined) return false;
    if (sub.branch && e.branch !== undefined && sub.branch !== e.branch) return false;
    if (e.changedPaths) {
      const paths = safe(() => pathFilter(sub), undefined);
      if (paths && !paths(e.changedPaths)) return false;
    }
    return true;
  }
  if (e.branch !== undefined && e.tag === undefined) return false;
  if (e.tag === undefined) return true;
  if (!safe(() => tagFilter(sub)(e.tag!), true)) return false;
  return strategy !== 'SemVer' || semverAccepts(e.tag, sub.semverConstraint, sub.strictSemvers);
}

function subscriptionMatches(sub: RepoSubscription, e: WebhookEvent): boolean {
  if (e.kind === 'any') {
    if (e.repoURLs.length === 0) return true;
    const url = sub.git?.repoURL ?? sub.image?.repoURL ?? sub.chart?.repoURL ?? '';
    return e.repoURLs.some((u) => normalizeGitURL(u) === normalizeGitURL(url) || normalizeImageRepo(u) === normalizeImageRepo(url) || normalizeChartURL(u) === normalizeChartURL(url));
  }
  if (e.kind === 'git') {
    if (!sub.git) return false;
    const want = normalizeGitURL(sub.git.repoURL);
    return e.repoURLs.some((u) => normalizeGitURL(u) === want) && gitAccepts(sub.git, e);
  }
  if (sub.image) {
    const want = normalizeImageRepo(sub.image.repoURL);
    if (!e.repoURLs.some((u) => normalizeImageRepo(u) === want)) return false;
    if (e.tag === undefined) return true;
    if ((sub.image.imageSelectionStrategy ?? 'SemVer') === 'Digest') return sub.image.constraint === e.tag;
    if (!safe(() => tagFilter(sub.image!)(e.tag!), true)) return false;
    return (sub.image.imageSelectionStrategy ?? 'SemVer') !== 'SemVer' || semverAccepts(e.tag, sub.image.constraint, sub.image.strictSemvers);
  }
  if (sub.chart?.repoURL.startsWith('oci://')) {
    const want = normalizeChartURL(sub.chart.repoURL);
    if (!e.repoURLs.some((u) => normalizeChartURL(u) === want)) return false;
    // Kargo's chart MatchesVersion: NewVersion, then the constraint.
    const v = e.tag === undefined ? undefined : tryVersion(e.tag);
    return e.tag === undefined || (v !== undefined && safe(() => subscriptionConstraint(sub.chart!.semverConstraint)?.check(v) ?? true, true));
  }
  return false;
}

/** Names of the warehouses to scan for the event, sorted. */
export function warehousesForEvent(warehouses: Record<string, Warehouse>, events: readonly WebhookEvent[]): string[] {
  return Object.entries(warehouses)
    .filter(([, w]) => events.some((e) => w.spec.subscriptions.some((s) => subscriptionMatches(s, e))))
    .map(([name]) => name)
    .sort();
}

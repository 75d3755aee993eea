/**
 * What differs between the freight two stages hold (`GET …/stages/:stage/compare?with=`): image
 * tags and digests, chart versions, and per git repository the commits each holds (the commits
 * between them are read from the worker's mirror afterwards). Pure.
 */
import type { ProjectState } from '../project/state.js';
import type { FreightReference } from '../promotion/types.js';
import { normalizeGitURL } from '../freight/normalize.js';
import type { CommitsBetween } from './git-reads.js';

export interface CompareSide {
  name: string;
  /** The stage's current freight (ids of its collection's items, joined by `,` when several); absent when it holds none. */
  freight?: string;
}

export interface ImageComparison {
  repoURL: string;
  stage: { tag?: string; digest?: string };
  with: { tag?: string; digest?: string };
}

export interface ChartComparison {
  repoURL: string;
  name?: string;
  stage?: string;
  with?: string;
}

export interface CommitComparison {
  repoURL: string;
  stage?: string;
  with?: string;
  /** Commits in one revision and not the other, newest first (read from the mirror; empty when the same or unknown). */
  between: CommitsBetween['commits'];
  truncated: boolean;
  /** Why `between` is empty although the revisions differ (e.g. the mirror could not be read). */
  message?: string;
}

export interface StageComparison {
  stage: CompareSide;
  with: CompareSide;
  images: ImageComparison[];
  charts: ChartComparison[];
  commits: CommitComparison[];
}

function currentItems(state: ProjectState, stage: string): FreightReference[] {
  return Object.values(state.stages[stage]?.freightHistory[0]?.collection.items ?? {});
}

function side(name: string, items: FreightReference[]): CompareSide {
  return items.length === 0 ? { name } : { name, freight: items.map((i) => i.name).join(',') };
}

/**
 * The comparison of `stage` with `other` from the project state, commits' `between` still empty.
 * Artifacts are matched by repository (charts by repository and name); one only one stage holds
 * shows with the other side empty. Sorted by repository.
 */
export function compareStages(state: ProjectState, stage: string, other: string): StageComparison {
  const a = currentItems(state, stage);
  const b = currentItems(state, other);

  const images = new Map<string, ImageComparison>();
  const charts = new Map<string, ChartComparison>();
  const commits = new Map<string, CommitComparison>();
  const collect = (items: FreightReference[], which: 'stage' | 'with'): void => {
    for (const item of items) {
      for (const img of item.images) {
        const entry = images.get(img.repoURL) ?? { repoURL: img.repoURL, stage: {}, with: {} };
        entry[which] = { tag: img.tag, ...(img.digest ? { digest: img.digest } : {}) };
        images.set(img.repoURL, entry);
      }
      for (const chart of item.charts) {
        const key = `${chart.repoURL}\n${chart.name ?? ''}`;
        const entry = charts.get(key) ?? { repoURL: chart.repoURL, ...(chart.name ? { name: chart.name } : {}) };
        entry[which] = chart.version;
        charts.set(key, entry);
      }
      for (const commit of item.commits) {
        const key = normalizeGitURL(commit.repoURL);
        const entry = commits.get(key) ?? { repoURL: commit.repoURL, between: [], truncated: false };
        entry[which] = commit.id;
        commits.set(key, entry);
      }
    }
  };
  collect(a, 'stage');
  collect(b, 'with');
  const byRepo = <T extends { repoURL: string; name?: string }>(x: T, y: T): number => x.repoURL.localeCompare(y.repoURL) || (x.name ?? '').localeCompare(y.name ?? '');
  return {
    stage: side(stage, a),
    with: side(other, b),
    images: [...images.values()].sort(byRepo),
    charts: [...charts.values()].sort(byRepo),
    commits: [...commits.values()].sort(byRepo),
  };
}

/** The commit pairs whose `between` the worker must read: both sides known and different. */
export function commitRangesToRead(comparison: StageComparison): CommitComparison[] {
  return comparison.commits.filter((c) => c.stage !== undefined && c.with !== undefined && c.stage !== c.with);
}

/**
 * What applying a manifest changes, for the permission check of an apply: the manifest's own
 * project (a Project names itself; every other namespaced kind its `metadata.namespace`), or
 * every project for a cluster-scoped ClusterPromotionTask or ClusterConfig. Creating or configuring Project X
 * needs admin over X: a grant whose project pattern matches X (so `admin` on `team-a-*` may
 * create `team-a-web`; `admin` on `proja` may create nothing else).
 */
import type { Manifest } from '../model.js';
import type { Target } from './rbac.js';

export function manifestTarget(manifest: Manifest): Target {
  switch (manifest.kind) {
    case 'Project':
      return { project: manifest.metadata.name };
    case 'ClusterPromotionTask':
    case 'ClusterConfig':
    case 'ClusterAnalysisTemplate':
      return {};
    default:
      return { project: manifest.metadata.namespace! };
  }
}

/** `Stage projb/prod`, `Project projb`, `ClusterPromotionTask t`: how a refusal names a manifest. */
export function describeManifest(manifest: Manifest): string {
  const ns = manifest.kind === 'Project' || manifest.kind === 'ClusterPromotionTask' || manifest.kind === 'ClusterConfig' || manifest.kind === 'ClusterAnalysisTemplate' ? undefined : manifest.metadata.namespace;
  return `${manifest.kind} ${ns === undefined ? '' : `${ns}/`}${manifest.metadata.name}`;
}

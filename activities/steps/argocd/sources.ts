/**
 * Source updates as Kargo's argocd-update applies them: find the Application source each update
 * targets (chart sources by repoURL + chart, git sources by normalized repoURL), set its
 * targetRevision, kustomize images and helm parameters. Also the revisions each source must be
 * synced to.
 */
import { normalizeGitURL } from '../../../core/freight/normalize.js';
import { DomainError } from '../../../core/errors.js';
import type { ArgoApplication, ArgoApplicationSource } from '../../adapters/argocd-client.js';
import type { SourceUpdate } from './config.js';

export function sourcesOf(app: ArgoApplication): ArgoApplicationSource[] {
  if (Array.isArray(app.spec.sources) && app.spec.sources.length > 0) return app.spec.sources;
  return app.spec.source ? [app.spec.source] : [];
}

function targets(update: SourceUpdate, src: ArgoApplicationSource): boolean {
  if (src.chart !== undefined || update.chart !== undefined) return src.repoURL === update.repoURL && src.chart === update.chart;
  return normalizeGitURL(src.repoURL) === normalizeGitURL(update.repoURL);
}

/** The revision each source must reach ('' where the step names none), indexed like the sources. */
export function desiredRevisions(app: ArgoApplication, updates: readonly SourceUpdate[]): string[] {
  return sourcesOf(app).map((src) => updates.find((u) => targets(u, src))?.desiredRevision ?? '');
}

function kustomizeImage(i: { repoURL: string; tag?: string | undefined; digest?: string | undefined; newName?: string | undefined }): string {
  const name = i.newName !== undefined ? `${i.repoURL}=${i.newName}` : i.repoURL;
  return i.digest !== undefined ? `${name}@${i.digest}` : `${name}:${i.tag ?? ''}`;
}

/**
 * Applies the updates to the Application's spec in place.
 * @throws DomainError('StepFailed') naming the update no source matched (nothing is written then).
 */
export function applySourceUpdates(app: ArgoApplication, updates: readonly SourceUpdate[]): void {
  const sources = sourcesOf(app).map((s) => structuredClone(s));
  for (const update of updates) {
    const i = sources.findIndex((s) => targets(update, s));
    if (i < 0) {
      throw new DomainError(
        'StepFailed',
        `no source of Argo CD Application ${JSON.stringify(app.metadata.name)} in namespace ${JSON.stringify(app.metadata.namespace ?? '')} matched the update for repoURL ${update.repoURL}${update.chart ? ` and chart ${JSON.stringify(update.chart)}` : ''}`,
      );
    }
    const src = sources[i]!;
    if (update.updateTargetRevision && update.desiredRevision) src.targetRevision = update.desiredRevision;
    if (update.kustomize) src.kustomize = { ...src.kustomize, images: update.kustomize.images.map(kustomizeImage) };
    if (update.helm) {
      const params = [...(src.helm?.parameters ?? [])];
      for (const { key, value } of update.helm.images) {
        const at = params.findIndex((p) => p.name === key);
        if (at >= 0) params[at] = { name: key, value };
        else params.push({ name: key, value });
      }
      src.helm = { ...src.helm, parameters: params };
    }
  }
  if (Array.isArray(app.spec.sources) && app.spec.sources.length > 0) app.spec.sources = sources;
  else if (sources[0]) app.spec.source = sources[0];
}

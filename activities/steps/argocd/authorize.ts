/**
 * Kargo's consent rule for argocd-update: an Application may be changed by a stage only when its
 * `kargo.akuity.io/authorized-stage` annotation (or Shunt's own `shunt.dev/authorized-stage`)
 * names `<project>:<stage>`. A comma-separated list is allowed (whitespace ignored); globs are
 * refused, as Kargo refuses them.
 */
import { DomainError } from '../../../core/errors.js';
import type { ArgoApplication } from '../../adapters/argocd-client.js';

export const AUTHORIZED_STAGE_ANNOTATIONS = ['kargo.akuity.io/authorized-stage', 'shunt.dev/authorized-stage'] as const;

/** @throws DomainError('StepFailed') saying why the Application refuses this stage. */
export function authorizeApplication(app: ArgoApplication, project: string, stage: string): void {
  const where = `Argo CD Application ${JSON.stringify(app.metadata.name)} in namespace ${JSON.stringify(app.metadata.namespace ?? '')}`;
  const annotations = app.metadata.annotations ?? {};
  const present = AUTHORIZED_STAGE_ANNOTATIONS.filter((a) => annotations[a] !== undefined);
  for (const key of present) {
    for (const entry of annotations[key]!.split(',').map((s) => s.replace(/\s+/g, '')).filter(Boolean)) {
      const [p, s, ...rest] = entry.split(':');
      if (p === undefined || s === undefined || rest.length > 0 || p === '' || s === '') {
        throw new DomainError('StepFailed', `${where}: annotation ${key} has an entry ${JSON.stringify(entry)} that is not <project>:<stage>`);
      }
      if (p.includes('*') || s.includes('*')) {
        throw new DomainError('StepFailed', `${where}: annotation ${key} uses a glob (${JSON.stringify(entry)}), which is not allowed; name the stage`);
      }
      if (p === project && s === stage) return;
    }
  }
  throw new DomainError(
    'StepFailed',
    `${where} does not permit mutation by stage ${JSON.stringify(stage)} of project ${JSON.stringify(project)}: ` +
      (present.length === 0
        ? `it has no ${AUTHORIZED_STAGE_ANNOTATIONS[0]} annotation; add "${AUTHORIZED_STAGE_ANNOTATIONS[0]}: ${project}:${stage}"`
        : `its ${present.join(' / ')} annotation names ${present.map((k) => JSON.stringify(annotations[k])).join(', ')}`),
  );
}

/**
 * Where an Application stands for argocd-update, read from its status as Kargo reads it:
 * whether this promotion's sync has to be started, is under way, or is over, and whether the
 * app then reached the desired revisions and Healthy. A failed operation or a Degraded app
 * fails the step with Argo CD's own message.
 */
import { DomainError } from '../../../core/errors.js';
import type { ArgoApplication, ArgoOperation } from '../../adapters/argocd-client.js';

/** The operation info key Kargo stamps on the syncs it starts (kept, so both recognise them). */
export const PROMOTION_INFO_KEY = 'kargo.akuity.io/promotion';

export type UpdateState =
  | { kind: 'must-sync'; why: string }
  | { kind: 'waiting'; why: string }
  | { kind: 'done' };

function promotionOf(op: ArgoOperation | null | undefined): string | undefined {
  return op?.info?.find((i) => i.name === PROMOTION_INFO_KEY)?.value;
}

const COMPLETED = new Set(['Succeeded', 'Failed', 'Error']);

/**
 * Why Argo CD calls the app Degraded: its health message (Argo CD v3.6: `Caused by
 * apps/Deployment:<namespace>/<name>`), or, where there is none, the Degraded resources with
 * theirs (kept in the Application only with --persist-resource-health).
 */
export function degradedBecause(app: ArgoApplication): string {
  if (app.status?.health?.message) return app.status.health.message;
  const why = (app.status?.resources ?? [])
    .filter((r) => r.health?.status === 'Degraded')
    .map((r) => `${r.kind ?? '?'} ${r.name ?? '?'}: ${r.health?.message ?? 'Degraded'}`);
  return why.length ? why.join('; ') : '(Argo CD gave no message)';
}

export function describeApp(app: { metadata: { name: string; namespace?: string | undefined } }): string {
  return `Argo CD Application ${JSON.stringify(app.metadata.name)} in namespace ${JSON.stringify(app.metadata.namespace ?? '')}`;
}

/** @throws DomainError('StepFailed') on a failed operation or a Degraded app after our sync. */
export function updateState(app: ArgoApplication, promotion: string, desired: readonly string[]): UpdateState {
  const who = describeApp(app);
  // A requested operation the controller has not picked up yet.
  if (app.operation) {
    return promotionOf(app.operation) === promotion
      ? { kind: 'waiting', why: `${who}: sync requested, not yet started by Argo CD` }
      : { kind: 'waiting', why: `${who}: waiting for an operation not started by this promotion to be picked up` };
  }
  const op = app.status?.operationState;
  if (!op) return { kind: 'must-sync', why: 'no operation yet' };
  const ours = promotionOf(op.operation) === promotion;
  const completed = op.phase !== undefined && COMPLETED.has(op.phase);
  if (!ours) {
    if (!completed) {
      const by = op.operation?.initiatedBy?.username;
      return { kind: 'waiting', why: `${who}: waiting for the current operation${by ? ` (initiated by ${by})` : ''} to complete` };
    }
    return { kind: 'must-sync', why: 'the last operation was not for this promotion' };
  }
  if (!completed) return { kind: 'waiting', why: `${who}: sync operation ${op.phase ?? 'pending'}` };
  if (op.phase !== 'Succeeded') {
    throw new DomainError('StepFailed', `${who}: sync operation ${op.phase}: ${op.message ?? '(Argo CD gave no message)'}`);
  }
  const observed = op.syncResult?.revisions?.length ? op.syncResult.revisions : [op.syncResult?.revision ?? ''];
  for (const [i, want] of desired.entries()) {
    // The sync asked for these revisions explicitly: another revision means Argo CD could not
    // reach them, and syncing again would only repeat that.
    if (want && observed[i] !== want) {
      throw new DomainError('StepFailed', `${who}: Argo CD synced revision ${observed[i] ?? '(none)'}, not the desired ${want}`);
    }
  }
  const health = app.status?.health;
  if (health?.status === 'Degraded') {
    throw new DomainError('StepFailed', `${who} is Degraded after the sync: ${degradedBecause(app)}`);
  }
  const sync = app.status?.sync;
  if (sync?.status !== 'Synced') return { kind: 'waiting', why: `${who}: sync status ${sync?.status ?? 'Unknown'}` };
  const current = sync.revisions?.length ? sync.revisions : [sync.revision ?? ''];
  for (const [i, want] of desired.entries()) {
    if (want && current[i] !== want) return { kind: 'waiting', why: `${who}: synced to ${current[i] ?? '?'}, waiting for ${want}` };
  }
  if (health?.status !== 'Healthy') return { kind: 'waiting', why: `${who}: health ${health?.status ?? 'Unknown'}` };
  return { kind: 'done' };
}

/**
 * `argocd-wait`: waits, watching (no tight polling), until the named Applications meet
 * `waitFor` (Kargo's default: health, sync, operation): no operation in progress, Synced, and
 * Healthy (or, when listed, Suspended / Degraded). Shunt adds an optional `revision`: the app
 * must be synced to exactly that revision (e.g. `${{ outputs.push.commit }}`).
 *
 * Fails on an app with a ComparisonError or InvalidSpecError condition, and on a Degraded app
 * when only `health` is awaited, with Argo CD's message. Needs no authorization annotation: it
 * changes nothing. Not done when this run's wait is over: Running (the workflow enforces the
 * step's timeout, 5m by default).
 */
import { z } from 'zod';
import { DomainError } from '../../core/errors.js';
import type { ArgoApplication } from '../adapters/argocd-client.js';
import { requireArgoCD, resolveApps, retryWhenUnreachable, waitWithinMs } from './argocd/apps.js';
import { AppSelector, oneOfNameOrSelector } from './argocd/config.js';
import { degradedBecause, describeApp } from './argocd/update-state.js';
import type { StepDefinition } from './step.js';

const WaitFor = z.enum(['health', 'sync', 'operation', 'suspended', 'degraded']);

export const ArgoCDWaitConfig = z.strictObject({
  apps: z
    .array(
      z
        .strictObject({
          name: z.string().min(1).optional(),
          selector: AppSelector.optional(),
          namespace: z.string().min(1).optional(),
          waitFor: z.array(WaitFor).min(1).optional().describe('Conditions to wait for (default: health, sync, operation).'),
          revision: z.string().min(1).optional().describe('Shunt: the revision the app must be synced to.'),
        })
        .refine(oneOfNameOrSelector, { message: 'exactly one of name or selector is required', path: ['name'] }),
    )
    .min(1),
});
export type ArgoCDWaitConfig = z.infer<typeof ArgoCDWaitConfig>;

type WaitForItem = z.infer<typeof WaitFor>;
const DEFAULT_WAIT_FOR: WaitForItem[] = ['health', 'sync', 'operation'];
const ERROR_CONDITIONS = new Set(['ComparisonError', 'InvalidSpecError']);

/** Undefined when ready; otherwise what it is waiting for. @throws DomainError('StepFailed'). */
export function notReadyBecause(app: ArgoApplication, waitFor: readonly WaitForItem[], revision?: string): string | undefined {
  const who = describeApp(app);
  const errors = (app.status?.conditions ?? []).filter((c) => ERROR_CONDITIONS.has(c.type));
  if (errors.length > 0) {
    throw new DomainError('StepFailed', errors.map((c) => `${who} has a ${c.type} condition: ${c.message ?? ''}`).join('; '));
  }
  const op = app.status?.operationState;
  if (waitFor.includes('operation') && (app.operation || (op && !op.finishedAt))) return `${who}: an operation is in progress`;
  const health = app.status?.health?.status ?? 'Unknown';
  const wantsHealth = waitFor.includes('health') || waitFor.includes('suspended') || waitFor.includes('degraded');
  if (wantsHealth) {
    const ok =
      (waitFor.includes('health') && health === 'Healthy') ||
      (waitFor.includes('suspended') && health === 'Suspended') ||
      (waitFor.includes('degraded') && health === 'Degraded');
    if (!ok && health === 'Degraded' && waitFor.includes('health') && !(op && !op.finishedAt) && !app.operation) {
      throw new DomainError('StepFailed', `${who} is Degraded: ${degradedBecause(app)}`);
    }
    if (!ok) return `${who}: health ${health}`;
  }
  const sync = app.status?.sync;
  if (waitFor.includes('sync') && sync?.status !== 'Synced') return `${who}: sync status ${sync?.status ?? 'Unknown'}`;
  if (revision !== undefined) {
    const current = sync?.revisions?.length ? sync.revisions : [sync?.revision ?? ''];
    if (!current.includes(revision)) return `${who}: synced to ${current.join(', ') || '(nothing)'}, waiting for ${revision}`;
  }
  return undefined;
}

export const argocdWait: StepDefinition<ArgoCDWaitConfig> = {
  kind: 'argocd-wait',
  config: ArgoCDWaitConfig,
  run(ctx, config) {
    return retryWhenUnreachable(async () => {
      const client = requireArgoCD(ctx, 'argocd-wait');
      const targets: Array<{ namespace: string; name: string; waitFor: WaitForItem[]; revision?: string | undefined }> = [];
      for (const spec of config.apps) {
        for (const app of await resolveApps(client, spec)) {
          targets.push({
            namespace: app.metadata.namespace ?? client.defaultNamespace,
            name: app.metadata.name,
            waitFor: spec.waitFor ?? DEFAULT_WAIT_FOR,
            revision: spec.revision,
          });
        }
      }
      const output = { apps: targets.map((t) => ({ name: t.name, namespace: t.namespace })) };
      const deadline = Date.now() + waitWithinMs(ctx);
      for (const t of targets) {
        const gone = `Argo CD Application ${JSON.stringify(t.name)} not found in namespace ${JSON.stringify(t.namespace)}`;
        let last = 'waiting';
        const ready = await client.waitForApplication(
          t.namespace,
          t.name,
          (app) => {
            if (!app) throw new DomainError('StepFailed', gone);
            const why = notReadyBecause(app, t.waitFor, t.revision);
            if (why !== undefined) last = why;
            return why === undefined ? true : undefined;
          },
          {
            withinMs: Math.max(0, deadline - Date.now()),
            signal: ctx.signal,
            heartbeat: () => ctx.heartbeat({ step: 'argocd-wait', app: t.name }),
          },
        );
        if (!ready) return { status: 'Running', retryAfter: '1s', output, message: last };
      }
      return { status: 'Succeeded', output };
    });
  },
};

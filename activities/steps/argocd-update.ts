/**
 * `argocd-update`: points Argo CD Applications at the promoted revision and syncs them, as
 * Kargo's step does. Each app must consent (authorized-stage annotation); every source update is
 * checked against every app before anything is written; then one write per app sets the
 * sources, a hard refresh and a sync operation tagged with this promotion. The step then watches
 * until each app's operation succeeded with the desired revisions and the app is Synced and
 * Healthy. A failed operation or a Degraded app fails it with Argo CD's message; an app still
 * busy when the run's wait is over leaves the step Running (the workflow enforces the timeout).
 *
 * Output: `apps[] {name, namespace}`. Safe to run again: a sync already started for this
 * promotion is followed, never started twice.
 */
import { z } from 'zod';
import { DomainError } from '../../core/errors.js';
import type { ArgoApplication, ArgoCDClient, ArgoOperation } from '../adapters/argocd-client.js';
import { authorizeApplication } from './argocd/authorize.js';
import { AppSelector, oneOfNameOrSelector, SourceUpdate } from './argocd/config.js';
import { resolveApps, requireArgoCD, retryWhenUnreachable, waitWithinMs } from './argocd/apps.js';
import { applySourceUpdates, desiredRevisions, sourcesOf } from './argocd/sources.js';
import { describeApp, PROMOTION_INFO_KEY, updateState, type UpdateState } from './argocd/update-state.js';
import type { StepContext, StepDefinition } from './step.js';

export const ArgoCDUpdateConfig = z.strictObject({
  apps: z
    .array(
      z
        .strictObject({
          name: z.string().min(1).optional().describe('The Application to update.'),
          selector: AppSelector.optional().describe('Or: every Application with these labels.'),
          namespace: z.string().min(1).optional().describe("The Application's namespace (default: the Argo CD namespace, argocd)."),
          sources: z.array(SourceUpdate).optional().describe('Changes to the sources before the sync.'),
        })
        .refine(oneOfNameOrSelector, { message: 'exactly one of name or selector is required', path: ['name'] }),
    )
    .min(1),
});
export type ArgoCDUpdateConfig = z.infer<typeof ArgoCDUpdateConfig>;

function syncOperation(app: ArgoApplication, promotion: string, desired: string[]): ArgoOperation {
  const multi = Array.isArray(app.spec.sources) && app.spec.sources.length > 0;
  const sync: NonNullable<ArgoOperation['sync']> = {};
  if (desired.some((d) => d !== '')) {
    if (multi) {
      // One revision per source, by position, as Argo CD's own API server writes it: the
      // controller ignores a list shorter than the sources (and `sourcePositions` is a REST
      // parameter, not a field of the Application: the API server drops it).
      sync.revisions = app.spec.sources!.map((src, i) => desired[i] || src.targetRevision || 'HEAD');
    } else {
      sync.revision = desired[0]!;
    }
  }
  if (app.spec.syncPolicy?.syncOptions) sync.syncOptions = app.spec.syncPolicy.syncOptions;
  return {
    initiatedBy: { username: 'shunt', automated: true },
    info: [
      { name: 'Reason', value: 'Promotion triggered a sync of this Application resource.' },
      { name: PROMOTION_INFO_KEY, value: promotion },
    ],
    sync,
    ...(app.spec.syncPolicy?.retry !== undefined ? { retry: app.spec.syncPolicy.retry } : {}),
  };
}

interface Target {
  namespace: string;
  name: string;
  sources: SourceUpdate[];
}

/** Reads the app fresh, starts our sync when needed, and says where it stands. */
async function advance(ctx: StepContext, client: ArgoCDClient, t: Target): Promise<UpdateState> {
  const app = await client.getApplication(t.namespace, t.name);
  if (!app) throw new DomainError('StepFailed', `Argo CD Application ${JSON.stringify(t.name)} not found in namespace ${JSON.stringify(t.namespace)}`);
  authorizeApplication(app, ctx.project, ctx.stage);
  const state = updateState(app, ctx.promotion, desiredRevisions(app, t.sources));
  if (state.kind !== 'must-sync') return state;
  await client.syncApplication(t.namespace, t.name, {
    guard: (fresh) => authorizeApplication(fresh, ctx.project, ctx.stage),
    updateSpec: (fresh) => applySourceUpdates(fresh, t.sources),
    operation: syncOperation(app, ctx.promotion, desiredRevisions(app, t.sources)),
  });
  return { kind: 'waiting', why: `${describeApp(app)}: sync requested` };
}

export const argocdUpdate: StepDefinition<ArgoCDUpdateConfig> = {
  kind: 'argocd-update',
  config: ArgoCDUpdateConfig,
  run(ctx, config) {
    return retryWhenUnreachable(async () => {
      const client = requireArgoCD(ctx, 'argocd-update');
      const targets: Target[] = [];
      for (const spec of config.apps) {
        for (const app of await resolveApps(client, spec)) {
          authorizeApplication(app, ctx.project, ctx.stage);
          // Every update must fit every app before any app is changed (Kargo: all or nothing).
          applySourceUpdates(structuredClone(app), spec.sources ?? []);
          if (sourcesOf(app).length === 0) {
            throw new DomainError('StepFailed', `${describeApp(app)} has no source to sync`);
          }
          targets.push({ namespace: app.metadata.namespace ?? spec.namespace ?? client.defaultNamespace, name: app.metadata.name, sources: spec.sources ?? [] });
        }
      }
      const output = { apps: targets.map((t) => ({ name: t.name, namespace: t.namespace })) };
      const deadline = Date.now() + waitWithinMs(ctx);
      for (;;) {
        const states: UpdateState[] = [];
        for (const t of targets) states.push(await advance(ctx, client, t));
        const pending = targets.findIndex((_, i) => states[i]!.kind !== 'done');
        if (pending < 0) return { status: 'Succeeded', output };
        const t = targets[pending]!;
        const remaining = deadline - Date.now();
        const moved =
          remaining > 0
            ? await client.waitForApplication(
                t.namespace,
                t.name,
                (app) => {
                  if (!app) return 'gone';
                  const s = updateState(app, ctx.promotion, desiredRevisions(app, t.sources));
                  return s.kind === 'waiting' ? undefined : s.kind;
                },
                { withinMs: remaining, signal: ctx.signal, heartbeat: () => ctx.heartbeat({ step: 'argocd-update', app: t.name }) },
              )
            : undefined;
        if (moved === undefined) {
          const why = states[pending]!.kind === 'waiting' ? (states[pending] as { why: string }).why : 'waiting';
          return { status: 'Running', retryAfter: '1s', output, message: why };
        }
      }
    });
  },
};

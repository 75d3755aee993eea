/**
 * `kind: ClusterConfig`: Kargo's cluster-scoped settings, at most one per cluster (named
 * `cluster`). Shunt serves its `webhookReceivers`: each refreshes the matching warehouses of
 * every project, and its Secret is read from the system namespace (SHUNT_SYSTEM_NAMESPACE,
 * Kargo's `kargo-system-resources`). `gitClient` and `promotionWindows` are accepted and ignored,
 * with a hint saying why; `freightLinks` / `stageLinks` are accepted as in a ProjectConfig.
 */
import { z } from 'zod';
import { ApiVersion, asRecord, ClusterMeta, IgnoredStatus, omitKeys, valueAt } from './common.js';
import { WebhookReceiverEntry, webhookReceiverHints } from './webhook-receiver.js';

/** Kargo requires the one ClusterConfig of a cluster to be named so. */
export const CLUSTER_CONFIG_NAME = 'cluster';

const Link = z.looseObject({ title: z.string().optional(), url: z.string().optional() });

const GitClient = z.strictObject({
  name: z.string().min(1),
  email: z.email(),
  signingKeySecret: z.strictObject({ name: z.string().min(1) }).optional(),
});

export const ClusterConfigSpec = z.strictObject({
  webhookReceivers: z.array(WebhookReceiverEntry).optional(),
  gitClient: GitClient.optional(),
  freightLinks: z.array(Link).optional(),
  stageLinks: z.array(Link).optional(),
  /** EE only; ignored. */
  promotionWindows: z.array(z.record(z.string(), z.unknown())).optional(),
});

export const ClusterConfig = z
  .strictObject({
    apiVersion: ApiVersion,
    kind: z.literal('ClusterConfig'),
    metadata: ClusterMeta,
    spec: ClusterConfigSpec.default({}),
    status: IgnoredStatus,
  })
  .superRefine((cc, ctx) => {
    if (cc.metadata.name !== CLUSTER_CONFIG_NAME) {
      ctx.addIssue({ code: 'custom', path: ['metadata', 'name'], message: `a ClusterConfig must be named "${CLUSTER_CONFIG_NAME}" (at most one per cluster, as in Kargo)` });
    }
  })
  .transform((cc) => omitKeys(cc, 'status'));
/** Kargo's cluster-scoped settings; Shunt serves its webhook receivers. */
export type ClusterConfig = z.output<typeof ClusterConfig>;

export function clusterConfigHints(raw: unknown): string[] {
  const hints: string[] = [];
  const spec = asRecord(valueAt(raw, ['spec']));
  if (spec?.['gitClient'] !== undefined) {
    hints.push(
      "gitClient is ignored: Shunt commits as each git-commit step's author (default Shunt <shunt@localhost>) and does not sign commits; set author in the step",
    );
  }
  if (spec?.['promotionWindows'] !== undefined) hints.push('promotionWindows is a Kargo Enterprise field; Shunt ignores it');
  const receivers = spec?.['webhookReceivers'];
  if (Array.isArray(receivers)) hints.push(...webhookReceiverHints(receivers as Record<string, unknown>[], 'spec.webhookReceivers'));
  return hints;
}

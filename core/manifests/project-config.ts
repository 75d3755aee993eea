/**
 * `kind: ProjectConfig`: per-project settings (auto-promotion policies, webhook receivers, and
 * Shunt's notification subscriptions).
 * Named exactly like its project and living in the project's namespace.
 */
import { z } from 'zod';
import { labelSelectorIssues } from '../label-selector.js';
import { prefixedRegex, regexProblem } from '../regex.js';
import { addIssues, ApiVersion, asRecord, IgnoredStatus, NamespacedMeta, omitKeys, valueAt, type ObjectMeta } from './common.js';
import type { LocalIssue } from './issues.js';
import { NotificationSubscriptions } from './notification-subscription.js';
import { WebhookReceiverEntry, webhookReceiverHints } from './webhook-receiver.js';

/** An exact name, `glob:`, or `regex:` / `regexp:` (RE2 syntax, checked here). */
const StageNamePattern = z
  .string()
  .min(1)
  .superRefine((pattern, ctx) => {
    const rx = prefixedRegex(pattern);
    const problem = rx === undefined ? undefined : regexProblem(rx);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: `invalid regular expression: ${problem} (Go RE2 syntax)` });
  });

const StageSelector = z.strictObject({
  name: StageNamePattern.optional(),
  matchLabels: z.record(z.string(), z.string()).optional(),
  matchExpressions: z
    .array(
      z.strictObject({
        key: z.string().min(1),
        operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']),
        values: z.array(z.string()).optional(),
      }),
    )
    .optional(),
})
  .superRefine((sel, ctx) => {
    // Kargo parses the selector only when it matches stages (an error then); refused here at once.
    for (const issue of labelSelectorIssues(sel)) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
  });

/** EE only (ignored by Shunt): roll back automatically after a failed verification or promotion. */
const AutoRollback = z.strictObject({
  onVerification: z.array(z.enum(['Failed', 'Error'])).optional(),
  onPromotion: z.array(z.enum(['Failed', 'Errored'])).optional(),
});

export const PromotionPolicy = z
  .strictObject({
    stage: z.string().min(1).optional(),
    stageSelector: StageSelector.optional(),
    autoPromotionEnabled: z.boolean().optional(),
    autoRollback: AutoRollback.optional(),
  })
  .superRefine((p, ctx) => {
    if ((p.stage === undefined) === (p.stageSelector === undefined)) {
      ctx.addIssue({ code: 'custom', path: [], message: 'expected exactly one of stage or stageSelector' });
    }
  });
export type PromotionPolicy = z.output<typeof PromotionPolicy>;

const Link = z.looseObject({ title: z.string().optional(), url: z.string().optional() });

export const ProjectConfigSpec = z.strictObject({
  promotionPolicies: z.array(PromotionPolicy).optional(),
  webhookReceivers: z.array(WebhookReceiverEntry).optional(),
  freightLinks: z.array(Link).optional(),
  stageLinks: z.array(Link).optional(),
  /** EE only; ignored. */
  promotionWindows: z.array(z.record(z.string(), z.unknown())).optional(),
  /** Shunt's extension: lifecycle event notifications (core/manifests/notification-subscription.ts). */
  notifications: NotificationSubscriptions.optional(),
});
export type ProjectConfigSpec = z.output<typeof ProjectConfigSpec>;

/** Rules across a ProjectConfig's fields (paths relative to the document). */
export function projectConfigIssues(pc: { metadata: ObjectMeta }): LocalIssue[] {
  const { name, namespace } = pc.metadata;
  return namespace !== undefined && name !== namespace
    ? [{ path: ['metadata', 'name'], message: `a ProjectConfig must be named like its project (${JSON.stringify(namespace)})` }]
    : [];
}

export const ProjectConfig = z
  .strictObject({
    apiVersion: ApiVersion,
    kind: z.literal('ProjectConfig'),
    metadata: NamespacedMeta,
    spec: ProjectConfigSpec.default({}),
    status: IgnoredStatus,
  })
  .superRefine((pc, ctx) => addIssues(ctx, projectConfigIssues(pc)))
  .transform((pc) => omitKeys(pc, 'status'));
export type ProjectConfig = z.output<typeof ProjectConfig>;

export function projectConfigHints(raw: unknown): string[] {
  const hints: string[] = [];
  const spec = asRecord(valueAt(raw, ['spec']));
  const policies = spec?.['promotionPolicies'];
  if (Array.isArray(policies) && policies.some((p) => asRecord(p)?.['autoRollback'] !== undefined)) {
    hints.push("autoRollback is a Kargo Enterprise field; Shunt ignores it");
  }
  if (spec?.['promotionWindows'] !== undefined) {
    hints.push("promotionWindows is a Kargo Enterprise field; Shunt ignores it");
  }
  if (Array.isArray(policies) && policies.some((p) => asRecord(p)?.['stage'] !== undefined)) {
    hints.push('promotionPolicies[].stage is deprecated in Kargo; use stageSelector.name');
  }
  const receivers = spec?.['webhookReceivers'];
  if (Array.isArray(receivers)) hints.push(...webhookReceiverHints(receivers as Record<string, unknown>[], 'spec.webhookReceivers'));
  return hints;
}

/**
 * `webhookReceivers[]` of a ProjectConfig or the ClusterConfig, Kargo's shape: a `name` and
 * exactly one provider block naming the Secret that holds the receiver's secret
 * (`secretRef.name`). The receiver's URL is
 * `/webhooks/<provider>/<hex(sha256(project + name + secret value))>`, as in Kargo (the project
 * is empty for the ClusterConfig's receivers).
 *
 * Secret keys (Kargo's): gitlab and artifactory `secret-token`, harbor `auth-header`, every other
 * provider `secret`. Artifactory takes an optional `virtualRepoName`; generic takes `actions`
 * (Kargo's GenericWebhookAction: `Refresh` targets chosen by name, labels or the
 * `subscribedURLs` index, each guarded by an optional `whenExpression`).
 */
import { z } from 'zod';
import { checkExpressionSyntax, checkTemplateSyntax } from '../expressions/index.js';

export const WEBHOOK_PROVIDERS = ['github', 'gitlab', 'gitea', 'bitbucket', 'dockerhub', 'quay', 'harbor', 'artifactory', 'azure', 'generic'] as const;
export type WebhookProvider = (typeof WEBHOOK_PROVIDERS)[number];

/** The Secret key each provider's receiver reads (and hashes into its URL), as Kargo. */
export const WEBHOOK_SECRET_KEYS: Record<WebhookProvider, string> = {
  github: 'secret',
  gitlab: 'secret-token',
  gitea: 'secret',
  bitbucket: 'secret',
  dockerhub: 'secret',
  quay: 'secret',
  harbor: 'auth-header',
  artifactory: 'secret-token',
  azure: 'secret',
  generic: 'secret',
};

/** Kargo's index a generic target may be selected by (WarehousesBySubscribedURLs). */
export const GENERIC_INDEX_KEYS = ['subscribedURLs'] as const;

const SecretRef = z.strictObject({ name: z.string().min(1) });
const ProviderBlock = z.looseObject({ secretRef: SecretRef });

/** A string that may hold `${{ }}` expressions (checked for syntax here, evaluated per call). */
const TemplateString = z.string().superRefine((value, ctx) => {
  for (const issue of checkTemplateSyntax(value)) ctx.addIssue({ code: 'custom', message: issue.message });
});

const LabelSelector = z.strictObject({
  matchLabels: z.record(z.string(), TemplateString).optional(),
  matchExpressions: z
    .array(
      z.strictObject({
        key: z.string().min(1),
        operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']),
        values: z.array(TemplateString).optional(),
      }),
    )
    .optional(),
});

const TargetSelectionCriteria = z.strictObject({
  kind: z.enum(['Warehouse', 'Promotion']),
  name: TemplateString.optional(),
  labelSelector: LabelSelector.optional(),
  indexSelector: z
    .strictObject({
      matchIndices: z
        .array(
          z.strictObject({
            key: z.string().refine((k) => (GENERIC_INDEX_KEYS as readonly string[]).includes(k), {
              message: `unknown index; Kargo's generic receiver has only ${GENERIC_INDEX_KEYS.join(', ')}`,
            }),
            operator: z.enum(['Equals', 'NotEquals']),
            value: TemplateString,
          }),
        )
        .optional(),
    })
    .optional(),
});

const GenericAction = z.strictObject({
  action: z.literal('Refresh'),
  whenExpression: z
    .string()
    .superRefine((src, ctx) => {
      const problem = src === '' ? undefined : checkExpressionSyntax(src);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
    })
    .optional(),
  parameters: z.record(z.string(), z.string()).optional(),
  targetSelectionCriteria: z.array(TargetSelectionCriteria).optional(),
});
export type GenericWebhookAction = z.infer<typeof GenericAction>;
export type GenericTargetSelection = z.infer<typeof TargetSelectionCriteria>;

const BLOCKS: Partial<Record<WebhookProvider, z.ZodType>> = {
  artifactory: z.looseObject({ secretRef: SecretRef, virtualRepoName: z.string().optional() }),
  generic: z.looseObject({ secretRef: SecretRef, actions: z.array(GenericAction).optional() }),
};
const blockSchema = (provider: WebhookProvider): z.ZodType => BLOCKS[provider] ?? ProviderBlock;

export interface WebhookReceiver {
  name: string;
  provider: WebhookProvider;
  secretName: string;
  /** Artifactory: the virtual repository the images are pulled through. */
  virtualRepoName?: string;
  /** Generic: Kargo's actions (absent: Shunt's own URL-based scan, see api/webhooks/generic.ts). */
  actions?: GenericWebhookAction[];
}

export const WebhookReceiverEntry = z
  .looseObject({ name: z.string().min(1) })
  .superRefine((entry, ctx) => {
    const keys = Object.keys(entry).filter((k) => k !== 'name');
    const known = keys.filter((k) => (WEBHOOK_PROVIDERS as readonly string[]).includes(k)) as WebhookProvider[];
    for (const k of keys) {
      if (!(known as string[]).includes(k)) ctx.addIssue({ code: 'custom', path: [k], message: `unknown webhook receiver type; expected one of ${WEBHOOK_PROVIDERS.join(', ')}` });
    }
    if (known.length !== 1) {
      ctx.addIssue({ code: 'custom', path: [], message: `expected exactly one of ${WEBHOOK_PROVIDERS.join(', ')}${known.length > 1 ? `, got ${known.join(' and ')}` : ''}` });
      return;
    }
    const provider = known[0]!;
    const block = blockSchema(provider).safeParse(entry[provider]);
    if (block.success) return;
    for (const issue of block.error.issues) {
      const missingSecret = issue.path[0] === 'secretRef' || (issue.path.length === 0 && issue.code === 'invalid_type');
      ctx.addIssue({
        code: 'custom',
        path: missingSecret ? [provider, 'secretRef', 'name'] : [provider, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))],
        message: missingSecret ? "required: the Secret holding the receiver's secret" : issue.message,
      });
    }
  });

/** The receivers of a ProjectConfig or ClusterConfig spec that are well formed (apply has validated them). */
export function webhookReceivers(entries: readonly Record<string, unknown>[] | undefined): WebhookReceiver[] {
  const out: WebhookReceiver[] = [];
  for (const e of entries ?? []) {
    const provider = WEBHOOK_PROVIDERS.find((p) => e[p] !== undefined);
    if (!provider || typeof e['name'] !== 'string') continue;
    const block = blockSchema(provider).safeParse(e[provider]);
    if (!block.success) continue;
    const data = block.data as { secretRef: { name: string }; virtualRepoName?: string; actions?: GenericWebhookAction[] };
    out.push({
      name: e['name'],
      provider,
      secretName: data.secretRef.name,
      ...(provider === 'artifactory' && data.virtualRepoName ? { virtualRepoName: data.virtualRepoName } : {}),
      ...(provider === 'generic' && data.actions !== undefined ? { actions: data.actions } : {}),
    });
  }
  return out;
}

/** Apply-time advice on receivers that work differently in Shunt (one line each). */
export function webhookReceiverHints(entries: readonly Record<string, unknown>[] | undefined, where: string): string[] {
  const hints: string[] = [];
  for (const r of webhookReceivers(entries)) {
    if (r.provider === 'generic' && r.actions === undefined) {
      hints.push(
        `${where}: generic webhook receiver "${r.name}" has no actions: Kargo would do nothing on a call; Shunt scans the warehouses subscribed to the body's "repoURL"/"repoURLs" (every warehouse when it names none). Add actions for Kargo's behaviour.`,
      );
    }
    if (r.actions?.some((a) => a.targetSelectionCriteria?.some((t) => t.kind === 'Promotion'))) {
      hints.push(
        `${where}: generic webhook receiver "${r.name}" selects Promotions: Shunt reports them selected but does not wake them, since its waiting steps (git-wait-for-pr, http) poll on their own schedule.`,
      );
    }
  }
  return hints;
}
